/* eslint-disable @typescript-eslint/unbound-method -- route handlers are metadata targets here, never called */
import 'reflect-metadata';
import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { RouteMetadataReflector } from './route-metadata.reflector.js';

const OnClass = SetMetadata('scope', 'class-scope');

@OnClass
class Controller {
  @SetMetadata('scope', 'method-scope')
  @SetMetadata('public', true)
  decorated() {}

  plain() {}
}

@SetMetadata('public', false)
class Other {
  plain() {}
}

describe('RouteMetadataReflector', () => {
  const nest = new Reflector();
  const cases: [string, (...args: never[]) => unknown, object][] = [
    ['a decorated method', Controller.prototype.decorated, Controller],
    ['a plain method, class metadata', Controller.prototype.plain, Controller],
    ['another class', Other.prototype.plain, Other],
    ["a method asked with another class's metadata", Controller.prototype.plain, Other],
  ];

  it.each(cases)('answers as Nest’s Reflector does, twice (%s)', (_name, handler, classRef) => {
    const reflector = new RouteMetadataReflector();
    for (const key of ['scope', 'public', 'missing']) {
      const targets = [handler, classRef as never];
      const expected = nest.getAllAndOverride(key, targets);
      expect(reflector.getAllAndOverride(key, targets)).toBe(expected);
      expect(reflector.getAllAndOverride(key, targets)).toBe(expected);
    }
  });

  it('remembers: metadata added later is not seen for a pair already asked', () => {
    class Late {
      route() {}
    }
    const reflector = new RouteMetadataReflector();
    const targets = [Late.prototype.route, Late];
    expect(reflector.getAllAndOverride('late', targets)).toBeUndefined();
    SetMetadata('late', 1)(Late);
    expect(reflector.getAllAndOverride('late', targets)).toBeUndefined();
    expect(new RouteMetadataReflector().getAllAndOverride('late', targets)).toBe(1);
  });

  it('leaves other lookups to Nest', () => {
    const reflector = new RouteMetadataReflector();
    expect(reflector.getAllAndOverride('scope', [Controller])).toBe('class-scope');
    expect(reflector.getAllAndOverride('scope', [Controller.prototype.decorated, Controller, Other])).toBe(
      'method-scope',
    );
  });
});
