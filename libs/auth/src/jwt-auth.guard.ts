import { Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { SigilMetrics } from '#metrics';
import type { Principal } from '#tenancy';
import { AuthenticationError, InsufficientScopeError, type AuthFailureReason } from './auth.errors.js';
import { IS_PUBLIC, REQUIRED_SCOPE } from './auth.decorators.js';
import { RouteMetadataReflector } from './route-metadata.reflector.js';
import { AnonymousLimiter } from './rate-limit/anonymous.limiter.js';
import { bearerToken, VerifiedTokenCache } from './verified-token.cache.js';

/**
 * The global guard: every route needs a valid bearer token unless marked @Public(), and the scope
 * it names with @RequireScope(). Denying by default means a new route can't ship unprotected.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('Auth');
  private readonly verified = new VerifiedTokenCache();

  constructor(
    private readonly reflector: RouteMetadataReflector,
    private readonly anonymous: AnonymousLimiter,
    private readonly metrics: SigilMetrics,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ user?: Principal; headers: Record<string, string | string[] | undefined> }>();
    const token = bearerToken(request.headers.authorization);
    const cached = token === undefined ? undefined : this.verified.get(token);
    if (cached) {
      request.user = cached;
    } else {
      try {
        await super.canActivate(context);
      } catch (error) {
        // A failed authentication counts against the client address; over its budget, 429 beats 401.
        if (error instanceof AuthenticationError) {
          const http = context.switchToHttp();
          await this.anonymous.hit(
            http.getRequest<{ ip: string }>().ip,
            http.getResponse(),
            (request as { id?: string }).id,
          );
        }
        throw error;
      }
      if (token !== undefined && request.user) this.verified.remember(token, request.user);
    }
    const required = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, targets);
    const principal = request.user!;
    if (required && !principal.scopes.has(required)) {
      this.audit(context, { event: 'auth.forbidden', reason: 'insufficient_scope', required, principal });
      throw new InsufficientScopeError(required);
    }
    return true;
  }

  override handleRequest<T = Principal>(
    err: unknown,
    user: T | false,
    info: unknown,
    context: ExecutionContext,
  ): T {
    if (user && !err) return user;
    const failure = toAuthenticationError(err ?? info);
    this.metrics.authFailed(failure.reason);
    this.audit(context, { event: 'auth.failed', reason: failure.reason });
    throw failure;
  }

  private audit(
    context: ExecutionContext,
    entry: { event: string; reason: string; required?: string; principal?: Principal },
  ): void {
    const request = context.switchToHttp().getRequest<{ id?: string }>();
    this.logger.warn({
      audit: true,
      event: entry.event,
      reason: entry.reason,
      requiredScope: entry.required,
      principal: entry.principal?.sub,
      tenantId: entry.principal?.tenantId,
      requestId: request.id,
    });
  }
}

/** Maps passport-jwt / jsonwebtoken / jwks-rsa failures onto our reasons without echoing the token. */
export function toAuthenticationError(cause: unknown): AuthenticationError {
  if (cause instanceof AuthenticationError) return cause;
  const name = cause instanceof Error ? cause.name : '';
  const message = cause instanceof Error ? cause.message : '';
  const reason = ((): AuthFailureReason => {
    if (name === 'TokenExpiredError') return 'expired';
    if (name === 'NotBeforeError') return 'not_yet_valid';
    if (name === 'SigningKeyNotFoundError') return 'unknown_kid';
    if (name === 'JwksError' || name === 'JwksRateLimitError') return 'jwks_unavailable';
    if (message === 'No auth token') return 'missing_token';
    if (message.startsWith('jwt audience invalid')) return 'invalid_audience';
    if (message.startsWith('jwt issuer invalid')) return 'invalid_issuer';
    if (message === 'invalid algorithm' || message === 'jwt signature is required')
      return 'invalid_algorithm';
    if (message === 'invalid signature') return 'invalid_signature';
    return 'malformed';
  })();
  return new AuthenticationError(reason);
}
