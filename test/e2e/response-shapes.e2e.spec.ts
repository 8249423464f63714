/**
 * Every response shape, pinned key by key, and proof that the whitelisting mappers stand between the
 * store and the wire: fields smuggled into a stored record (top level and nested) never come back.
 */
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelRecordKey } from '#storage/testing';
import { JwksServer } from '../support/jwks-server.js';
import { client, startApp, tempDir, type Call, type RunningApp } from '../support/test-app.js';

const SIGIL_KEYS = [
  'authHash',
  'consciousnessState',
  'createdAt',
  'createdBy',
  'data',
  'dna',
  'expiresAt',
  'id',
  'kid',
  'metadata',
  'revocationReason',
  'revokedAt',
  'revokedBy',
  'signature',
  'tenantId',
  'version',
];
const SUMMARY_KEYS = SIGIL_KEYS.filter((k) => k !== 'data');

const keysOf = (value: unknown) => Object.keys(value as object).sort();

describe('response shapes', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let running: RunningApp | undefined;
  let admin: Call;

  const start = async () => {
    running = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: `${dir.path}/db`,
      SIGIL_BACKUP_DIR: `${dir.path}/backups`,
    });
    admin = client(running.url, jwks.token({ scope: 'sigil:admin', sub: 'admin' }));
  };

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir('sigil-shapes-');
    await start();
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
    await dir?.remove();
  });

  const encodeFull = async () => {
    const res = await admin('POST', '/api/v1/sigils', {
      data: { subject: 'shapes', nested: { a: [1, 2] } },
      consciousnessState: { phi: 2, coherence: 0.4, awareness: 0.6, resonance: 0.9 },
      metadata: { source: 'shape-test', version: '1.0.0', tags: ['x', 'y'] },
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };

  it('encode, decode and revoke answer the whole sigil and nothing else', async () => {
    const sigil = await encodeFull();
    expect(keysOf(sigil)).toEqual(SIGIL_KEYS);
    expect(keysOf(sigil.dna)).toEqual(['digest', 'resonancePattern']);
    expect(keysOf(sigil.consciousnessState)).toEqual(['awareness', 'coherence', 'phi', 'resonance']);
    expect(keysOf(sigil.metadata)).toEqual(['source', 'tags', 'version']);
    expect(sigil.data).toEqual({ subject: 'shapes', nested: { a: [1, 2] } });

    const decoded = await admin('GET', `/api/v1/sigils/${sigil.id}`);
    expect(decoded.body).toEqual(sigil);
    expect(keysOf(decoded.body)).toEqual(SIGIL_KEYS);

    const revoked = await admin('POST', `/api/v1/sigils/${sigil.id}/revoke`, { reason: 'shape' });
    expect(keysOf(revoked.body)).toEqual(SIGIL_KEYS);
    expect(revoked.body).toMatchObject({ revokedBy: 'admin', revocationReason: 'shape' });
  });

  it('defaults leave out what was not given: no resonance, empty metadata', async () => {
    const res = await admin('POST', '/api/v1/sigils', { data: { minimal: true } });
    expect(keysOf(res.body.consciousnessState)).toEqual(['awareness', 'coherence', 'phi']);
    expect(res.body.metadata).toEqual({});
    expect(res.body.expiresAt).toBeNull();
  });

  it('list items are summaries without data; the page has items and nextCursor', async () => {
    const page = await admin('GET', '/api/v1/sigils?limit=1');
    expect(keysOf(page.body)).toEqual(['items', 'nextCursor']);
    expect(page.body.items).toHaveLength(1);
    expect(keysOf(page.body.items[0])).toEqual(SUMMARY_KEYS);
  });

  it('verify, match and keys answer exactly their documented fields', async () => {
    const sigil = await encodeFull();
    const verdict = await admin('POST', '/api/v1/sigils/verify', { id: sigil.id });
    expect(keysOf(verdict.body)).toEqual(['checkedAt', 'kid', 'reason', 'sigilId', 'valid']);

    const matches = await admin('POST', '/api/v1/sigils/match', { sigilId: sigil.id, threshold: 0 });
    expect(keysOf(matches.body)).toEqual(['matches']);
    expect(matches.body.matches.length).toBeGreaterThan(0);
    for (const hit of matches.body.matches) expect(keysOf(hit)).toEqual(['sigilId', 'similarity']);

    const keys = await admin('GET', '/api/v1/keys');
    expect(keys.status).toBe(200);
    expect(keysOf(keys.body)).toEqual(['activeKid', 'verifyOnlyKids']);
  });

  it('an online backup reports name, path, counts and the snapshot instant', async () => {
    const backup = await admin('POST', '/api/v1/admin/backups');
    expect(backup.status, backup.text).toBe(201);
    expect(keysOf(backup.body)).toEqual(['durationMs', 'keys', 'name', 'path', 'sigils', 'takenAt']);
  });

  it('never sends a field the store holds beyond the documented ones', async () => {
    const sigil = await encodeFull();
    await running!.close();
    running = undefined;
    const db = new ClassicLevel<string, string>(`${dir.path}/db`, {
      keyEncoding: 'utf8',
      valueEncoding: 'utf8',
    });
    const key = levelRecordKey(sigil.tenantId, sigil.id);
    const stored = JSON.parse((await db.get(key))!);
    stored.internalNote = 'operator only';
    stored.dna.pepper = 'x';
    stored.consciousnessState.hidden = 1;
    stored.metadata.secretTag = 'y';
    await db.put(key, JSON.stringify(stored));
    await db.close();
    await start();

    const decoded = await admin('GET', `/api/v1/sigils/${sigil.id}`);
    expect(decoded.status).toBe(200);
    expect(keysOf(decoded.body)).toEqual(SIGIL_KEYS);
    expect(keysOf(decoded.body.dna)).toEqual(['digest', 'resonancePattern']);
    expect(keysOf(decoded.body.consciousnessState)).toEqual(['awareness', 'coherence', 'phi', 'resonance']);
    expect(keysOf(decoded.body.metadata)).toEqual(['source', 'tags', 'version']);
    expect(decoded.text).not.toMatch(/operator only|pepper|hidden|secretTag/);

    const listed = await admin('GET', '/api/v1/sigils?limit=200');
    const item = listed.body.items.find((i: { id: string }) => i.id === sigil.id);
    expect(keysOf(item)).toEqual(SUMMARY_KEYS);
    expect(listed.text).not.toMatch(/operator only|pepper|hidden|secretTag/);
  });
});
