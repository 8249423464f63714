import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '#metrics';
import { JwksServer } from '../support/jwks-server.js';
import { client, expectProblemShape, startApp, tempDir, type RunningApp } from '../support/test-app.js';

const TYPES: Record<string, 'counter' | 'histogram' | 'gauge'> = {
  [METRICS.httpRequests]: 'counter',
  [METRICS.httpDuration]: 'histogram',
  [METRICS.encodes]: 'counter',
  [METRICS.encodeDuration]: 'histogram',
  [METRICS.verifies]: 'counter',
  [METRICS.verifyDuration]: 'histogram',
  [METRICS.revokes]: 'counter',
  [METRICS.errors]: 'counter',
  [METRICS.storageWrite]: 'histogram',
  [METRICS.storageRead]: 'histogram',
  [METRICS.authFailures]: 'counter',
  [METRICS.rateLimited]: 'counter',
  [METRICS.rateLimitBackend]: 'gauge',
  [METRICS.rateLimitBackendChanges]: 'counter',
  [METRICS.ready]: 'gauge',
  [METRICS.readinessCheck]: 'gauge',
  [METRICS.diskFreeRatio]: 'gauge',
  [METRICS.memoryLimit]: 'gauge',
};

describe('Readiness and metrics', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let running: RunningApp;
  let scrape: () => Promise<string>;

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir();
    running = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: `${dir.path}/db`,
      METRICS_TOKEN: 'scrape-secret-1234',
    });
    scrape = async () => (await client(running.url, 'scrape-secret-1234')('GET', '/metrics')).text;
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
    await dir?.remove();
  });

  it('reports every readiness check, each up, and exports the result', async () => {
    const res = await client(running.url)('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    for (const check of ['lifecycle', 'storage', 'signing', 'rateLimit', 'disk', 'heap']) {
      expect(res.body.details[check]?.status, check).toBe('up');
    }
    expect(res.body.details.storage.kind).toBe('leveldb');
    expect(res.body.details.disk.freeRatio).toBeGreaterThan(0);
    const metrics = await scrape();
    expect(metrics).toMatch(/^sigil_ready 1$/m);
    expect(metrics).toMatch(/^sigil_readiness_check\{check="signing"\} 1$/m);
    expect(metrics).toMatch(/^sigil_disk_free_ratio 0\.\d+/m);
    expect(metrics).toMatch(/^sigil_memory_limit_bytes \d+/m);
  });

  it('protects /metrics with METRICS_TOKEN', async () => {
    expectProblemShape(await client(running.url)('GET', '/metrics'), 401, 'UNAUTHORIZED');
    expectProblemShape(await client(running.url, 'wrong')('GET', '/metrics'), 401, 'UNAUTHORIZED');
    const ok = await client(running.url, 'scrape-secret-1234')('GET', '/metrics');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
  });

  it('records HTTP, domain, error and storage metrics with bounded labels', async () => {
    const call = client(running.url, jwks.token({ tenant: 'tenant-label-leak-check', scope: 'sigil:admin' }));
    const sigil = (await call('POST', '/api/v1/sigils', { data: { observed: true } })).body;
    await call('GET', `/api/v1/sigils/${sigil.id}`);
    await call('POST', '/api/v1/sigils/verify', { id: sigil.id });
    await call('POST', '/api/v1/sigils/verify', { id: sigil.id, data: { observed: false } });
    await call('POST', '/api/v1/sigils/match', { sigilId: sigil.id, threshold: 0 });
    await call('GET', '/api/v1/sigils?limit=5');
    await call('POST', `/api/v1/sigils/${sigil.id}/revoke`, {});
    await call('GET', '/api/v1/sigils/sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P');
    await call('POST', '/api/v1/sigils', { data: {} });
    await client(running.url)('GET', `/no/such/route/${sigil.id}`);

    const metrics = await scrape();
    for (const [name, type] of Object.entries(TYPES))
      expect(metrics, name).toContain(`# TYPE ${name} ${type}`);
    expect(metrics).toMatch(/^sigil_encode_total [1-9]/m);
    expect(metrics).toMatch(/^sigil_encode_duration_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^sigil_verify_total\{result="ok"\} [1-9]/m);
    expect(metrics).toMatch(/^sigil_verify_total\{result="data_mismatch"\} [1-9]/m);
    expect(metrics).toMatch(/^sigil_revoke_total [1-9]/m);
    expect(metrics).toMatch(
      /^http_requests_total\{method="GET",route="\/api\/v1\/sigils\/:id",status="200"\} [1-9]/m,
    );
    expect(metrics).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/m);
    expect(metrics).toMatch(
      /^http_request_duration_seconds_bucket\{le="0\.1",method="POST",route="\/api\/v1\/sigils\/verify"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^sigil_error_total\{operation="GET \/api\/v1\/sigils\/:id",code="NOT_FOUND"\} [1-9]/m,
    );
    expect(metrics).toMatch(
      /^sigil_error_total\{operation="POST \/api\/v1\/sigils",code="VALIDATION_FAILED"\} [1-9]/m,
    );
    expect(metrics).toMatch(/^sigil_error_total\{operation="GET unmatched",code="NOT_FOUND"\} [1-9]/m);
    for (const op of ['create', 'revoke'])
      expect(metrics).toMatch(
        new RegExp(`^sigil_storage_write_seconds_count\\{operation="${op}"\\} [1-9]`, 'm'),
      );
    for (const op of ['find', 'list', 'match'])
      expect(metrics).toMatch(
        new RegExp(`^sigil_storage_read_seconds_count\\{operation="${op}"\\} [1-9]`, 'm'),
      );
    // No unbounded label values: no sigil ids, no tenant ids, no raw URLs.
    expect(metrics).not.toContain(sigil.id);
    expect(metrics).not.toContain('tenant-label-leak-check');
    expect(metrics).not.toContain('/no/such/route');
  });
});

describe('Readiness thresholds', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let running: RunningApp;

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir();
    // No real volume here is 99 % free: the disk check must fail and readiness with it.
    running = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: `${dir.path}/db`,
      SIGIL_DISK_MIN_FREE_PERCENT: '99',
    });
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
    await dir?.remove();
  });

  it('answers 503 with the failing check named, while liveness stays 200', async () => {
    const res = await client(running.url)('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('error');
    expect(res.body.error.disk).toMatchObject({
      status: 'down',
      minFreeRatio: 0.99,
      message: 'disk nearly full',
    });
    expect(res.body.details.storage.status).toBe('up');
    expect((await client(running.url)('GET', '/healthz')).status).toBe(200);
    const metrics = (await client(running.url)('GET', '/metrics')).text;
    expect(metrics).toMatch(/^sigil_ready 0$/m);
    expect(metrics).toMatch(/^sigil_readiness_check\{check="disk"\} 0$/m);
  });
});
