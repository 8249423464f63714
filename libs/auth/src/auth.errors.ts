/** Why a request was not authenticated; also the `reason` of audit lines and the auth failure metric. */
export type AuthFailureReason =
  | 'missing_token'
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_exp'
  | 'missing_sub'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'invalid_algorithm'
  | 'invalid_signature'
  | 'unknown_kid'
  | 'invalid_tenant'
  | 'jwks_unavailable';

/** Safe to show the client: says what is wrong with the token, never echoes it. */
const DESCRIPTIONS: Record<AuthFailureReason, string> = {
  missing_token: 'a bearer token is required',
  malformed: 'the token is malformed',
  expired: 'the token has expired',
  not_yet_valid: 'the token is not valid yet',
  missing_exp: 'token has no exp claim',
  missing_sub: 'token has no sub claim',
  invalid_issuer: 'the token issuer is not trusted',
  invalid_audience: 'the token audience is not this service',
  invalid_algorithm: 'the token algorithm is not allowed (asymmetric algorithms only)',
  invalid_signature: 'the token signature is invalid',
  unknown_kid: 'the token key id is not in the issuer key set',
  invalid_tenant: 'the token tenant claim is not a valid tenant id',
  jwks_unavailable: 'the issuer key set could not be fetched',
};

/** Every reason (also the `reason` label of auth_failures_total, initialised at zero for each). */
export const AUTH_FAILURE_REASONS = Object.keys(DESCRIPTIONS) as AuthFailureReason[];

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  readonly code = 'UNAUTHORIZED';
  readonly description: string;
  constructor(readonly reason: AuthFailureReason) {
    super(DESCRIPTIONS[reason]);
    this.description = DESCRIPTIONS[reason];
  }
}

export class InsufficientScopeError extends Error {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'FORBIDDEN';
  constructor(readonly required: string) {
    super(`this operation needs the ${required} scope`);
  }
}
