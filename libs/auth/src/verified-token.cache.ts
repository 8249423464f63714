import { hash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import type { Principal } from '#tenancy';

/** A verified token is trusted again for at most this long, and never past its own `exp`. */
const MAX_TRUST_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Clients reuse a token for many requests; verifying its signature each time (parsing the issuer's
 * key, an RSA/ECDSA verify) was the largest single cost of a request. This remembers the principal of
 * a token that verified, keyed by a hash of the token (the cache never holds the token itself), for
 * at most a minute, so a key the issuer removes from its JWKS stops being honoured within that time.
 */
export class VerifiedTokenCache {
  private readonly entries = new LRUCache<string, Principal>({ max: MAX_ENTRIES });

  get(token: string): Principal | undefined {
    return this.entries.get(keyOf(token));
  }

  remember(token: string, principal: Principal, now = Date.now()): void {
    const exp = (jwt.decode(token) as { exp?: unknown } | null)?.exp;
    if (typeof exp !== 'number') return;
    const ttl = Math.min(MAX_TRUST_MS, exp * 1000 - now);
    if (ttl > 0) this.entries.set(keyOf(token), principal, { ttl });
  }
}

function keyOf(token: string): string {
  return hash('sha256', token, 'base64url');
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}
