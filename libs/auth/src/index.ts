export {
  AUTH_FAILURE_REASONS,
  AuthenticationError,
  InsufficientScopeError,
  type AuthFailureReason,
} from './auth.errors.js';
export { Public, RequireScope, Scoped } from './auth.decorators.js';
export { AuthModule } from './auth.module.js';
export { ALLOWED_ALGORITHMS } from './jwt.strategy.js';
export { SCOPES, scopesFromClaims, type Scope } from './scopes.js';
export { RateLimitedError } from './rate-limit/rate-limit.errors.js';
export { RateLimitStatus } from './rate-limit/rate-limit.storage.js';
