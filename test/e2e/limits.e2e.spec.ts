import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import { client, expectProblemShape, startApp, type RunningApp } from '../support/test-app.js';

const WINDOW = '10';

describe('Per-principal rate limit (in memory)', () => {
  const jwks = new JwksServer();
  let running: RunningApp;

  beforeAll(async () => {
    await jwks.start();
    running = await startApp(jwks, {
      SIGIL_RATE_LIMIT: '200',
      SIGIL_RATE_WINDOW: WINDOW,
      SIGIL_ANON_RATE_LIMIT: '3',
    });
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
  });

  it('allows 200 requests in a window across routes, then answers the 201st with a 429 problem', async () => {
    const call = client(running.url, jwks.token({ sub: 'busy', scope: 'sigil:read' }));
    const first = await call('GET', '/api/v1/sigils?limit=1');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('200');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('199');
    expect(first.headers.get('x-ratelimit-reset')).toBe(WINDOW);
    for (let i = 2; i <= 200; i++) {
      // Alternate routes: the budget is per principal, not per route.
      const res =
        i % 2
          ? await call('GET', '/api/v1/sigils?limit=1')
          : await call('POST', '/api/v1/sigils/verify', { id: 'x' });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(200 - i));
    }
    const limited = await call('GET', '/api/v1/sigils?limit=1');
    expectProblemShape(limited, 429, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Number(WINDOW));
    expect(limited.headers.get('x-ratelimit-limit')).toBe('200');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe(String(retryAfter));
  });

  it('keeps separate budgets per principal: another sub, or the same sub in another tenant', async () => {
    const sameSubOtherTenant = client(
      running.url,
      jwks.token({ sub: 'busy', tenant: 'globex', scope: 'sigil:read' }),
    );
    const otherSub = client(running.url, jwks.token({ sub: 'calm', scope: 'sigil:read' }));
    expect((await sameSubOtherTenant('GET', '/api/v1/sigils')).headers.get('x-ratelimit-remaining')).toBe(
      '199',
    );
    expect((await otherSub('GET', '/api/v1/sigils')).headers.get('x-ratelimit-remaining')).toBe('199');
  });

  it('never limits health, readiness, metrics or docs, and sends them no rate-limit headers', async () => {
    const anonymous = client(running.url);
    for (const path of ['/health', '/healthz', '/readyz', '/metrics', '/docs-json']) {
      for (let i = 0; i < 5; i++) {
        const res = await anonymous('GET', path);
        expect(res.status, path).toBe(200);
        expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      }
    }
  });

  it('limits failed authentications per client address with their own budget', async () => {
    const garbage = client(running.url, 'garbage');
    for (let i = 1; i <= 3; i++) {
      const res = await garbage('GET', '/api/v1/sigils');
      expectProblemShape(res, 401, 'UNAUTHORIZED');
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(3 - i));
    }
    const limited = await garbage('GET', '/api/v1/sigils');
    expectProblemShape(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // A valid principal from the same address is not affected.
    const ok = await client(running.url, jwks.token({ sub: 'fine', scope: 'sigil:read' }))(
      'GET',
      '/api/v1/sigils',
    );
    expect(ok.status).toBe(200);
    const metrics = await client(running.url)('GET', '/metrics');
    expect(metrics.text).toMatch(/^sigil_rate_limited_total\{scope="anonymous"\} [1-9]/m);
    expect(metrics.text).toMatch(/^sigil_rate_limited_total\{scope="principal"\} [1-9]/m);
    expect(metrics.text).toMatch(/^auth_failures_total\{reason="malformed"\} [1-9]/m);
  });
});

describe('Client address behind a proxy (SIGIL_TRUST_PROXY)', () => {
  const jwks = new JwksServer();
  let trusting: RunningApp;
  let direct: RunningApp;

  beforeAll(async () => {
    await jwks.start();
    const env = { SIGIL_ANON_RATE_LIMIT: '1', SIGIL_RATE_WINDOW: WINDOW };
    trusting = await startApp(jwks, { ...env, SIGIL_TRUST_PROXY: '127.0.0.1' });
    direct = await startApp(jwks, env);
  });
  afterAll(async () => {
    await trusting?.close();
    await direct?.close();
    await jwks.close();
  });

  const fromClient = (app: RunningApp, ip: string) =>
    client(app.url, 'garbage')('GET', '/api/v1/sigils', undefined, { 'x-forwarded-for': ip });

  it('keys anonymous limits by X-Forwarded-For only when the proxy is trusted', async () => {
    expect((await fromClient(trusting, '203.0.113.1')).status).toBe(401);
    expect((await fromClient(trusting, '203.0.113.2')).status).toBe(401);
    expect((await fromClient(trusting, '203.0.113.1')).status).toBe(429);
    // Untrusted: the header is ignored, every request is the socket's address.
    expect((await fromClient(direct, '203.0.113.1')).status).toBe(401);
    expect((await fromClient(direct, '203.0.113.2')).status).toBe(429);
  });
});

describe('Abuse resistance', () => {
  const jwks = new JwksServer();
  let running: RunningApp;
  let roomy: RunningApp;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    await jwks.start();
    running = await startApp(jwks, { SIGIL_CORS_ORIGINS: 'https://app.example.com' });
    // A deployment that allows large data: the key-count limit, not the body limit, must stop it.
    roomy = await startApp(jwks, { SIGIL_MAX_DATA_BYTES: String(4 * 1024 * 1024) });
    call = client(running.url, jwks.token({ scope: 'sigil:write' }));
  });
  afterAll(async () => {
    await running?.close();
    await roomy?.close();
    await jwks.close();
  });

  const deep = (depth: number) => '{"data":'.concat('{"a":'.repeat(depth), '1', '}'.repeat(depth), '}');
  const wide = (keys: number) =>
    JSON.stringify({ data: Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i])) });

  it('answers a 1000-deep document with a 400 naming the body, and stores nothing', async () => {
    const res = await call('POST', '/api/v1/sigils', deep(1000));
    expectProblemShape(res, 400, 'VALIDATION_FAILED', 'body');
    expect(res.body.detail).toBe('body nests deeper than 32 levels');
    const list = await client(running.url, jwks.token({ scope: 'sigil:read' }))('GET', '/api/v1/sigils');
    expect(list.body.items).toEqual([]);
  });

  it('accepts nesting within the limit', async () => {
    expect((await call('POST', '/api/v1/sigils', deep(25))).status).toBe(201);
  });

  it('answers a 100 000-key object with a 4xx: 413 at the default body limit, 400 when the body limit is raised', async () => {
    const body = wide(100_000);
    expectProblemShape(await call('POST', '/api/v1/sigils', body), 413, 'PAYLOAD_TOO_LARGE');
    const roomyCall = client(roomy.url, jwks.token({ scope: 'sigil:write' }));
    const res = await roomyCall('POST', '/api/v1/sigils', body);
    expectProblemShape(res, 400, 'VALIDATION_FAILED', 'body');
    expect(res.body.detail).toBe('body has more than 10000 keys and elements');
  });

  it('refuses a huge body with 413 and prototype poisoning with 400', async () => {
    expectProblemShape(
      await call('POST', '/api/v1/sigils', `{"data":{"x":"${'y'.repeat(5 * 1024 * 1024)}"}}`),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    const poisoned = await call('POST', '/api/v1/sigils', '{"data":{"__proto__":{"admin":true}}}');
    expectProblemShape(poisoned, 400, 'VALIDATION_FAILED', 'body');
  });

  it('refuses a lone surrogate anywhere in a body with a 400 naming its field, and stores nothing', async () => {
    const reader = client(running.url, jwks.token({ scope: 'sigil:read' }));
    const before = (await reader('GET', '/api/v1/sigils')).body.items.length;
    // Raw JSON text: JSON.stringify would escape the same strings, but spelling them out shows the wire.
    const cases: [string, string, string][] = [
      ['{"data":{"a":"\\ud800"}}', 'data.a', 'is not well-formed'],
      ['{"data":{"list":[1,{"x":"ok \\udc00 tail"}]}}', 'data.list.1.x', 'is not well-formed'],
      ['{"data":{"k\\ud83d":1}}', 'data', 'has a key'],
      ['{"data":{"a":1},"metadata":{"source":"\\ud800"}}', 'metadata.source', 'is not well-formed'],
      ['{"data":{"a":1},"metadata":{"tags":["ok","x\\udfff"]}}', 'metadata.tags.1', 'is not well-formed'],
      ['{"\\udc00":1}', 'body', 'has a key'],
    ];
    for (const [body, field, message] of cases) {
      const res = await call('POST', '/api/v1/sigils', body);
      expectProblemShape(res, 400, 'VALIDATION_FAILED', field);
      expect(res.body.errors).toEqual([{ field, message: expect.stringContaining(message) }]);
    }
    const revoke = await client(running.url, jwks.token({ scope: 'sigil:revoke' }))(
      'POST',
      '/api/v1/sigils/sigil_01JC0000000000000000000000/revoke',
      '{"reason":"\\ud800"}',
    );
    expectProblemShape(revoke, 400, 'VALIDATION_FAILED', 'reason');
    expect((await reader('GET', '/api/v1/sigils')).body.items).toHaveLength(before);

    // An escaped surrogate pair is a well-formed character: accepted, stored and answered as sent.
    const pair = await call('POST', '/api/v1/sigils', '{"data":{"crab":"\\ud83e\\udd80"}}');
    expect(pair.status).toBe(201);
    expect(pair.body.data).toEqual({ crab: '🦀' });
  });

  it('refuses an over-long URL with 400 and over-large headers with a 431 problem', async () => {
    expectProblemShape(
      await call('GET', `/api/v1/sigils?tag=${'x'.repeat(5000)}`),
      400,
      'VALIDATION_FAILED',
      'url',
    );
    const res = await fetch(`${running.url}/health`, { headers: { 'x-filler': 'x'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 431, code: 'VALIDATION_FAILED' });
  });

  it('sends security headers, with a CSP that allows only same-origin scripts', async () => {
    const res = await fetch(`${running.url}/docs`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('answers CORS preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${running.url}/api/v1/sigils`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
