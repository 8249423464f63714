import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeTime } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIntegrity, KeyRing, mintSigil } from '#sigil';
import { openStore } from '#storage';
import { legacySigilId } from '../../apps/sigil-cli/src/import/legacy-sigil.js';
import { JwksServer } from '../support/jwks-server.js';
import { CLI, ensureBuilt } from '../support/processes.js';
import { client, SECRET_A, startApp, tempDir } from '../support/test-app.js';

const run = promisify(execFile);
const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
const outcome = (p: Promise<{ stdout: string; stderr: string }>): Promise<Result> =>
  p.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

const LEGACY = {
  'alpha.json': {
    id: 'legacy-alpha',
    timestamp: '2023-03-04T05:06:07.5+02:00',
    data: { message: 'hello', n: 1 },
    consciousnessState: { phi: 1.5, coherence: 0.7, awareness: 0.3, resonance: 0.9 },
    signature: 'deadbeef-legacy',
  },
  'beta.json': {
    id: 'legacy-beta',
    timestamp: 1_690_000_000_123,
    tenantId: 'acme',
    data: { invoice: 'INV-1', amount: 42.5 },
  },
  'gamma.json': {
    id: 'legacy-gamma-with-a-rather-long-identifier-that-exceeds-the-tag-limit',
    timestamp: '2024-01-01T00:00:00Z',
    tenantId: 'globex',
    data: { note: 'ünïcødé ✓', nested: { list: [1, 2.5, 'x'] } },
  },
} as const;
/** No usable timestamp: reported, nothing written. */
const BAD = { id: 'legacy-bad', timestamp: 'last tuesday', tenantId: 'acme', data: { b: 1 } };

async function writeLegacy(folder: string, files: Record<string, unknown>): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const [name, value] of Object.entries(files)) {
    await writeFile(join(folder, name), `${JSON.stringify(value, null, 2)}\n`);
  }
}

const tsOf = (t: string | number) => (typeof t === 'number' ? t : Date.parse(t));

describe('legacy id derivation and minting', () => {
  it('sigil_ + ULID: time part = legacy timestamp, random part from (tenant, legacy id)', () => {
    const id = legacySigilId('acme', 'x-1', 1_690_000_000_123);
    expect(id).toMatch(/^sigil_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(id.slice(6))).toBe(1_690_000_000_123);
    expect(legacySigilId('acme', 'x-1', 1_690_000_000_123)).toBe(id);
    expect(legacySigilId('globex', 'x-1', 1_690_000_000_123).slice(16)).not.toBe(id.slice(16));
    expect(legacySigilId('acme', 'x-2', 1_690_000_000_123).slice(16)).not.toBe(id.slice(16));
  });

  it('mintSigil produces a record the one integrity rule accepts', () => {
    const keys = new KeyRing(SECRET_A);
    const record = mintSigil(
      {
        id: legacySigilId('acme', 'x', 0),
        tenantId: 'acme',
        createdAt: new Date(0).toISOString(),
        createdBy: 'someone',
        data: { a: 1 },
        expiresAt: null,
      },
      keys,
    );
    expect(record).toMatchObject({ kid: keys.activeKid, metadata: {}, revokedAt: null, version: 1 });
    expect(record.consciousnessState).toEqual({ phi: 1.618033988749895, coherence: 0.5, awareness: 0.5 });
    expect(checkIntegrity(record, 'acme', keys)).toBeNull();
  });
});

/** The import as an operator runs it: the built CLI and the runbook's script, against a real LevelDB. */
describe('sigil import-json / scripts/migrate-json-to-leveldb.cjs', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let folder: string;
  let dbPath: string;
  const env = (db: string) => ({
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    SPIRAL_EVENT_SECRET: SECRET_A,
    SIGIL_DB_PATH: db,
    SIGIL_DEV_DIR: `${dir.path}/dev`,
    DEFAULT_TENANT: 'public',
  });
  const cli = (db: string, ...args: string[]) =>
    outcome(run(process.execPath, [CLI, 'import-json', '--from', folder, ...args], { env: env(db) }));
  const reportOf = async (path: string) =>
    (await readFile(path, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));

  beforeAll(async () => {
    await ensureBuilt();
    await jwks.start();
    dir = await tempDir('sigil-import-');
    folder = join(dir.path, 'legacy');
    dbPath = join(dir.path, 'db');
    await writeLegacy(folder, { ...LEGACY, 'broken.json': BAD });
    await writeFile(join(folder, 'garbage.json'), '{"id": "x", "timestamp": ');
    await writeFile(join(folder, 'README.txt'), 'not a sigil, not a .json file');
  }, 180_000);
  afterAll(async () => {
    await jwks.close();
    await dir?.remove();
  });

  it('--dry-run reports what would be imported and writes nothing', async () => {
    const { code, stdout } = await cli(dbPath, '--dry-run', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ dryRun: true, ok: false, backup: null, report: null });
    expect(report.totals).toMatchObject({ files: 5, skipped: 1, 'would-insert': 3, invalid: 2, inserted: 0 });
    expect(existsSync(dbPath)).toBe(false);
  });

  it('imports every valid file, reports checksums and per-file errors, writes nothing for a bad file, exits 1', async () => {
    const reportPath = join(dir.path, 'report.jsonl');
    const { code, stdout } = await cli(dbPath, '--json', '--report', reportPath);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.report).toBe(reportPath);
    expect(report.totals).toEqual({
      files: 5,
      skipped: 1,
      inserted: 3,
      unchanged: 0,
      conflict: 0,
      'would-insert': 0,
      invalid: 2,
    });
    // The checksums are the file bytes' SHA-256, exactly as sha256sum computes them.
    const sums = await run(
      'sha256sum',
      readdirSync(folder).filter((f) => f.endsWith('.json')),
      {
        cwd: folder,
      },
    );
    const expected = new Map(
      sums.stdout
        .trim()
        .split('\n')
        .map((line) => [line.slice(66), line.slice(0, 64)]),
    );
    // --report: one JSON line per directory entry; stdout's --json lists only the problems.
    const lines = await reportOf(reportPath);
    expect(lines).toHaveLength(6);
    const byFile = new Map<string, any>(lines.map((f: any) => [f.file, f]));
    expect(byFile.get('README.txt')).toEqual({
      file: 'README.txt',
      outcome: 'skipped',
      reason: 'not a .json file',
    });
    for (const f of lines.filter((l: any) => l.outcome !== 'skipped')) {
      expect(f.sha256).toBe(expected.get(f.file));
    }
    expect(report.problems.map((p: any) => p.file).sort()).toEqual(['broken.json', 'garbage.json']);
    expect(report.problemsOmitted).toBe(0);
    expect(byFile.get('broken.json')).toMatchObject({
      outcome: 'invalid',
      sigilId: null,
      legacyId: 'legacy-bad',
      tenantId: 'acme',
    });
    expect(byFile.get('broken.json').errors.join(' ')).toMatch(/^timestamp: must be/);
    expect(byFile.get('garbage.json')).toMatchObject({ outcome: 'invalid', errors: ['not valid JSON'] });
    for (const [file, legacy] of Object.entries(LEGACY)) {
      const tenantId = 'tenantId' in legacy ? legacy.tenantId : 'public';
      expect(byFile.get(file)).toEqual({
        file,
        sha256: expected.get(file),
        shape: 'data',
        legacyId: legacy.id,
        tenantId,
        sigilId: legacySigilId(tenantId, legacy.id, tsOf(legacy.timestamp)),
        outcome: 'inserted',
      });
    }

    // Exactly the three sigils are in the store, under their tenants; the bad file left nothing.
    const store = await openStore({ kind: 'leveldb', path: dbPath });
    const repo = store.repository;
    try {
      const tenants: string[] = [];
      for await (const t of repo.tenants()) tenants.push(t);
      expect(tenants.sort()).toEqual(['acme', 'globex', 'public']);
      for (const t of tenants) expect((await repo.listPage(t, { limit: 50 })).items).toHaveLength(1);
      // Each is found by its full legacy id (no longer cut to 50 characters).
      for (const legacy of Object.values(LEGACY)) {
        const tenant = 'tenantId' in legacy ? legacy.tenantId : 'public';
        const byTag = await repo.listPage(tenant, { limit: 50, tag: `legacy:${legacy.id}` });
        expect(byTag.items.map((s) => s.id)).toEqual([
          legacySigilId(tenant, legacy.id, tsOf(legacy.timestamp)),
        ]);
      }
    } finally {
      await store.close();
    }
  });

  it('the imported sigils verify through the service, with the legacy time, author and tags', async () => {
    const app = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: dbPath,
      SPIRAL_EVENT_SECRET: SECRET_A,
    });
    try {
      for (const legacy of Object.values(LEGACY)) {
        const tenant = 'tenantId' in legacy ? legacy.tenantId : 'public';
        const call = client(app.url, jwks.token({ tenant, scope: 'sigil:read' }));
        const id = legacySigilId(tenant, legacy.id, tsOf(legacy.timestamp));
        const verified = await call('POST', '/api/v1/sigils/verify', { id, data: legacy.data });
        expect(verified.body).toMatchObject({ valid: true, reason: 'ok', sigilId: id });
        const got = await call('GET', `/api/v1/sigils/${id}`);
        expect(got.status).toBe(200);
        expect(got.body).toMatchObject({
          tenantId: tenant,
          createdAt: new Date(tsOf(legacy.timestamp)).toISOString(),
          createdBy: 'legacy-import',
          expiresAt: null,
          metadata: { source: 'legacy-json', tags: ['legacy', `legacy:${legacy.id}`] },
          data: legacy.data,
        });
        if ('consciousnessState' in legacy)
          expect(got.body.consciousnessState).toEqual(legacy.consciousnessState);
        // The list endpoint's ?tag= takes up to 50 characters; longer legacy ids: see the store check above.
        const tag = `legacy:${legacy.id}`;
        if (tag.length <= 50) {
          const byTag = await call('GET', `/api/v1/sigils?tag=${encodeURIComponent(tag)}`);
          expect(byTag.body.items.map((s: any) => s.id)).toEqual([id]);
        }
      }
    } finally {
      await app.close();
    }
  });

  it('a re-run (here with --backup) finds everything unchanged; the backup is a consistent copy', async () => {
    const before = new Set(readdirSync(dir.path));
    const { code, stdout } = await cli(dbPath, '--backup', '--json');
    expect(code).toBe(1); // the two bad files are still bad
    const report = JSON.parse(stdout);
    expect(report.totals).toMatchObject({ inserted: 0, unchanged: 3, conflict: 0, invalid: 2 });
    expect(report.backup).toMatch(new RegExp(`^${dbPath}\\.backup-`));
    const created = readdirSync(dir.path).filter((f) => !before.has(f));
    expect(created).toEqual([report.backup.slice(dir.path.length + 1)]);
    const store = await openStore({ kind: 'leveldb', path: report.backup });
    const copy = store.repository;
    try {
      expect((await copy.listPage('acme', { limit: 50 })).items).toHaveLength(1);
      expect((await copy.listPage('public', { limit: 50 })).items).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('--dry-run on an existing store: a new file would be inserted, nothing is written', async () => {
    await writeLegacy(folder, {
      'delta.json': { id: 'legacy-delta', timestamp: 1_700_000_000_000, data: { d: 1 } },
    });
    try {
      const { stdout } = await cli(dbPath, '--dry-run', '--json');
      const report = JSON.parse(stdout);
      expect(report.totals).toMatchObject({ 'would-insert': 1, unchanged: 3, invalid: 2, inserted: 0 });
      const store = await openStore({ kind: 'leveldb', path: dbPath });
      const repo = store.repository;
      try {
        expect((await repo.listPage('public', { limit: 50 })).items).toHaveLength(1);
      } finally {
        await store.close();
      }
    } finally {
      await rm(join(folder, 'delta.json'));
    }
  });

  it('--help documents the accepted shapes', async () => {
    const { stdout } = await outcome(run(process.execPath, [CLI, 'import-json', '--help']));
    expect(stdout).toMatch(
      /"timestamp": +"<ISO-8601 with zone>" \| "<ISO-8601 without zone, read as UTC>" \| <epoch ms>/,
    );
    expect(stdout).toMatch(/missing: the file name without \.json/);
    expect(stdout).toMatch(/members +anything else/);
    expect(stdout).toMatch(/--backup/);
    expect(stdout).toMatch(/--report <file>/);
  });

  it('runbook form from the repository root: ./scripts/migrate-json-to-leveldb.cjs [--dry-run] with ./consciousness-sigils', async () => {
    const legacyDir = join(REPO, 'consciousness-sigils');
    if (existsSync(legacyDir)) throw new Error(`${legacyDir} exists; refusing to touch it`);
    const db = join(dir.path, 'runbook-db');
    await writeLegacy(legacyDir, LEGACY);
    try {
      const script = (...args: string[]) =>
        outcome(run('./scripts/migrate-json-to-leveldb.cjs', args, { cwd: REPO, env: env(db) }));
      const dry = await script('--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain(`dry run: 3 files from ${legacyDir}`);
      expect(dry.stdout).toContain('would insert 3, already there 0, conflicting 0, invalid 0');
      expect(existsSync(db)).toBe(false);
      const real = await script();
      expect(real.code).toBe(0);
      expect(real.stdout).toContain('inserted 3, already there 0');
      expect((await script()).stdout).toContain('inserted 0, already there 3');
    } finally {
      await rm(legacyDir, { recursive: true, force: true });
    }
  });
});
