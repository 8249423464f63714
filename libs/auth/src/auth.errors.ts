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

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  readonly code = 'UNAUTHORIZED';
  constructor(
    readonly reason: AuthFailureReason,
    /** Safe to show the client: says what is wrong with the token, never echoes it. */
    readonly description: string,
  ) {
    super(description);
  }
}

export class InsufficientScopeError extends Error {
  override readonly name = 'InsufficientScopeError';
  readonly code = 'FORBIDDEN';
  constructor(readonly required: string) {
    super(`this operation needs the ${required} scope`);
  }
}
