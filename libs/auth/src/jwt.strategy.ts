import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import jwt from 'jsonwebtoken';
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
            secretOrKeyProvider: jwksKeyProvider(auth.jwksUri),
          }
        : { secretOrKey: auth.publicKeyPem }),
    };
    super(options);
  }

  /** Called with the verified claims; what it returns becomes `request.user`. */
  validate(claims: Record<string, unknown>): Principal {
    if (typeof claims.exp !== 'number') throw new AuthenticationError('missing_exp');
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      throw new AuthenticationError('missing_sub');
    }
    try {
      return { sub: claims.sub, tenantId: this.tenants.resolve(claims), scopes: scopesFromClaims(claims) };
    } catch (error) {
      if (error instanceof InvalidTenantClaimError) throw new AuthenticationError('invalid_tenant');
      throw error;
    }
  }
}

type KeyCallback = (error: unknown, key?: string | Buffer) => void;

/**
 * Keys from the issuer's JWKS, cached by kid; an unknown kid triggers a refetch, at most 10 a minute.
 * The header's alg is checked first so an HS256 token "signed" with our public key fails as a
 * disallowed algorithm, and jwks-rsa's errors are passed on (its default handler hides an unknown
 * kid as "no key", which would surface as a malformed token).
 */
function jwksKeyProvider(jwksUri: string) {
  const fromJwks = passportJwtSecret({
    jwksUri,
    cache: true,
    cacheMaxEntries: 20,
    cacheMaxAge: 10 * 60 * 1000,
    rateLimit: true,
    jwksRequestsPerMinute: 10,
    timeout: 5000,
    handleSigningKeyError: (error, callback) => callback(error),
  });
  return (request: unknown, rawJwt: string, done: KeyCallback): void => {
    const decoded = jwt.decode(rawJwt, { complete: true });
    if (!decoded) return done(new AuthenticationError('malformed'));
    if (!(ALLOWED_ALGORITHMS as readonly string[]).includes(decoded.header.alg)) {
      return done(new AuthenticationError('invalid_algorithm'));
    }
    fromJwks(request, rawJwt, done as never);
  };
}
