import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { AppConfig } from '#config';
import { InvalidTenantClaimError, TenantResolver, type Principal } from '#tenancy';
import { AuthenticationError } from './auth.errors.js';
import { scopesFromClaims } from './scopes.js';

/** Asymmetric algorithms only: `none` and HS* never verify, so a public key can't be used as an HMAC secret. */
export const ALLOWED_ALGORITHMS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
] as const; // prettier-ignore

/** Seconds of clock skew tolerated on exp/nbf/iat. */
export const CLOCK_TOLERANCE_SECONDS = 5;

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly tenants: TenantResolver,
  ) {
    const auth = config.auth;
    const options: StrategyOptionsWithoutRequest = {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      issuer: auth.issuer,
      audience: auth.audience,
      algorithms: [...ALLOWED_ALGORITHMS],
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
      ...(auth.mode === 'jwks'
        ? {
            // Keys are cached by kid; an unknown kid triggers a refetch, at most 10 a minute.
            secretOrKeyProvider: passportJwtSecret({
              jwksUri: auth.jwksUri,
              cache: true,
              cacheMaxEntries: 20,
              cacheMaxAge: 10 * 60 * 1000,
              rateLimit: true,
              jwksRequestsPerMinute: 10,
              timeout: 5000,
            }),
          }
        : { secretOrKey: auth.publicKeyPem }),
    };
    super(options);
  }

  /** Called with the verified claims; what it returns becomes `request.user`. */
  validate(claims: Record<string, unknown>): Principal {
    if (typeof claims.exp !== 'number') throw new AuthenticationError('missing_exp', 'token has no exp claim');
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      throw new AuthenticationError('missing_sub', 'token has no sub claim');
    }
    try {
      return { sub: claims.sub, tenantId: this.tenants.resolve(claims), scopes: scopesFromClaims(claims) };
    } catch (error) {
      if (error instanceof InvalidTenantClaimError) throw new AuthenticationError('invalid_tenant', error.message);
      throw error;
    }
  }
}
