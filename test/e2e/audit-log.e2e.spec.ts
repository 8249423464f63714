import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import { client, startApp, type RunningApp } from '../support/test-app.js';

// Its own file on purpose: nestjs-pino keeps one root logger per process, so the log destination of
// the first app a test process builds wins. Vitest runs each file in a fresh worker.
describe('Audit log and redaction', () => {
  const jwks = new JwksServer();
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  let running: RunningApp;

  beforeAll(async () => {
    await jwks.start();
    running = await startApp(
      jwks,
      { LOG_LEVEL: 'info', SIGIL_RATE_LIMIT: '3', SIGIL_ANON_RATE_LIMIT: '100' },
      { quiet: false, logStream: stream },
    );
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
  });
  afterEach(() => stream.emit('drain'));

  it('writes structured audit lines and never a token', async () => {
    const token = jwks.token({ sub: 'auditor', scope: 'sigil:admin' });
    const expired = jwks.token({ sub: 'late', expiresIn: -60 });
    const call = client(running.url, token);
    const created = await call(
      'POST',
      '/api/v1/sigils',
      { data: { audited: true } },
      { 'x-request-id': 'audit-1', cookie: 'session=s3cr3t' },
    );
    await call(
      'POST',
      `/api/v1/sigils/${created.body.id}/revoke`,
      { reason: 'test' },
      { 'x-request-id': 'audit-2' },
    );
    await call('DELETE', `/api/v1/sigils/${created.body.id}`, undefined, { 'x-request-id': 'audit-3' });
    await client(running.url, expired)('GET', '/api/v1/sigils', undefined, { 'x-request-id': 'audit-4' });
    expect((await call('GET', '/api/v1/sigils', undefined, { 'x-request-id': 'audit-5' })).status).toBe(429);
    await new Promise((resolve) => setImmediate(resolve));

    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const audit = (event: string) => entries.filter((e) => e.audit === true && e.event === event);
    expect(audit('keys.loaded')[0]).toMatchObject({ activeKid: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(audit('sigil.revoked')[0]).toMatchObject({
      principal: 'auditor',
      tenantId: 'acme',
      sigilId: created.body.id,
    });
    expect(audit('sigil.purged')[0]).toMatchObject({
      principal: 'auditor',
      tenantId: 'acme',
      sigilId: created.body.id,
    });
    expect(audit('auth.failed')[0]).toMatchObject({ reason: 'expired', requestId: 'audit-4' });
    expect(audit('rate_limit.exceeded')[0]).toMatchObject({
      principal: 'auditor',
      tenantId: 'acme',
      requestId: 'audit-5',
    });
    for (const e of [...audit('sigil.revoked'), ...audit('sigil.purged')])
      expect(e.req).toMatchObject({ id: expect.any(String) });

    // Probe endpoints stay out of the log; API requests each get one line.
    await client(running.url)('GET', '/healthz', undefined, { 'x-request-id': 'probe-1' });
    await client(running.url)('GET', '/readyz', undefined, { 'x-request-id': 'probe-2' });
    await new Promise((resolve) => setImmediate(resolve));
    const probeLines = lines.filter((l) => l.includes('"probe-1"') || l.includes('"probe-2"'));
    expect(probeLines).toEqual([]);
    const requestLine = entries.find(
      (e) => e.msg === 'request completed' && (e.req as { id?: string })?.id === 'audit-1',
    );
    expect(requestLine).toMatchObject({
      route: '/api/v1/sigils',
      res: { statusCode: 201 },
      responseTime: expect.any(Number),
    });

    const all = lines.join('\n');
    for (const secret of [token, expired, token.split('.')[2], expired.split('.')[2], 's3cr3t']) {
      expect(all).not.toContain(secret);
    }
  });
});
