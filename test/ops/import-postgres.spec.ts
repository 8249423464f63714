import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing, type SigilRepository } from '#sigil';
import { openStore } from '#storage';
import { countRecords } from '../../apps/sigil-cli/src/support/records.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { ensureBuilt } from '../support/processes.js';
import { SECRET_A, tempDir } from '../support/test-app.js';
import {
  cliEnv,
  expectedSigils,
  expectReport,
  expectStoreHolds,
  importable,
  importJson,
  isJsonFile,
  mixedFiles,
  readReport,
  writeFixture,
} from './fixtures/legacy-files.js';

/** The same import with the service configured for Postgres (a real server): the CLI's store support picks it. */
describe('sigil import-json into Postgres', () => {
  let postgres: PostgresServer;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let url: string;
  const files = mixedFiles();
  const withRepo = async <T>(work: (repo: SigilRepository) => Promise<T>): Promise<T> => {
    const store = await openStore({
      kind: 'postgres',
      url,
      poolSize: 2,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 5000,
      migrate: false,
    });
    try {
      return await work(store.repository);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    await ensureBuilt();
    postgres = await startPostgres();
    url = await postgres.createDatabase();
    dir = await tempDir('sigil-import-pg-');
    await writeFixture(join(dir.path, 'legacy'), files);
  }, 180_000);
  afterAll(async () => {
    await postgres?.destroy();
    await dir?.remove();
  });

  const env = () => cliEnv(dir.path, { SIGIL_STORAGE: 'postgres', DATABASE_URL: url });
  const run = (...args: string[]) =>
    importJson(env(), join(dir.path, 'legacy'), '--report', join(dir.path, 'report.jsonl'), ...args);

  it('dry run, import, re-run: every sigil checks out and nothing is imported twice', async () => {
    const json = files.filter(isJsonFile);
    const broken = json.filter((f) => f.invalid !== undefined).length;
    const sigils = expectedSigils(files).length;

    const dry = await run('--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(1);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      store: 'postgres',
      totals: { 'would-insert': importable(files).length, invalid: broken, inserted: 0 },
    });
    expect(await withRepo(countRecords)).toBe(0);

    const real = await run('--json');
    expect(real.code, real.stderr).toBe(1);
    expect(JSON.parse(real.stdout).totals).toEqual({
      files: json.length,
      skipped: files.length - json.length,
      inserted: sigils,
      unchanged: importable(files).length - sigils,
      conflict: 0,
      'would-insert': 0,
      invalid: broken,
    });
    expectReport(await readReport(join(dir.path, 'report.jsonl')), files, ['inserted', 'unchanged']);
    await withRepo((repo) => expectStoreHolds(repo, new KeyRing(SECRET_A), files));

    const again = await run('--json');
    expect(JSON.parse(again.stdout).totals).toMatchObject({
      inserted: 0,
      unchanged: importable(files).length,
      conflict: 0,
      invalid: broken,
    });
    expect(await withRepo(countRecords)).toBe(sigils);
  });

  it('--backup is refused on Postgres: not run (exit 2)', async () => {
    const { code, stderr } = await run('--backup');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--backup copies a LevelDB folder; this store is postgres/);
  });
});
