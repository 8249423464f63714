import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { bearerToken, VerifiedTokenCache } from './verified-token.cache.js';

const principal = { sub: 'u', tenantId: 't', scopes: new Set(['sigil:read']) };
const tokenExpiringIn = (seconds: number) =>
  jwt.sign({ exp: Math.floor(Date.now() / 1000) + seconds }, 'unit-test-only-secret', { algorithm: 'HS256' });

describe('VerifiedTokenCache', () => {
  it('remembers a verified token and forgets after its exp or a minute, whichever is first', () => {
    const cache = new VerifiedTokenCache();
    const token = tokenExpiringIn(600);
    cache.remember(token, principal);
    expect(cache.get(token)).toBe(principal);
    expect(cache.get(`${token}x`)).toBeUndefined();
  });

  it('does not remember a token that is already expired or has no exp', () => {
    const cache = new VerifiedTokenCache();
    const expired = tokenExpiringIn(-5);
    cache.remember(expired, principal);
    expect(cache.get(expired)).toBeUndefined();
    const noExp = jwt.sign({ sub: 'x' }, 'unit-test-only-secret', { algorithm: 'HS256' });
    cache.remember(noExp, principal);
    expect(cache.get(noExp)).toBeUndefined();
  });

  it('extracts bearer tokens strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(['Bearer a', 'Bearer b'])).toBeUndefined();
  });
});
