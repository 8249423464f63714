import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import { freePort, spawnService, waitReady, type ServiceProcess } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { client, expectProblemShape, SECRET_A } from '../support/test-app.js';

/** Two replicas as an operator runs them: separate processes, one Redis. */
describe('Rate limits shared through Redis across replicas', () => {
  const jwks = new JwksServer();
  let redis: RedisServer;
  const replicas: { url: string; service: ServiceProcess }[] = [];

  const startReplica = async (redisUrl: string) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = spawnService({
      SIGIL_PORT: String(port),
      SIGIL_STORAGE: 'memory',
      SPIRAL_EVENT_SECRET: SECRET_A,
      JWT_ISSUER: jwks.issuer,
      JWT_JWKS_URI: jwks.url,
      REDIS_URL: redisUrl,
      SIGIL_RATE_LIMIT: '200',
      // Long enough that the whole test runs inside one window.
      SIGIL_RATE_WINDOW: '300',
    });
    await waitReady(url, service.exited);
    const replica = { url, service };
    replicas.push(replica);
    return replica;
  };

  beforeAll(async () => {
    await jwks.start();
    redis = await startRedis();
    await startReplica(redis.url);
    await startReplica(redis.url);
  });
  afterAll(async () => {
    for (const { service } of replicas) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await redis?.stop();
    await jwks.close();
  });

  it('enforces one budget per principal: 200 requests spread over both, the 201st is refused on either', async () => {
    const token = jwks.token({ sub: 'spread', scope: 'sigil:read' });
    const [a, b] = replicas.map((r) => client(r.url, token));
    for (let i = 1; i <= 200; i++) {
      const res = await (i % 2 ? a : b)('GET', '/api/v1/sigils?limit=1');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(200 - i));
    }
    expectProblemShape(await a('GET', '/api/v1/sigils'), 429, 'RATE_LIMITED');
    expectProblemShape(await b('GET', '/api/v1/sigils'), 429, 'RATE_LIMITED');
    const ready = await client(replicas[0].url)('GET', '/readyz');
    expect(ready.body.details.rateLimit).toEqual({ status: 'up', backend: 'redis' });
  });

  it('keeps serving when Redis stops (per-instance limits, readiness degraded), and returns to Redis when it is back', async () => {
    const [first] = replicas;
    const call = client(first.url, jwks.token({ sub: 'through-outage', scope: 'sigil:read' }));
    await redis.stop();
    for (let i = 0; i < 20; i++) {
      const res = await call('GET', '/api/v1/sigils?limit=1');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('200');
    }
    const degraded = await client(first.url)('GET', '/readyz');
    expect(degraded.status).toBe(200);
    expect(degraded.body.details.rateLimit).toMatchObject({ status: 'degraded', backend: 'memory' });
    const metrics = (await client(first.url)('GET', '/metrics')).text;
    expect(metrics).toMatch(/^sigil_rate_limit_backend_changes_total\{to="memory"\} 1$/m);
    expect(metrics).toMatch(/^sigil_rate_limit_backend\{backend="memory"\} 1$/m);
    expect(first.service.output().match(/Redis unavailable/g)).toHaveLength(1);

    await redis.restart();
    let state = '';
    for (let i = 0; i < 100 && state !== 'redis'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      // Traffic or the client's own reconnect brings it back; keep requests flowing meanwhile.
      expect((await call('GET', '/api/v1/sigils?limit=1')).status).toBe(200);
      state = (await client(first.url)('GET', '/readyz')).body.details.rateLimit.backend;
    }
    expect(state).toBe('redis');
    const after = (await client(first.url)('GET', '/metrics')).text;
    expect(after).toMatch(/^sigil_rate_limit_backend_changes_total\{to="redis"\} 1$/m);
    expect(first.service.output().match(/Redis is back/g)).toHaveLength(1);
    expect(first.service.output().match(/Redis unavailable/g)).toHaveLength(1);
  });

  it('starts and serves with Redis unreachable from the outset', async () => {
    const deadPort = await freePort();
    const lonely = await startReplica(`redis://127.0.0.1:${deadPort}`);
    const res = await client(lonely.url, jwks.token({ sub: 'early', scope: 'sigil:read' }))(
      'GET',
      '/api/v1/sigils',
    );
    expect(res.status).toBe(200);
    const ready = await client(lonely.url)('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.details.rateLimit).toMatchObject({ status: 'degraded', backend: 'memory' });
  });
});
