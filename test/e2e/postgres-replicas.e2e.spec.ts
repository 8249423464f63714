import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { freePort, spawnService, waitReady, type ServiceProcess } from '../support/processes.js';
import { client, expectProblemShape, SECRET_A } from '../support/test-app.js';

/** Two replicas of the built service, as separate processes, on one Postgres database. */
describe('Replicas on Postgres', () => {
  const jwks = new JwksServer();
  let postgres: PostgresServer;
  const replicas: { url: string; service: ServiceProcess }[] = [];

  beforeAll(async () => {
    await jwks.start();
    postgres = await startPostgres();
    const url = await postgres.createDatabase('replicas');
    // Started together: both run migrations at start, serialised by the advisory lock.
    await Promise.all(
      [0, 1].map(async () => {
        const port = await freePort();
        const service = spawnService({
          SIGIL_PORT: String(port),
          DATABASE_URL: url,
          SPIRAL_EVENT_SECRET: SECRET_A,
          JWT_ISSUER: jwks.issuer,
          JWT_JWKS_URI: jwks.url,
          SIGIL_RATE_LIMIT: '1000000',
          SIGIL_PG_CONNECT_TIMEOUT_MS: '1000',
          SIGIL_PG_STATEMENT_TIMEOUT_MS: '2000',
        });
        await waitReady(`http://127.0.0.1:${port}`, service.exited);
        replicas.push({ url: `http://127.0.0.1:${port}`, service });
      }),
    );
  });
  afterAll(async () => {
    for (const { service } of replicas) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await postgres?.destroy();
    await jwks.close();
  });

  const as = (i: number, scope = 'sigil:admin', sub = 'user-1') =>
    client(replicas[i].url, jwks.token({ scope, sub }));

  it('serves a sigil minted on one replica from the other: decode, verify, list, revoke, match', async () => {
    const created = await as(0)('POST', '/api/v1/sigils', {
      data: { replica: 'A' },
      metadata: { tags: ['ha'] },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await as(1)('GET', `/api/v1/sigils/${id}`)).body).toEqual(created.body);
    expect((await as(1)('POST', '/api/v1/sigils/verify', { id })).body.reason).toBe('ok');
    expect(
      (await as(1)('GET', '/api/v1/sigils?tag=ha')).body.items.map((i: { id: string }) => i.id),
    ).toContain(id);
    const matches = await as(1)('POST', '/api/v1/sigils/match', {
      dnaPattern: created.body.dna.resonancePattern,
      threshold: 0.99,
    });
    expect(matches.body.matches[0]).toEqual({ sigilId: id, similarity: 1 });
    expect((await as(1)('POST', `/api/v1/sigils/${id}/revoke`, { reason: 'cross-replica' })).status).toBe(
      200,
    );
    expect((await as(0)('POST', '/api/v1/sigils/verify', { id })).body.reason).toBe('revoked');
  });

  it('creates exactly one sigil for concurrent requests with one Idempotency-Key on different replicas', async () => {
    const body = { data: { order: 'race-1' } };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        as(i % 2, 'sigil:write', 'racer')('POST', '/api/v1/sigils', body, { 'idempotency-key': 'race-key' }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    const conflict = await as(1, 'sigil:write', 'racer')(
      'POST',
      '/api/v1/sigils',
      { data: { order: 'other' } },
      { 'idempotency-key': 'race-key' },
    );
    expectProblemShape(conflict, 409, 'CONFLICT');
  });

  it('answers 503 STORAGE_UNAVAILABLE while Postgres is down, readiness 503, then recovers without a restart', async () => {
    const before = await as(0)('POST', '/api/v1/sigils', { data: { before: 'outage' } });
    expect(before.status).toBe(201);
    await postgres.stop();
    try {
      for (const i of [0, 1]) {
        const encode = await as(i)('POST', '/api/v1/sigils', { data: { during: 'outage' } });
        expectProblemShape(encode, 503, 'STORAGE_UNAVAILABLE');
        expect(encode.headers.get('retry-after')).toBe('1');
        expectProblemShape(
          await as(i)('GET', `/api/v1/sigils/${before.body.id}`),
          503,
          'STORAGE_UNAVAILABLE',
        );
        const ready = await client(replicas[i].url)('GET', '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body.details.storage.status).toBe('down');
        expect((await client(replicas[i].url)('GET', '/healthz')).status).toBe(200);
      }
    } finally {
      await postgres.restart();
    }
    for (const i of [0, 1]) {
      let ready = 0;
      for (let n = 0; n < 50 && ready !== 200; n++) {
        ready = (await client(replicas[i].url)('GET', '/readyz')).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(200);
      expect((await as(i)('GET', `/api/v1/sigils/${before.body.id}`)).status).toBe(200);
      expect((await as(i)('POST', '/api/v1/sigils', { data: { after: 'outage' } })).status).toBe(201);
    }
  });
});
