import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { Scope } from './scopes.js';

export const IS_PUBLIC = 'sigil:public';
export const REQUIRED_SCOPE = 'sigil:required-scope';

/** Opts a route out of authentication (health, docs, metrics). Everything else needs a token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The scope a route needs, after implication (write ⊃ read, admin ⊃ all). */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

/**
 * Requires a scope and documents the operation's bearer-JWT security requirement. OpenAPI 3.0 lets
 * only OAuth2 and OpenID Connect requirements list scopes, so the scope is `x-required-scope`.
 */
export const Scoped = (scope: Scope) =>
  applyDecorators(RequireScope(scope), ApiSecurity('jwt'), ApiExtension('x-required-scope', scope));
