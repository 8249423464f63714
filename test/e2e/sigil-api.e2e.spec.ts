import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '#sigil';
import { JwksServer } from '../support/jwks-server.js';
import {
  client,
  expectProblemShape,
  SECRET_A,
  startApp,
  tempDir,
  type Call,
  type RunningApp,
} from '../support/test-app.js';

const SIGIL_ID = /^sigil_[0-9A-HJKMNP-TV-Z]{26}$/;

/** A request with any method (fetch refuses TRACE), body and headers as received. */
function rawRequest(
  base: string,
  method: string,
  path: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Sigil API over HTTP (LevelDB, JWKS on loopback)', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let running: RunningApp;
  let writer: Call;
  let reader: Call;
  let revoker: Call;
  let admin: Call;
  let otherTenant: Call;
  let anonymous: Call;

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir();
    running = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: `${dir.path}/db`,
      SIGIL_MAX_DATA_BYTES: '2048',
    });
    writer = client(running.url, jwks.token({ scope: 'sigil:write', sub: 'writer' }));
    reader = client(running.url, jwks.token({ scope: 'sigil:read', sub: 'reader' }));
    revoker = client(running.url, jwks.token({ scope: 'sigil:revoke sigil:read', sub: 'revoker' }));
    admin = client(running.url, jwks.token({ scope: 'sigil:admin', sub: 'admin' }));
    otherTenant = client(
      running.url,
      jwks.token({ tenant: 'globex', scope: 'sigil:admin', sub: 'intruder' }),
    );
    anonymous = client(running.url);
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
    await dir?.remove();
  });

  const encode = async (body: Record<string, unknown>, call: Call = writer) => {
    const res = await call('POST', '/api/v1/sigils', body);
    expect(res.status, res.text).toBe(201);
    return res.body;
  };

  describe('encode', () => {
    it('mints a signed sigil with defaults filled in and a Location', async () => {
      const res = await writer('POST', '/api/v1/sigils', { data: { invoice: 'INV-1', amount: 42.5 } });
      expect(res.status).toBe(201);
      const sigil = res.body;
      expect(res.headers.get('location')).toBe(`/api/v1/sigils/${sigil.id}`);
      expect(sigil.id).toMatch(SIGIL_ID);
      expect(sigil).toMatchObject({
        tenantId: 'acme',
        kid: keyIdOf(Buffer.from(SECRET_A, 'hex')),
        data: { invoice: 'INV-1', amount: 42.5 },
        consciousnessState: { phi: 1.618033988749895, coherence: 0.5, awareness: 0.5 },
        metadata: {},
        createdBy: 'writer',
        expiresAt: null,
        revokedAt: null,
        revokedBy: null,
        revocationReason: null,
        version: 1,
      });
      expect(sigil.consciousnessState).not.toHaveProperty('resonance');
      expect(sigil.signature).toMatch(/^[0-9a-f]{64}$/);
      expect(sigil.authHash).toMatch(/^[0-9a-f]{16}$/);
      expect(sigil.dna.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(sigil.dna.resonancePattern).toHaveLength(16);
      expect(sigil.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('keeps given state, metadata and expiry exactly as signed', async () => {
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const sigil = await encode({
        data: { k: 'v' },
        consciousnessState: { phi: 2, coherence: 0.9, awareness: 0.1, resonance: 0.3 },
        metadata: { source: 'billing', version: '1.2.3', tags: ['a', 'b'] },
        expiresAt,
      });
      expect(sigil.consciousnessState).toEqual({ phi: 2, coherence: 0.9, awareness: 0.1, resonance: 0.3 });
      expect(sigil.metadata).toEqual({ source: 'billing', version: '1.2.3', tags: ['a', 'b'] });
      expect(sigil.expiresAt).toBe(expiresAt);
      const verified = await reader('POST', '/api/v1/sigils/verify', { id: sigil.id });
      expect(verified.body).toMatchObject({ valid: true, reason: 'ok' });
    });

    it.each([
      ['an unknown field', { data: { a: 1 }, extra: true }, 'extra'],
      ['missing data', { metadata: {} }, 'data'],
      ['data as an array', { data: [1, 2] }, 'data'],
      ['empty data', { data: {} }, 'data'],
      ['phi out of range', { data: { a: 1 }, consciousnessState: { phi: 11 } }, 'consciousnessState.phi'],
      [
        'coherence not a number',
        { data: { a: 1 }, consciousnessState: { coherence: 'high' } },
        'consciousnessState.coherence',
      ],
      [
        'an unknown nested field',
        { data: { a: 1 }, consciousnessState: { mood: 1 } },
        'consciousnessState.mood',
      ],
      [
        '11 tags',
        { data: { a: 1 }, metadata: { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) } },
        'metadata.tags',
      ],
      ['a 51-char tag', { data: { a: 1 }, metadata: { tags: ['x'.repeat(51)] } }, 'metadata.tags'],
      ['a 101-char source', { data: { a: 1 }, metadata: { source: 'x'.repeat(101) } }, 'metadata.source'],
      ['a non-semver version', { data: { a: 1 }, metadata: { version: 'v1' } }, 'metadata.version'],
      ['a past expiry', { data: { a: 1 }, expiresAt: '2001-01-01T00:00:00.000Z' }, 'expiresAt'],
      ['a non-ISO expiry', { data: { a: 1 }, expiresAt: 'tomorrow' }, 'expiresAt'],
      // Optional members may be left out, never null (the document says absent or of their type).
      ['null tags', { data: { a: 1 }, metadata: { tags: null } }, 'metadata.tags'],
      ['a null metadata', { data: { a: 1 }, metadata: null }, 'metadata'],
      ['a null phi', { data: { a: 1 }, consciousnessState: { phi: null } }, 'consciousnessState.phi'],
      ['a null expiry', { data: { a: 1 }, expiresAt: null }, 'expiresAt'],
    ])('rejects %s with 400 naming the field, and stores nothing', async (_name, body, field) => {
      const before = await reader('GET', '/api/v1/sigils?limit=200');
      const res = await writer('POST', '/api/v1/sigils', body);
      expectProblemShape(res, 400, 'VALIDATION_FAILED', field);
      const after = await reader('GET', '/api/v1/sigils?limit=200');
      expect(after.body.items).toHaveLength(before.body.items.length);
    });

    it('answers 400 for malformed JSON, a non-object body and a JSON null', async () => {
      expectProblemShape(
        await writer('POST', '/api/v1/sigils', '{"data":'),
        400,
        'VALIDATION_FAILED',
        'body',
      );
      for (const body of ['[1,2]', '"text"', 'null', '42']) {
        expectProblemShape(await writer('POST', '/api/v1/sigils', body), 400, 'VALIDATION_FAILED', 'body');
      }
      // Revoke's body is optional, but a JSON null is not "no body".
      const sigil = await encode({ data: { revokeNull: true } });
      expectProblemShape(
        await admin('POST', `/api/v1/sigils/${sigil.id}/revoke`, 'null'),
        400,
        'VALIDATION_FAILED',
        'body',
      );
    });

    it('answers 413 when canonical data exceeds SIGIL_MAX_DATA_BYTES, and when the body exceeds the body limit', async () => {
      expectProblemShape(
        await writer('POST', '/api/v1/sigils', { data: { blob: 'x'.repeat(3000) } }),
        413,
        'PAYLOAD_TOO_LARGE',
        'data',
      );
      const huge = JSON.stringify({ data: { blob: 'x'.repeat(2 * 1024 * 1024) } });
      expectProblemShape(await writer('POST', '/api/v1/sigils', huge), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 415 for a body that is not JSON', async () => {
      const res = await writer('POST', '/api/v1/sigils', 'data=1', { 'content-type': 'text/plain' });
      expectProblemShape(res, 415, 'VALIDATION_FAILED', 'content-type');
    });

    it('accepts JSON with media-type parameters, as many HTTP libraries send it', async () => {
      for (const type of [
        'application/json; charset=utf-8',
        'application/json;charset=UTF-8',
        'Application/JSON',
      ]) {
        const res = await writer('POST', '/api/v1/sigils', JSON.stringify({ data: { type } }), {
          'content-type': type,
        });
        expect(res.status, `${type}: ${res.text}`).toBe(201);
      }
      const res = await writer('POST', '/api/v1/sigils', '{"data":{"a":1}}', {
        'content-type': 'application/jsonx',
      });
      expectProblemShape(res, 415, 'VALIDATION_FAILED', 'content-type');
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the same sigil for the same key and body, and 409s for another body', async () => {
      const body = { data: { order: 7 } };
      const first = await writer('POST', '/api/v1/sigils', body, { 'idempotency-key': 'order-7' });
      const again = await writer('POST', '/api/v1/sigils', body, { 'idempotency-key': 'order-7' });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const conflict = await writer(
        'POST',
        '/api/v1/sigils',
        { data: { order: 8 } },
        { 'idempotency-key': 'order-7' },
      );
      expectProblemShape(conflict, 409, 'CONFLICT');
    });

    it('scopes keys to the principal, and rejects a malformed key', async () => {
      const body = { data: { order: 9 } };
      const mine = await writer('POST', '/api/v1/sigils', body, { 'idempotency-key': 'shared-key' });
      const theirs = await admin('POST', '/api/v1/sigils', body, { 'idempotency-key': 'shared-key' });
      expect(theirs.body.id).not.toBe(mine.body.id);
      const bad = await writer('POST', '/api/v1/sigils', body, { 'idempotency-key': 'x'.repeat(256) });
      expectProblemShape(bad, 400, 'VALIDATION_FAILED', 'Idempotency-Key');
    });
  });

  describe('decode and verify', () => {
    it('decodes with data, and 404s for missing and malformed ids', async () => {
      const sigil = await encode({ data: { hello: 'world' } });
      const res = await reader('GET', `/api/v1/sigils/${sigil.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(sigil);
      expectProblemShape(
        await reader('GET', '/api/v1/sigils/sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P'),
        404,
        'NOT_FOUND',
      );
      expectProblemShape(await reader('GET', '/api/v1/sigils/not-an-id'), 404, 'NOT_FOUND');
    });

    it('answers every reason a client can provoke', async () => {
      const sigil = await encode({ data: { amount: 10 } });
      const verify = async (body: Record<string, unknown>) => {
        const res = await reader('POST', '/api/v1/sigils/verify', body);
        expect(res.status).toBe(200);
        return res.body;
      };
      expect(await verify({ id: sigil.id, signature: sigil.signature, data: { amount: 10 } })).toMatchObject({
        valid: true,
        reason: 'ok',
        sigilId: sigil.id,
        kid: sigil.kid,
      });
      expect(await verify({ id: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' })).toMatchObject({
        valid: false,
        reason: 'not_found',
        kid: null,
      });
      expect(await verify({ id: 'garbage' })).toMatchObject({ valid: false, reason: 'not_found' });
      const flipped = (sigil.signature[0] === 'a' ? 'b' : 'a') + sigil.signature.slice(1);
      expect(await verify({ id: sigil.id, signature: flipped })).toMatchObject({
        valid: false,
        reason: 'signature_mismatch',
      });
      expect(await verify({ id: sigil.id, data: { amount: 11 } })).toMatchObject({
        valid: false,
        reason: 'data_mismatch',
      });
      // Key order does not matter: the digest is over canonical JSON.
      const multi = await encode({ data: { b: 2, a: 1 } });
      expect(await verify({ id: multi.id, data: { a: 1, b: 2 } })).toMatchObject({ reason: 'ok' });
      const checked = (await verify({ id: sigil.id })).checkedAt;
      expect(Number.isNaN(Date.parse(checked))).toBe(false);
    });

    it('rejects a malformed verify body with 400', async () => {
      expectProblemShape(await reader('POST', '/api/v1/sigils/verify', {}), 400, 'VALIDATION_FAILED', 'id');
      expectProblemShape(
        await reader('POST', '/api/v1/sigils/verify', { id: 1 }),
        400,
        'VALIDATION_FAILED',
        'id',
      );
      expectProblemShape(
        await reader('POST', '/api/v1/sigils/verify', { id: 'x', data: 'y' }),
        400,
        'VALIDATION_FAILED',
        'data',
      );
    });
  });

  describe('revoke and purge', () => {
    it('revokes idempotently and verify then says revoked', async () => {
      const sigil = await encode({ data: { doomed: true } });
      const first = await revoker('POST', `/api/v1/sigils/${sigil.id}/revoke`, { reason: 'compromised' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        id: sigil.id,
        revokedBy: 'revoker',
        revocationReason: 'compromised',
      });
      expect(first.body.revokedAt).not.toBeNull();
      const second = await revoker('POST', `/api/v1/sigils/${sigil.id}/revoke`, { reason: 'again' });
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      const verified = await reader('POST', '/api/v1/sigils/verify', { id: sigil.id });
      expect(verified.body).toMatchObject({ valid: false, reason: 'revoked' });
    });

    it('revokes without a body, and 404s for a missing sigil', async () => {
      const sigil = await encode({ data: { quiet: true } });
      const res = await revoker('POST', `/api/v1/sigils/${sigil.id}/revoke`);
      expect(res.status).toBe(200);
      expect(res.body.revocationReason).toBeNull();
      expectProblemShape(
        await revoker('POST', '/api/v1/sigils/sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P/revoke', {}),
        404,
        'NOT_FOUND',
      );
      expectProblemShape(
        await revoker('POST', `/api/v1/sigils/${sigil.id}/revoke`, { reason: 7 }),
        400,
        'VALIDATION_FAILED',
        'reason',
      );
    });

    it('purges with admin scope: 204, then gone', async () => {
      const sigil = await encode({ data: { erase: 'me' } });
      const res = await admin('DELETE', `/api/v1/sigils/${sigil.id}`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectProblemShape(await reader('GET', `/api/v1/sigils/${sigil.id}`), 404, 'NOT_FOUND');
      expectProblemShape(await admin('DELETE', `/api/v1/sigils/${sigil.id}`), 404, 'NOT_FOUND');
    });
  });

  describe('scopes', () => {
    it('403s with an insufficient_scope challenge for each operation beyond the token', async () => {
      const sigil = await encode({ data: { scoped: 1 } });
      const cases: [Call, string, string, unknown, string][] = [
        [reader, 'POST', '/api/v1/sigils', { data: { a: 1 } }, 'sigil:write'],
        [reader, 'POST', '/api/consciousness/sigils', { data: { a: 1 } }, 'sigil:write'],
        [reader, 'POST', `/api/v1/sigils/${sigil.id}/revoke`, {}, 'sigil:revoke'],
        [writer, 'POST', `/api/v1/sigils/${sigil.id}/revoke`, {}, 'sigil:revoke'],
        [writer, 'DELETE', `/api/v1/sigils/${sigil.id}`, undefined, 'sigil:admin'],
        [revoker, 'DELETE', `/api/v1/sigils/${sigil.id}`, undefined, 'sigil:admin'],
        [writer, 'GET', '/api/v1/keys', undefined, 'sigil:admin'],
        [revoker, 'POST', '/api/v1/sigils', { data: { a: 1 } }, 'sigil:write'],
      ];
      for (const [call, method, path, body, scope] of cases) {
        const res = await call(method, path, body);
        expectProblemShape(res, 403, 'FORBIDDEN');
        expect(res.headers.get('www-authenticate')).toBe(
          `Bearer realm="sigil-dna", error="insufficient_scope", scope="${scope}"`,
        );
      }
      // write implies read; admin implies everything
      expect((await writer('GET', `/api/v1/sigils/${sigil.id}`)).status).toBe(200);
      expect((await admin('POST', `/api/v1/sigils/${sigil.id}/revoke`, {})).status).toBe(200);
    });
  });

  describe('tenant isolation', () => {
    it('answers 404 (never 403) for another tenant’s sigil on every operation', async () => {
      const sigil = await encode({ data: { secret: 'acme only' } });
      expectProblemShape(await otherTenant('GET', `/api/v1/sigils/${sigil.id}`), 404, 'NOT_FOUND');
      expectProblemShape(
        await otherTenant('POST', `/api/v1/sigils/${sigil.id}/revoke`, {}),
        404,
        'NOT_FOUND',
      );
      expectProblemShape(await otherTenant('DELETE', `/api/v1/sigils/${sigil.id}`), 404, 'NOT_FOUND');
      expectProblemShape(
        await otherTenant('POST', '/api/v1/sigils/match', { sigilId: sigil.id }),
        404,
        'NOT_FOUND',
      );
      const verified = await otherTenant('POST', '/api/v1/sigils/verify', {
        id: sigil.id,
        signature: sigil.signature,
      });
      expect(verified.body).toMatchObject({ valid: false, reason: 'not_found' });
      const listed = await otherTenant('GET', '/api/v1/sigils?limit=200');
      expect(listed.body.items.map((i: { id: string }) => i.id)).not.toContain(sigil.id);
      const matched = await otherTenant('POST', '/api/v1/sigils/match', {
        dnaPattern: sigil.dna.resonancePattern,
        threshold: 0,
      });
      expect(matched.body.matches.map((m: { sigilId: string }) => m.sigilId)).not.toContain(sigil.id);
      // …and the owner still sees it untouched.
      const mine = await reader('POST', '/api/v1/sigils/verify', { id: sigil.id });
      expect(mine.body.reason).toBe('ok');
    });
  });

  describe('list', () => {
    let ids: string[];
    let lister: Call;

    beforeAll(async () => {
      // A tenant of its own so earlier tests' sigils don't interfere with exact expectations.
      const listWriter = client(
        running.url,
        jwks.token({ tenant: 'lists', scope: 'sigil:admin', sub: 'lw' }),
      );
      lister = listWriter;
      ids = [];
      for (let i = 0; i < 7; i++) {
        const res = await listWriter('POST', '/api/v1/sigils', {
          data: { i },
          metadata: { source: i % 2 ? 'odd' : 'even', tags: i < 3 ? ['early'] : ['late'] },
        });
        ids.push(res.body.id);
      }
      await listWriter('POST', `/api/v1/sigils/${ids[1]}/revoke`, {});
      await listWriter('POST', `/api/v1/sigils/${ids[4]}/revoke`, {});
    });

    const all = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await lister('GET', `/api/v1/sigils?${query}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status, res.text).toBe(200);
        for (const item of res.body.items) {
          expect(item).not.toHaveProperty('data');
          seen.push(item.id);
        }
        cursor = res.body.nextCursor;
      } while (cursor);
      return seen;
    };

    it('pages newest first to exhaustion with an opaque cursor', async () => {
      const first = await lister('GET', '/api/v1/sigils?limit=3');
      expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([ids[6], ids[5], ids[4]]);
      expect(typeof first.body.nextCursor).toBe('string');
      expect(await all('limit=3')).toEqual([...ids].reverse());
      expect(await all('limit=200')).toEqual([...ids].reverse());
    });

    it('filters by tag, source and revoked, alone and combined', async () => {
      expect(await all('limit=2&tag=early')).toEqual([ids[2], ids[1], ids[0]]);
      expect(await all('limit=2&source=odd')).toEqual([ids[5], ids[3], ids[1]]);
      expect(await all('limit=2&revoked=true')).toEqual([ids[4], ids[1]]);
      expect(await all('limit=2&revoked=false')).toEqual([ids[6], ids[5], ids[3], ids[2], ids[0]]);
      expect(await all('limit=2&tag=late&source=even&revoked=false')).toEqual([ids[6]]);
      expect(await all('limit=2&tag=none')).toEqual([]);
    });

    it('never repeats or skips an item while others insert between pages', async () => {
      const page1 = await lister('GET', '/api/v1/sigils?limit=3');
      for (let i = 0; i < 3; i++) await lister('POST', '/api/v1/sigils', { data: { late: i } });
      const rest: string[] = [];
      let cursor: string | null = page1.body.nextCursor;
      while (cursor) {
        const res = await lister('GET', `/api/v1/sigils?limit=3&cursor=${cursor}`);
        rest.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor;
      }
      expect([...page1.body.items.map((i: { id: string }) => i.id), ...rest]).toEqual([...ids].reverse());
    });

    it('validates limit, cursor and revoked', async () => {
      expectProblemShape(await lister('GET', '/api/v1/sigils?limit=0'), 400, 'VALIDATION_FAILED', 'limit');
      expectProblemShape(await lister('GET', '/api/v1/sigils?limit=201'), 400, 'VALIDATION_FAILED', 'limit');
      expectProblemShape(await lister('GET', '/api/v1/sigils?limit=ten'), 400, 'VALIDATION_FAILED', 'limit');
      expectProblemShape(
        await lister('GET', '/api/v1/sigils?cursor=bm9wZQ'),
        400,
        'VALIDATION_FAILED',
        'cursor',
      );
      expectProblemShape(
        await lister('GET', '/api/v1/sigils?revoked=maybe'),
        400,
        'VALIDATION_FAILED',
        'revoked',
      );
      expectProblemShape(
        await lister('GET', '/api/v1/sigils?colour=red'),
        400,
        'VALIDATION_FAILED',
        'colour',
      );
    });
  });

  describe('match', () => {
    let matcher: Call;
    let base: any;
    let near: any;
    let far: any;

    beforeAll(async () => {
      matcher = client(running.url, jwks.token({ tenant: 'matching', scope: 'sigil:admin' }));
      const mint = async (state: Record<string, number>) =>
        (await matcher('POST', '/api/v1/sigils', { data: { same: 'payload' }, consciousnessState: state }))
          .body;
      base = await mint({ phi: 1.618, coherence: 0.5, awareness: 0.5 });
      near = await mint({ phi: 1.618, coherence: 0.5, awareness: 0.52 });
      far = await mint({ phi: 7.3, coherence: 0.05, awareness: 0.95 });
    });

    it('ranks by cosine similarity, excluding the query sigil, honouring topN and threshold', async () => {
      const res = await matcher('POST', '/api/v1/sigils/match', { sigilId: base.id, threshold: 0 });
      expect(res.status).toBe(200);
      const ids = res.body.matches.map((m: { sigilId: string }) => m.sigilId);
      expect(ids).not.toContain(base.id);
      expect(ids[0]).toBe(near.id);
      const sims = res.body.matches.map((m: { similarity: number }) => m.similarity);
      expect([...sims].sort((a, b) => b - a)).toEqual(sims);
      expect(sims[0]).toBeGreaterThan(0.99);
      const top1 = await matcher('POST', '/api/v1/sigils/match', { sigilId: base.id, threshold: 0, topN: 1 });
      expect(top1.body.matches).toHaveLength(1);
      const strict = await matcher('POST', '/api/v1/sigils/match', { sigilId: base.id, threshold: 0.999999 });
      expect(strict.body.matches.every((m: { similarity: number }) => m.similarity >= 0.999999)).toBe(true);
      expect(strict.body.matches.map((m: { sigilId: string }) => m.sigilId)).not.toContain(far.id);
    });

    it('matches a raw pattern (the identical sigil scores 1) and skips revoked sigils', async () => {
      const res = await matcher('POST', '/api/v1/sigils/match', {
        dnaPattern: near.dna.resonancePattern,
        threshold: 0.5,
      });
      expect(res.body.matches[0]).toEqual({ sigilId: near.id, similarity: 1 });
      await matcher('POST', `/api/v1/sigils/${near.id}/revoke`, {});
      const after = await matcher('POST', '/api/v1/sigils/match', {
        dnaPattern: near.dna.resonancePattern,
        threshold: 0,
      });
      expect(after.body.matches.map((m: { sigilId: string }) => m.sigilId)).not.toContain(near.id);
    });

    it('validates the request', async () => {
      expectProblemShape(await matcher('POST', '/api/v1/sigils/match', {}), 400, 'VALIDATION_FAILED');
      expectProblemShape(
        await matcher('POST', '/api/v1/sigils/match', { sigilId: base.id, threshold: null }),
        400,
        'VALIDATION_FAILED',
        'threshold',
      );
      expectProblemShape(
        await matcher('POST', '/api/v1/sigils/match', { sigilId: '' }),
        400,
        'VALIDATION_FAILED',
        'sigilId',
      );
      expectProblemShape(
        await matcher('POST', '/api/v1/sigils/match', { dnaPattern: new Array(15).fill(0.5) }),
        400,
        'VALIDATION_FAILED',
        'dnaPattern',
      );
      expectProblemShape(
        await matcher('POST', '/api/v1/sigils/match', {
          dnaPattern: base.dna.resonancePattern,
          sigilId: base.id,
        }),
        400,
        'VALIDATION_FAILED',
        'dnaPattern',
      );
      expectProblemShape(
        await matcher('POST', '/api/v1/sigils/match', { sigilId: base.id, topN: 101 }),
        400,
        'VALIDATION_FAILED',
        'topN',
      );
      expectProblemShape(
        await matcher('POST', '/api/v1/sigils/match', { sigilId: base.id, threshold: 2 }),
        400,
        'VALIDATION_FAILED',
        'threshold',
      );
      expectProblemShape(
        await matcher('POST', '/api/v1/sigils/match', { sigilId: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' }),
        404,
        'NOT_FOUND',
      );
    });
  });

  describe('keys, health, docs and unknown routes', () => {
    it('shows the key ring to admins only, without secrets', async () => {
      const res = await admin('GET', '/api/v1/keys');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ activeKid: keyIdOf(Buffer.from(SECRET_A, 'hex')), verifyOnlyKids: [] });
      expect(res.text).not.toContain(SECRET_A);
    });

    it('serves health, liveness and readiness without a token', async () => {
      expect(await anonymous('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await anonymous('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
      const ready = await anonymous('GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.details.storage.status).toBe('up');
    });

    it('serves Swagger UI and the OpenAPI document', async () => {
      const ui = await anonymous('GET', '/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger');
      const doc = await anonymous('GET', '/docs-json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/v1/sigils', '/api/v1/sigils/verify']),
      );
    });

    it('answers unknown routes with 404 and a known path with the wrong method with 405 and Allow', async () => {
      expectProblemShape(await anonymous('GET', '/nope'), 404, 'NOT_FOUND');
      expectProblemShape(await anonymous('PUT', '/nope'), 404, 'NOT_FOUND');

      const patch = await reader('PATCH', '/api/v1/sigils');
      expectProblemShape(patch, 405, 'NOT_FOUND');
      expect(patch.headers.get('allow')).toBe('GET, HEAD, POST');
      const put = await anonymous('PUT', '/api/v1/sigils/sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P');
      expectProblemShape(put, 405, 'NOT_FOUND');
      expect(put.headers.get('allow')).toBe('DELETE, GET, HEAD');
      // fetch refuses TRACE; Node's http client sends anything (QUERY with no Content-Type included).
      for (const method of ['TRACE', 'QUERY']) {
        const res = await rawRequest(running.url, method, '/api/v1/sigils/sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P');
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe('DELETE, GET, HEAD');
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(res.body)).toMatchObject({ status: 405, code: 'NOT_FOUND' });
      }
      const health = await anonymous('DELETE', '/health');
      expectProblemShape(health, 405, 'NOT_FOUND');
      expect(health.headers.get('allow')).toBe('GET, HEAD');
      // The verify resource answers POST only, although GET /api/v1/sigils/:id would match its path.
      const getVerify = await reader('GET', '/api/v1/sigils/verify');
      expectProblemShape(getVerify, 405, 'NOT_FOUND');
      expect(getVerify.headers.get('allow')).toBe('POST');

      const options = await anonymous('OPTIONS', '/api/v1/sigils/match');
      expect(options.status).toBe(204);
      expect(options.headers.get('allow')).toBe('POST, OPTIONS');
    });

    it('answers router refusals (an over-long path segment, a malformed URL) with a problem', async () => {
      const long = await reader('GET', `/api/v1/sigils/${'a'.repeat(201)}`);
      expectProblemShape(long, 414, 'VALIDATION_FAILED', 'path');
      expect(long.headers.get('x-content-type-options')).toBe('nosniff');
      expectProblemShape(await reader('GET', `/api/v1/sigils/${'a'.repeat(200)}`), 404, 'NOT_FOUND');
      expectProblemShape(await reader('GET', '/api/v1/sigils/%E0%A4%A'), 400, 'VALIDATION_FAILED', 'url');
    });

    it('echoes a sane x-request-id and replaces an unsafe one', async () => {
      const echoed = await anonymous('GET', '/api/v1/sigils', undefined, { 'x-request-id': 'trace-123' });
      expect(echoed.headers.get('x-request-id')).toBe('trace-123');
      expect(echoed.body.requestId).toBe('trace-123');
      const replaced = await anonymous('GET', '/api/v1/sigils', undefined, {
        'x-request-id': 'bad id <script>',
      });
      expect(replaced.headers.get('x-request-id')).not.toBe('bad id <script>');
    });
  });
});
