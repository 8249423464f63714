import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { ClassicLevel } from 'classic-level';
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHash,
  checkIntegrity,
  KeyRing,
  keyIdOf,
  signingInput,
  type SigilRecord,
  type SigilRepository,
} from '#sigil';
import { openStore } from '#storage';
import { levelRecordKey } from '#storage/testing';
import { rewrapSigils } from '../../apps/sigil-cli/src/rewrap/rewrap-sigils.js';
import { JwksServer } from '../support/jwks-server.js';
import { CLI } from '../support/processes.js';
import { client, SECRET_A, SECRET_B, startApp, tempDir } from '../support/test-app.js';

const run = promisify(execFile);
const kid = (hex: string) => keyIdOf(Buffer.from(hex, 'hex'));
const KID_A = kid(SECRET_A);
const KID_B = kid(SECRET_B);
const TENANTS = ['acme', 'globex', 'initech'];
const ulid = monotonicFactory();

interface CliResult {
  code: number;
  report: any;
  stdout: string;
  stderr: string;
}

async function all(repo: SigilRepository, tenantId: string): Promise<SigilRecord[]> {
  const out: SigilRecord[] = [];
  let after: string | undefined;
  do {
    const page = await repo.listPage(tenantId, { limit: 200, after });
    out.push(...page.items);
    after = page.nextAfter ?? undefined;
  } while (after);
  return out;
}

/** Every record of the store, by tenant, read with the store closed again afterwards. */
async function snapshot(path: string): Promise<Map<string, SigilRecord[]>> {
  const store = await openStore({ kind: 'leveldb', path });
  const repo = store.repository;
  try {
    const out = new Map<string, SigilRecord[]>();
    for await (const tenantId of repo.tenants()) out.set(tenantId, await all(repo, tenantId));
    return out;
  } finally {
    await store.close();
  }
}

/** The rewrap command as an operator runs it, with the service's environment. */
describe('sigil rewrap (re-sign old sigils so an old secret can be retired)', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;

  const env = (dbPath: string, extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    SIGIL_STORAGE: 'leveldb',
    SIGIL_DB_PATH: dbPath,
    SIGIL_DEV_DIR: `${dir.path}/dev`,
    SPIRAL_EVENT_SECRET: SECRET_B,
    SPIRAL_EVENT_SECRET_PREVIOUS: SECRET_A,
    ...extra,
  });

  const rewrap = (
    dbPath: string,
    args: string[] = [],
    extra: Record<string, string> = {},
  ): Promise<CliResult> =>
    run(process.execPath, [CLI, 'rewrap', '--json', ...args], { env: env(dbPath, extra) }).then(
      ({ stdout, stderr }) => ({ code: 0, report: JSON.parse(stdout), stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        report: error.stdout ? JSON.parse(error.stdout) : null,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );

  /** Real sigils through the API: `perTenant` under A in each tenant, a few revoked; `underB` under B in acme. */
  async function seed(dbPath: string, perTenant: number, underB = 0): Promise<void> {
    let app = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: dbPath,
      SPIRAL_EVENT_SECRET: SECRET_A,
    });
    try {
      for (const tenant of TENANTS) {
        const call = client(app.url, jwks.token({ tenant, scope: 'sigil:admin' }));
        const created = await Promise.all(
          Array.from({ length: perTenant }, (_, i) =>
            call('POST', '/api/v1/sigils', {
              data: { tenant, n: i, note: 'ünïcødé ✓', nested: { list: [1, 2.5, 'x'] } },
              metadata: { source: `src-${i % 3}`, tags: [`t${i % 4}`] },
              ...(i % 5 === 0 ? { expiresAt: new Date(Date.now() + 86_400_000).toISOString() } : {}),
            }),
          ),
        );
        for (const res of created) expect(res.status).toBe(201);
        for (const res of created.slice(0, 2)) {
          await call('POST', `/api/v1/sigils/${res.body.id}/revoke`, { reason: 'rewrap test' });
        }
      }
    } finally {
      await app.close();
    }
    if (underB === 0) return;
    app = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: dbPath,
      SPIRAL_EVENT_SECRET: SECRET_B,
      SPIRAL_EVENT_SECRET_PREVIOUS: SECRET_A,
    });
    try {
      const call = client(app.url, jwks.token({ tenant: 'acme', scope: 'sigil:admin' }));
      for (let i = 0; i < underB; i++) {
        const res = await call('POST', '/api/v1/sigils', { data: { era: 'B', i } });
        expect(res.body.kid).toBe(KID_B);
      }
    } finally {
      await app.close();
    }
  }

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir('sigil-rewrap-');
  });
  afterAll(async () => {
    await jwks.close();
    await dir?.remove();
  });

  it('re-signs every old sigil; with the old secret dropped, every sigil verifies under the new kid', async () => {
    const dbPath = `${dir.path}/full`;
    await seed(dbPath, 20, 5);
    const before = await snapshot(dbPath);
    const total = [...before.values()].reduce((n, records) => n + records.length, 0);
    expect(total).toBe(TENANTS.length * 20 + 5);

    // A dry run counts and writes nothing.
    const dry = await rewrap(dbPath, ['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.report).toMatchObject({
      dryRun: true,
      activeKid: KID_B,
      scanned: total,
      rewrapped: TENANTS.length * 20,
      alreadyActive: 5,
      skippedTampered: 0,
      skippedUnknownKey: 0,
      raced: 0,
      ok: true,
    });
    expect(await snapshot(dbPath)).toEqual(before);

    const { code, report, stderr } = await rewrap(dbPath);
    expect(code, stderr).toBe(0);
    expect(report).toMatchObject({
      dryRun: false,
      activeKid: KID_B,
      fromKid: null,
      scanned: total,
      rewrapped: TENANTS.length * 20,
      alreadyActive: 5,
      skippedTampered: 0,
      skippedUnknownKey: 0,
      raced: 0,
      skipped: [],
      tenants: TENANTS.length,
      ok: true,
    });

    // Only kid, signature and authHash changed, byte for byte; the new signature is B's.
    const after = await snapshot(dbPath);
    const onlyB = new KeyRing(SECRET_B);
    for (const [tenantId, records] of before) {
      const now = after.get(tenantId) ?? [];
      expect(now.map((r) => r.id)).toEqual(records.map((r) => r.id));
      for (const [i, old] of records.entries()) {
        const signature = onlyB.sign(KID_B, tenantId, signingInput(old));
        const expected = { ...old, kid: KID_B, signature, authHash: authHash(old.id, signature) };
        expect(JSON.stringify(now[i])).toBe(JSON.stringify(old.kid === KID_B ? old : expected));
        expect(checkIntegrity(now[i], tenantId, onlyB)).toBeNull();
      }
    }

    // The service with only B: every sigil verifies (revoked ones report revoked, not tampered).
    const app = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: dbPath,
      SPIRAL_EVENT_SECRET: SECRET_B,
    });
    try {
      expect(
        (await client(app.url, jwks.token({ scope: 'sigil:admin' }))('GET', '/api/v1/keys')).body,
      ).toEqual({
        activeKid: KID_B,
        verifyOnlyKids: [],
      });
      for (const [tenantId, records] of after) {
        const call = client(app.url, jwks.token({ tenant: tenantId, scope: 'sigil:admin' }));
        for (const record of records) {
          const verified = (await call('POST', '/api/v1/sigils/verify', { id: record.id })).body;
          expect(verified, record.id).toMatchObject({
            valid: record.revokedAt === null,
            reason: record.revokedAt === null ? 'ok' : 'revoked',
            kid: KID_B,
          });
          expect((await call('GET', `/api/v1/sigils/${record.id}`)).body).toEqual(record);
        }
      }
    } finally {
      await app.close();
    }

    // Running again finds nothing left to do.
    const again = await rewrap(dbPath);
    expect(again.code).toBe(0);
    expect(again.report).toMatchObject({ scanned: total, rewrapped: 0, alreadyActive: total, ok: true });
  });

  it('resumes after an interruption: the second run re-signs exactly what the first left', async () => {
    const dbPath = `${dir.path}/interrupted`;
    await seed(dbPath, 2);
    // Bulk up the store with valid sigils under A, cloned from real ones under fresh ids.
    const ringA = new KeyRing(SECRET_A);
    const store = await openStore({ kind: 'leveldb', path: dbPath, sync: false });
    const repo = store.repository;
    const PER_TENANT = 2000;
    try {
      for (const tenantId of TENANTS) {
        const [template] = await all(repo, tenantId);
        for (let i = 0; i < PER_TENANT; i++) {
          const id = `sigil_${ulid()}`;
          const clone = { ...template, id, revokedAt: null, revokedBy: null, revocationReason: null };
          const signature = ringA.sign(KID_A, tenantId, signingInput(clone));
          await repo.restore(tenantId, { ...clone, signature, authHash: authHash(id, signature) });
        }
      }
    } finally {
      await store.close();
    }
    const total = TENANTS.length * (PER_TENANT + 2);

    // Kill the first run (as a crash or Ctrl-C would) once its progress passes 10 %.
    const first = spawn(process.execPath, [CLI, 'rewrap'], {
      env: env(dbPath),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => first.on('exit', () => resolve()));
    let progress = '';
    await new Promise<void>((resolve, reject) => {
      first.stderr.on('data', (chunk: Buffer) => {
        progress += chunk.toString();
        if (/rewrapping: \d+\/\d+ \(\d+%\)/.test(progress)) resolve();
      });
      void exited.then(() => reject(new Error(`rewrap exited before any progress: ${progress}`)));
    });
    first.kill('SIGKILL');
    await exited;

    const partial = await snapshot(dbPath);
    const done = [...partial.values()].flat().filter((r) => r.kid === KID_B).length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(total);

    const { code, report, stderr } = await rewrap(dbPath);
    expect(code, stderr).toBe(0);
    expect(report).toMatchObject({
      scanned: total,
      rewrapped: total - done,
      alreadyActive: done,
      skippedTampered: 0,
      raced: 0,
      ok: true,
    });
    const onlyB = new KeyRing(SECRET_B);
    for (const [tenantId, records] of await snapshot(dbPath)) {
      for (const record of records) expect(checkIntegrity(record, tenantId, onlyB)).toBeNull();
    }
  });

  it('never re-signs a tampered record or one under an unknown kid: skips, reports, exits 1', async () => {
    const dbPath = `${dir.path}/tampered`;
    await seed(dbPath, 4);
    const before = await snapshot(dbPath);
    const [dataEdited, tagEdited] = before.get('acme')!;
    const [unknownKid] = before.get('globex')!;

    // Hand edits with the store closed, as an attacker with disk access would make them.
    const db = new ClassicLevel<string, string>(dbPath, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const edits: [string, SigilRecord][] = [
      ['acme', { ...dataEdited, data: { ...dataEdited.data, n: 999 } }],
      ['acme', { ...tagEdited, metadata: { ...tagEdited.metadata, tags: ['forged'] } }],
      ['globex', { ...unknownKid, kid: 'deadbeef' }],
    ];
    for (const [tenantId, record] of edits) {
      await db.put(levelRecordKey(tenantId, record.id), JSON.stringify(record));
    }
    await db.close();

    const { code, report, stdout } = await rewrap(dbPath);
    expect(code).toBe(1);
    expect(report).toMatchObject({
      scanned: TENANTS.length * 4,
      rewrapped: TENANTS.length * 4 - 3,
      skippedTampered: 2,
      skippedUnknownKey: 1,
      raced: 0,
      ok: false,
    });
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { tenantId: 'acme', id: dataEdited.id, kid: KID_A, problem: 'digest_mismatch' },
        { tenantId: 'acme', id: tagEdited.id, kid: KID_A, problem: 'signature_mismatch' },
        { tenantId: 'globex', id: unknownKid.id, kid: 'deadbeef', problem: 'unknown_key' },
      ]),
    );
    expect(report.skipped).toHaveLength(3);
    expect(stdout).not.toMatch(/forged|999/);

    // The skipped records are exactly as they were (still failing); everything else moved to B.
    const after = await snapshot(dbPath);
    const skippedIds = new Set([dataEdited.id, tagEdited.id, unknownKid.id]);
    for (const [tenantId, record] of edits) {
      expect(after.get(tenantId)!.find((r) => r.id === record.id)).toEqual(record);
    }
    const others = [...after.values()].flat().filter((r) => !skippedIds.has(r.id));
    expect(others.every((r) => r.kid === KID_B)).toBe(true);

    // The human-readable report names them too.
    const text = await run(process.execPath, [CLI, 'rewrap'], { env: env(dbPath) }).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect((text as { code?: number }).code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`TAMPERED acme/${dataEdited.id}`));
    expect(text.stdout).toMatch(new RegExp(`UNKNOWN KEY globex/${unknownKid.id}`));
    expect(text.stdout).toMatch(/rewrapped 0, already active 9/);
    expect(text.stdout).toMatch(/result: FAILED/);
  });
});

describe('rewrapSigils (in process)', () => {
  const memoryStore = async () => (await openStore({ kind: 'memory' })).repository;
  const SECRET_C = 'c1'.repeat(32);
  const KID_C = kid(SECRET_C);
  const ring = new KeyRing(SECRET_B, [SECRET_A, SECRET_C]);

  function signed(tenantId: string, secretKid: string, n: number): SigilRecord {
    const id = `sigil_${ulid()}`;
    const base: SigilRecord = {
      id,
      tenantId,
      kid: secretKid,
      signature: '',
      authHash: '',
      // sha256 of the canonical JSON of {} (the digest the service computes for empty data).
      dna: {
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        resonancePattern: Array.from({ length: 16 }, (_, i) => ((i + n) % 16) / 16),
      },
      data: {},
      consciousnessState: { phi: 0.5, coherence: 0.5, awareness: 0.5 },
      metadata: { tags: ['x'] },
      createdAt: '2025-01-01T00:00:00.000Z',
      createdBy: 'u',
      expiresAt: null,
      revokedAt: null,
      revokedBy: null,
      revocationReason: null,
      version: 1,
    };
    const signature = ring.sign(secretKid, tenantId, signingInput(base));
    return { ...base, signature, authHash: authHash(id, signature) };
  }

  it('with --from-kid re-signs only that kid and leaves other old kids alone', async () => {
    const repo = await memoryStore();
    const records = [signed('acme', KID_A, 1), signed('acme', KID_C, 2), signed('acme', KID_B, 3)];
    for (const r of records) await repo.create('acme', r);
    for (const r of records) expect(checkIntegrity(r, 'acme', ring)).toBeNull();

    const report = await rewrapSigils(repo, ring, { fromKid: KID_C, dryRun: false });
    expect(report).toMatchObject({ scanned: 3, rewrapped: 1, alreadyActive: 1, otherKid: 1, ok: true });
    expect((await repo.findById('acme', records[0].id))?.kid).toBe(KID_A);
    expect((await repo.findById('acme', records[1].id))?.kid).toBe(KID_B);
    const all = await rewrapSigils(repo, ring, { dryRun: false });
    expect(all).toMatchObject({ scanned: 3, rewrapped: 1, alreadyActive: 2, otherKid: 0, ok: true });
  });

  it('counts a record changed between read and write as raced and leaves it be', async () => {
    const repo = await memoryStore();
    const gone = signed('acme', KID_A, 1);
    const kept = signed('acme', KID_A, 2);
    await repo.create('acme', gone);
    await repo.create('acme', kept);
    // A service request deletes one sigil after the command read it, before its compare-and-set.
    const racing = Object.create(repo) as SigilRepository;
    racing.rewrap = async (tenantId, id, expected, next) => {
      if (id === gone.id) await repo.delete(tenantId, id);
      return repo.rewrap(tenantId, id, expected, next);
    };
    const report = await rewrapSigils(racing, ring, { dryRun: false });
    expect(report).toMatchObject({ scanned: 2, rewrapped: 1, raced: 1, ok: true });
    await expect(repo.findById('acme', gone.id)).resolves.toBeNull();
    expect((await repo.findById('acme', kept.id))?.kid).toBe(KID_B);
  });
});
