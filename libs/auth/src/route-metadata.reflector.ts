import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** What Nest's own signature accepts: a class or a method. */
type Targets = Parameters<Reflector['getAllAndOverride']>[1];
type Target = Targets[number];

/**
 * Nest's Reflector, with `getAllAndOverride` remembered per (handler, class, key). The guards ask
 * it up to nine questions per request (public? scope? and the throttler's six per named limit),
 * each two `Reflect.getMetadata` walks, and the answers are the route decorators': fixed once the
 * classes are defined. Only the two-target lookups guards make are remembered; anything else is
 * Nest's own.
 */
@Injectable()
export class RouteMetadataReflector extends Reflector {
  private readonly answers = new WeakMap<Target, WeakMap<Target, Map<unknown, unknown>>>();

  override getAllAndOverride<TResult = unknown, TKey = unknown>(key: TKey, targets: Targets): TResult {
    if (targets.length !== 2 || typeof targets[0] !== 'function' || typeof targets[1] !== 'function') {
      return super.getAllAndOverride<TResult>(key as never, targets);
    }
    const [handler, classRef] = targets;
    let byClass = this.answers.get(handler);
    if (byClass === undefined) this.answers.set(handler, (byClass = new WeakMap()));
    let byKey = byClass.get(classRef);
    if (byKey === undefined) byClass.set(classRef, (byKey = new Map()));
    if (byKey.has(key)) return byKey.get(key) as TResult;
    const answer = super.getAllAndOverride<TResult>(key as never, targets);
    byKey.set(key, answer);
    return answer;
  }
}
