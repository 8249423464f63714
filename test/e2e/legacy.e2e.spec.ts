/**
 * Old clients of /api/consciousness/sigils, replayed as the plain HTTP they sent, against the new
 * service: they must work unchanged. Then what the old system never had: tenancy, idempotency, the
 * deprecation headers on every answer, the legacy-call metric and an exact maintained `total`.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import {
  client,
  expectProblemShape,
  startApp,
  tempDir,
  type Call,
  type RunningApp,
} from '../support/test-app.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const SUNSET = '2027-06-30T00:00:00Z';

/** Sends raw HTTP/1.1 bytes on one connection and parses the answer: what an old client saw. */
async function exchange(
  port: number,
  raw: string,
): Promise<{ status: number; headers: Map<string, string>; body: any }> {
  const text = await new Promise<string>((resolve, reject) => {
    // Written, not ended: the request says `Connection: close`, so the server ends the exchange.
    const socket = connect(port, '127.0.0.1', () => socket.write(raw));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = new Map(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  let payload = rest.join('\r\n\r\n');
  if (headers.get('transfer-encoding') === 'chunked') payload = unchunk(payload);
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: payload ? JSON.parse(payload) : undefined,
  };
}

function unchunk(text: string): string {
  let out = '';
  for (let at = 0; ;) {
    const eol = text.indexOf('\r\n', at);
    const size = parseInt(text.slice(at, eol), 16);
    if (!size) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** An old client's request, byte for byte as it sent it (close-delimited, like its HTTP library did). */
function oldRequest(method: 'GET' | 'POST', token: string, body?: unknown): string {
  const json = body === undefined ? '' : JSON.stringify(body, null, 2);
  return [
    `${method} /api/consciousness/sigils HTTP/1.1`,
    'Host: 127.0.0.1',
    'User-Agent: consciousness-client/1.4.2',
    'Accept: application/json, text/plain, */*',
    `Authorization: Bearer ${token}`,
    ...(body === undefined
      ? []
      : ['Content-Type: application/json;charset=utf-8', `Content-Length: ${Buffer.byteLength(json)}`]),
    'Connection: close',
    '',
    json,
  ].join('\r\n');
}

describe('legacy /api/consciousness/sigils', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let running: RunningApp;
  let port: number;
  let writerToken: string;
  let v1: Call;

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir('sigil-legacy-');
    running = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: `${dir.path}/db`,
      SIGIL_LEGACY_SUNSET: SUNSET,
    });
    port = Number(new URL(running.url).port);
    writerToken = jwks.token({ tenant: 'oldco', scope: 'sigil:write sigil:read', sub: 'old-client' });
    v1 = client(running.url, jwks.token({ tenant: 'oldco', scope: 'sigil:admin', sub: 'admin' }));
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
    await dir?.remove();
  });

  it('serves an old client’s POST and GET exactly as the old system answered them', async () => {
    const body = {
      name: 'aurora',
      level: 3,
      tags: ['a', 'b'],
      nested: { ok: true },
      id: 'client-sent',
      timestamp: 'x',
    };
    const created = await exchange(port, oldRequest('POST', writerToken, body));
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toMatch(/^application\/json/);
    expect(created.body.success).toBe(true);
    const sigil = created.body.sigil;
    // The body's members at the top level, id and timestamp set by the server (as before).
    expect(sigil).toMatchObject({ name: 'aurora', level: 3, tags: ['a', 'b'], nested: { ok: true } });
    expect(sigil.id).toMatch(/^sigil_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(sigil.timestamp).toMatch(ISO);
    expect(Object.keys(sigil)).toEqual(['name', 'level', 'tags', 'nested', 'id', 'timestamp', 'v1']);

    const listed = await exchange(port, oldRequest('GET', writerToken));
    expect(listed.status).toBe(200);
    expect(Object.keys(listed.body).sort()).toEqual(['currentIdentity', 'sigils', 'total']);
    expect(listed.body.total).toBe(1);
    expect(listed.body.sigils).toEqual([sigil]);
    expect(listed.body.currentIdentity).toEqual(sigil);
  });

  it('gives a migrating client what it needs to verify through v1', async () => {
    const { body } = await exchange(port, oldRequest('POST', writerToken, { reading: 42 }));
    const { v1: fields } = body.sigil;
    expect(Object.keys(fields).sort()).toEqual(
      ['authHash', 'createdAt', 'dna', 'href', 'id', 'kid', 'revokedAt', 'signature', 'tenantId'].sort(),
    );
    expect(fields.href).toBe(`/api/v1/sigils/${body.sigil.id}`);
    const verdict = await v1('POST', '/api/v1/sigils/verify', {
      id: fields.id,
      signature: fields.signature,
      data: { reading: 42 },
    });
    expect(verdict.body).toMatchObject({ valid: true, reason: 'ok', kid: fields.kid });
    const decoded = await v1('GET', fields.href);
    expect(decoded.body.data).toEqual({ reading: 42 });
  });

  it('marks every answer deprecated, errors included, and keeps errors problem+json', async () => {
    const ok = await exchange(port, oldRequest('GET', writerToken));
    const unauthorized = await exchange(port, oldRequest('GET', 'not-a-token'));
    const forbidden = await exchange(
      port,
      oldRequest('POST', jwks.token({ tenant: 'oldco', scope: 'sigil:read' }), { a: 1 }),
    );
    const reserved = await exchange(port, oldRequest('POST', writerToken, { v1: 'mine' }));
    const notObject = await exchange(port, oldRequest('POST', writerToken, [1, 2]));
    // JSON.stringify writes the lone surrogate as the escape `\ud800`, as an old client's JSON library would.
    const loneSurrogate = await exchange(port, oldRequest('POST', writerToken, { name: '\ud800' }));
    // Refused before any guard runs: by the body parser, and for a method the path does not serve.
    const badJson = await exchange(
      port,
      // Same length, so Content-Length still holds: `{"a": x}` is not JSON.
      oldRequest('POST', writerToken, { a: 1 }).replace('"a": 1', '"a": x'),
    );
    const wrongMethod = await exchange(port, oldRequest('GET', writerToken).replace(/^GET/, 'PUT'));
    const withQuery = await exchange(
      port,
      oldRequest('GET', writerToken).replace(' HTTP/1.1', '?limit=1 HTTP/1.1'),
    );
    for (const answer of [
      ok,
      unauthorized,
      forbidden,
      reserved,
      notObject,
      loneSurrogate,
      badJson,
      wrongMethod,
      withQuery,
    ]) {
      expect(answer.headers.get('deprecation')).toBe(`@${Date.parse('2026-12-01T00:00:00Z') / 1000}`);
      expect(answer.headers.get('sunset')).toBe(new Date(SUNSET).toUTCString());
      expect(answer.headers.get('link')).toBe('</api/v1/sigils>; rel="successor-version"');
    }
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(forbidden.status).toBe(403);
    expect(reserved.status).toBe(400);
    expect(reserved.body.errors).toEqual([{ field: 'v1', message: expect.stringContaining('reserved') }]);
    expect(notObject.status).toBe(400);
    expect(notObject.body.code).toBe('VALIDATION_FAILED');
    expect(loneSurrogate.status).toBe(400);
    expect(loneSurrogate.body.errors).toEqual([
      { field: 'name', message: expect.stringContaining('well-formed') },
    ]);
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(wrongMethod.status).toBe(405);
    expect(withQuery.status).toBe(200);
  });

  it('keeps tenants apart and answers an unknown tenant with an empty list', async () => {
    const other = client(running.url, jwks.token({ tenant: 'newco', scope: 'sigil:read' }));
    const res = await other('GET', '/api/consciousness/sigils');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sigils: [], total: 0, currentIdentity: null });
  });

  it('honours Idempotency-Key: a retried POST mints once', async () => {
    const writer = client(running.url, writerToken);
    const before = (await writer('GET', '/api/consciousness/sigils')).body.total;
    const key = { 'idempotency-key': 'legacy-retry-1' };
    const first = await writer('POST', '/api/consciousness/sigils', { order: 7 }, key);
    const retry = await writer('POST', '/api/consciousness/sigils', { order: 7 }, key);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.sigil.id).toBe(first.body.sigil.id);
    expect((await writer('GET', '/api/consciousness/sigils')).body.total).toBe(before + 1);
    const conflict = await writer('POST', '/api/consciousness/sigils', { order: 8 }, key);
    expectProblemShape(conflict, 409, 'CONFLICT');
  });

  it('answers the newest 10, newest first, with an exact total under concurrent writes and deletes', async () => {
    const tenant = client(
      running.url,
      jwks.token({ tenant: 'busy', scope: 'sigil:write sigil:read sigil:admin', sub: 'w' }),
    );
    const seeded = await Promise.all(
      Array.from({ length: 30 }, (_, i) => tenant('POST', '/api/consciousness/sigils', { i })),
    );
    const ids = seeded.map((r) => r.body.sigil.id as string);
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => tenant('POST', '/api/consciousness/sigils', { more: i })),
      ...ids.slice(0, 12).map((id) => tenant('DELETE', `/api/v1/sigils/${id}`)),
      ...ids.slice(0, 12).map((id) => tenant('DELETE', `/api/v1/sigils/${id}`)),
    ]);
    const listed = await tenant('GET', '/api/consciousness/sigils');
    expect(listed.body.total).toBe(30 + 20 - 12);
    expect(listed.body.sigils).toHaveLength(10);
    const stamps = listed.body.sigils.map((s: { id: string }) => s.id);
    expect([...stamps].sort().reverse()).toEqual(stamps);
    expect(listed.body.currentIdentity.id).toBe(stamps[0]);
  });

  it('finds a migrated sigil by its old id (the importer’s legacy:<id> tag)', async () => {
    const tagged = await v1('POST', '/api/v1/sigils', {
      data: { migrated: true },
      metadata: { tags: ['legacy', 'legacy:sigil-1700000000000'] },
    });
    await v1('POST', '/api/v1/sigils', { data: { other: true }, metadata: { tags: ['legacy:sigil-17'] } });
    const found = await v1('GET', '/api/v1/sigils?legacyId=sigil-1700000000000');
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { id: string }) => i.id)).toEqual([tagged.body.id]);
    expectProblemShape(
      await v1('GET', '/api/v1/sigils?legacyId=x&tag=y'),
      400,
      'VALIDATION_FAILED',
      'legacyId',
    );
    expectProblemShape(await v1('GET', '/api/v1/sigils?legacyId='), 400, 'VALIDATION_FAILED', 'legacyId');
  });

  it('counts legacy calls per route, from zero', async () => {
    const metrics = await fetch(`${running.url}/metrics`).then((r) => r.text());
    const line = (method: string) =>
      metrics
        .split('\n')
        .find((l) =>
          l.startsWith(`sigil_legacy_requests_total{method="${method}",route="/api/consciousness/sigils"}`),
        );
    expect(Number(line('POST')?.split(' ')[1])).toBeGreaterThan(5);
    expect(Number(line('GET')?.split(' ')[1])).toBeGreaterThan(3);
  });
});
