import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer, makeKey } from '../support/jwks-server.js';
import { client, expectProblemShape, startApp, type RunningApp } from '../support/test-app.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Authentication and tenancy (real JWKS over HTTP)', () => {
  const jwks = new JwksServer();
  let running: RunningApp;

  beforeAll(async () => {
    await jwks.start();
    running = await startApp(jwks);
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
  });

  const get = (token?: string) => client(running.url, token)('GET', '/api/v1/sigils');
  const claimsFor = () => ({
    sub: 'user-1',
    tenant_id: 'acme',
    scope: 'sigil:read',
    iss: jwks.issuer,
    aud: jwks.audience,
    exp: Math.floor(Date.now() / 1000) + 600,
  });

  it('401s without a token, with a bare Bearer challenge', async () => {
    const res = await get();
    expectProblemShape(res, 401, 'UNAUTHORIZED');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="sigil-dna"');
  });

  it('accepts a valid token', async () => {
    const res = await get(jwks.token());
    expect(res.status).toBe(200);
  });

  const rejected: [string, () => string, string][] = [
    ['an expired token', () => jwks.token({ expiresIn: -120 }), 'the token has expired'],
    [
      'a wrong audience',
      () => jwks.token({ audience: 'someone-else' }),
      'the token audience is not this service',
    ],
    [
      'a wrong issuer',
      () => jwks.token({ issuer: 'https://evil.example/' }),
      'the token issuer is not trusted',
    ],
    [
      'an unknown kid',
      () => jwks.token({ key: jwks.rogue }),
      'the token key id is not in the issuer key set',
    ],
    ['garbage', () => 'not.a.jwt', 'the token is malformed'],
    ['no exp claim', () => jwks.token({ noExp: true }), 'token has no exp claim'],
    [
      'an invalid tenant claim',
      () => jwks.token({ tenant: 'acme!prod' }),
      'the token tenant claim is not a valid tenant id',
    ],
    [
      'alg none',
      () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsFor())}.`,
      'the token algorithm is not allowed (asymmetric algorithms only)',
    ],
    [
      'HS256 signed with the RSA public key',
      () => {
        const pem = jwks.primary.publicKey.export({ type: 'spki', format: 'pem' }).toString();
        const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: jwks.primary.kid })}.${b64(claimsFor())}`;
        return `${head}.${createHmac('sha256', pem).update(head).digest('base64url')}`;
      },
      'the token algorithm is not allowed (asymmetric algorithms only)',
    ],
    [
      'a tampered payload',
      () => {
        const [h, , s] = jwks.token({ scope: 'sigil:read' }).split('.');
        return `${h}.${b64({ ...claimsFor(), scope: 'sigil:admin' })}.${s}`;
      },
      'the token signature is invalid',
    ],
  ];

  it.each(rejected)('401s for %s with an invalid_token challenge', async (_name, token, description) => {
    const res = await get(token());
    expectProblemShape(res, 401, 'UNAUTHORIZED');
    expect(res.body.detail).toBe(description);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="sigil-dna", error="invalid_token", error_description="${description}"`,
    );
    expect(res.text).not.toContain(token().split('.')[2] || '§');
  });

  it('refetches the JWKS when a new kid appears (the issuer rotated keys)', async () => {
    const rotated = makeKey('rotated-key');
    const before = jwks.fetches;
    jwks.publish(rotated);
    const res = await get(jwks.token({ key: rotated }));
    expect(res.status).toBe(200);
    expect(jwks.fetches).toBeGreaterThan(before);
  });

  it('reads scopes from scope, scp (string or array), roles and permissions', async () => {
    const call = (extra: Record<string, unknown>) =>
      client(running.url, jwks.token({ scope: '', extraClaims: extra }))('GET', '/api/v1/sigils');
    expect((await call({})).status).toBe(403);
    expect((await call({ scp: 'sigil:read' })).status).toBe(200);
    expect((await call({ scp: ['sigil:read'] })).status).toBe(200);
    expect((await call({ roles: ['sigil:write'] })).status).toBe(200);
    expect((await call({ permissions: ['sigil:admin'] })).status).toBe(200);
    expect((await call({ roles: 'sigil:revoke' })).status).toBe(403);
  });

  it('takes the tenant from tenant_id, tenantId or tenant, else DEFAULT_TENANT', async () => {
    const mint = async (tenantClaims: Record<string, unknown>) => {
      const res = await client(
        running.url,
        jwks.token({ tenant: null, scope: 'sigil:write', extraClaims: tenantClaims }),
      )('POST', '/api/v1/sigils', { data: { who: 'am i' } });
      expect(res.status, res.text).toBe(201);
      return res.body.tenantId;
    };
    expect(await mint({ tenant_id: 'first', tenantId: 'second', tenant: 'third' })).toBe('first');
    expect(await mint({ tenantId: 'second', tenant: 'third' })).toBe('second');
    expect(await mint({ tenant: 'third' })).toBe('third');
    expect(await mint({})).toBe('public');
  });
});

describe('SIGIL_TENANT_CLAIM and DEFAULT_TENANT', () => {
  const jwks = new JwksServer();
  let running: RunningApp;

  beforeAll(async () => {
    await jwks.start();
    running = await startApp(jwks, { SIGIL_TENANT_CLAIM: 'org', DEFAULT_TENANT: 'shared' });
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
  });

  it('uses only the configured claim', async () => {
    const mint = async (extra: Record<string, unknown>) =>
      (
        await client(running.url, jwks.token({ tenant: null, scope: 'sigil:write', extraClaims: extra }))(
          'POST',
          '/api/v1/sigils',
          {
            data: { a: 1 },
          },
        )
      ).body.tenantId;
    expect(await mint({ org: 'initech', tenant_id: 'ignored' })).toBe('initech');
    expect(await mint({ tenant_id: 'ignored' })).toBe('shared');
  });
});
