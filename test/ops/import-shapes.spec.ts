import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing, mintSigil, type SigilRepository } from '#sigil';
import { openStore } from '#storage';
import { legacySigilId } from '../../apps/sigil-cli/src/import/legacy-sigil.js';
import { ensureBuilt } from '../support/processes.js';
import { SECRET_A, tempDir } from '../support/test-app.js';
import {
  cliEnv,
  endpointFiles,
  expectedSigil,
  expectedSigils,
  expectReport,
  expectStoreHolds,
  explicitFiles,
  identityFiles,
  importable,
  importJson,
  isJsonFile,
  mixedFiles,
  readReport,
  versionedFiles,
  writeFixture,
  type FixtureFile,
} from './fixtures/legacy-files.js';

const keys = new KeyRing(SECRET_A);

/** The import as an operator runs it (the built CLI) on folders of each shape, against a real LevelDB. */
describe('sigil import-json: the files the old system wrote', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let n = 0;
  /** A fresh folder, store and report path for one case. */
  const setUp = async (files: FixtureFile[], extraEnv: Record<string, string> = {}) => {
    const base = join(dir.path, `case-${n++}`);
    const folder = join(base, 'consciousness-sigils');
    await writeFixture(folder, files);
    const db = join(base, 'db');
    const env = cliEnv(base, { SIGIL_DB_PATH: db, ...extraEnv });
    const report = join(base, 'report.jsonl');
    const run = (...args: string[]) => importJson(env, folder, '--report', report, ...args);
    const withRepo = async <T>(work: (repo: SigilRepository) => Promise<T>): Promise<T> => {
      const store = await openStore({ kind: 'leveldb', path: db });
      try {
        return await work(store.repository);
      } finally {
        await store.close();
      }
    };
    return { folder, db, report, run, withRepo };
  };

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('sigil-import-shapes-');
  }, 180_000);
  afterAll(async () => {
    await dir?.remove();
  });

  it.each([
    ['the old HTTP endpoint ({...body, id, timestamp})', endpointFiles(), 'members'],
    ['the identity subsystem (sigil_<uuid>_<ms>.json beside .svg files)', identityFiles(), 'members'],
    ['the explicit shape ({id, timestamp, data, …})', explicitFiles(), 'data'],
  ])('%s: every file imports, each sigil checks out; a re-run changes nothing', async (_, files, shape) => {
    const c = await setUp(files);
    const json = files.filter(isJsonFile);
    const first = await c.run('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      ok: true,
      report: c.report,
      problems: [],
      problemsOmitted: 0,
      totals: {
        files: json.length,
        skipped: files.length - json.length,
        inserted: json.length,
        unchanged: 0,
        conflict: 0,
        invalid: 0,
      },
    });
    const lines = await readReport(c.report);
    expectReport(lines, files, ['inserted']);
    // The two rules, as the shapes call for (one endpoint body is in the explicit form on purpose).
    const shapes = lines.filter((l) => l.outcome !== 'skipped').map((l) => l.shape);
    expect(shapes.filter((s) => s === shape).length).toBeGreaterThanOrEqual(json.length - 1);
    await c.withRepo((repo) => expectStoreHolds(repo, keys, files));

    const second = await c.run('--json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).totals).toMatchObject({ inserted: 0, unchanged: json.length });
    expectReport(await readReport(c.report), files, ['unchanged']);
  });

  it('the 12 files with one extra `version` member: all 12 import, version and signature kept in data', async () => {
    const files = versionedFiles(12);
    const c = await setUp(files);
    const { code, stdout } = await c.run('--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).totals).toMatchObject({ files: 12, inserted: 12, invalid: 0 });
    await c.withRepo(async (repo) => {
      await expectStoreHolds(repo, keys, files);
      const e = expectedSigil(files[3]);
      expect((await repo.findById(e.tenantId, e.sigilId))!.data).toEqual({
        data: { n: 3, payload: 'v3' },
        consciousnessState: { phi: 3, coherence: 0.5, awareness: 0.25 },
        signature: 'sig-3',
        version: '2.0',
      });
    });
    for (const line of await readReport(c.report)) expect(line.shape).toBe('members');
  });

  it('a mixed folder (unicode, duplicates, huge and broken files, SVGs, other entries): a dry run, the import, a re-run', async () => {
    const files = mixedFiles();
    const c = await setUp(files);
    const json = files.filter(isJsonFile);
    const broken = json.filter((f) => f.invalid !== undefined);
    const sigils = expectedSigils(files);
    const copies = importable(files).length - sigils.length; // files of a sigil another file already has

    const dry = await c.run('--dry-run', '--json');
    expect(dry.code).toBe(1);
    const dryReport = JSON.parse(dry.stdout);
    expect(dryReport).toMatchObject({ dryRun: true, ok: false, backup: null });
    // A dry run judges each file against the store as it is: a second file of one sigil would insert too.
    expect(dryReport.totals).toEqual({
      files: json.length,
      skipped: files.length - json.length,
      inserted: 0,
      unchanged: 0,
      conflict: 0,
      'would-insert': importable(files).length,
      invalid: broken.length,
    });
    expect(existsSync(c.db)).toBe(false);
    expectReport(await readReport(c.report), files, ['would-insert']);

    const real = await c.run('--json');
    expect(real.code).toBe(1);
    const report = JSON.parse(real.stdout);
    expect(report.totals).toEqual({
      files: json.length,
      skipped: files.length - json.length,
      inserted: sigils.length,
      unchanged: copies,
      conflict: 0,
      'would-insert': 0,
      invalid: broken.length,
    });
    // Every broken file is a listed problem, with its reason and checksum; nothing was written for it.
    expect(report.problems.map((p: any) => p.file).sort()).toEqual(broken.map((f) => f.name).sort());
    for (const p of report.problems) {
      expect(p.outcome).toBe('invalid');
      expect(p.errors[0]).toMatch(broken.find((f) => f.name === p.file)!.invalid!);
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const lines = await readReport(c.report);
    expectReport(lines, files, ['inserted', 'unchanged']);
    const dups = lines.filter((l) => l.file === 'dup-a.json' || l.file === 'dup-b.json');
    expect(dups.map((l) => l.outcome).sort()).toEqual(['inserted', 'unchanged']);
    await c.withRepo(async (repo) => {
      await expectStoreHolds(repo, keys, files);
      // One legacy id at two times: two sigils, both found by its tag.
      const byTag = await repo.listPage('public', { limit: 10, tag: 'legacy:legacy-dup' });
      expect(byTag.items).toHaveLength(2);
      // No id: the file name is the legacy id.
      const named = await repo.listPage('public', { limit: 10, tag: 'legacy:sïgïl-✓-ünï' });
      expect(named.items.map((r) => r.data)).toEqual([{ ключ: 'значение', emoji: '🜁🜂🜃🜄', rtl: 'שלום' }]);
      // `__proto__` stayed a data member and set no prototype.
      const proto = expectedSigil(files.find((f) => f.name === 'proto-member.json')!);
      const record = await repo.findById(proto.tenantId, proto.sigilId);
      expect(Object.getPrototypeOf(record!.data)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(record!.data, '__proto__')?.value).toEqual({ polluted: true });
    });

    // Stdout for people: the totals and each problem with its reason.
    const again = await c.run();
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(
      `inserted 0, already there ${importable(files).length}, conflicting 0, invalid ${broken.length}, skipped ${files.length - json.length}`,
    );
    expect(again.stdout).toMatch(/INVALID {2}feb-30\.json \(sha256 [0-9a-f]{64}\): timestamp: must be/);
    expect(again.stdout).toContain('result: FAILED');
    await c.withRepo((repo) => expectStoreHolds(repo, keys, files));
  });

  it('two different files for one sigil: one is inserted, the other is a conflict (exit 1), nothing overwritten', async () => {
    const one = { id: 'legacy-twin', timestamp: 1_650_000_000_000 };
    const files: FixtureFile[] = [
      { name: 'twin-1.json', value: { ...one, data: { side: 'left' } } },
      { name: 'twin-2.json', value: { ...one, data: { side: 'right' } } },
    ];
    const c = await setUp(files);
    const { code, stdout } = await c.run('--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.totals).toMatchObject({ inserted: 1, conflict: 1 });
    expect(report.problems).toEqual([
      expect.objectContaining({
        outcome: 'conflict',
        legacyId: 'legacy-twin',
        errors: ['a different sigil is already stored under this id'],
      }),
    ]);
    const loser = files.find((f) => f.name === report.problems[0].file)!;
    const winner = files.find((f) => f !== loser)!;
    await c.withRepo((repo) => expectStoreHolds(repo, keys, [winner]));
  });

  it('files over 1 MiB are imported one at a time when SIGIL_MAX_DATA_BYTES allows their data', async () => {
    const files: FixtureFile[] = Array.from({ length: 3 }, (_, i) => ({
      name: `large-${i}.json`,
      value: { id: `legacy-large-${i}`, timestamp: 1_600_000_000_000 + i, blob: String(i).repeat(1_500_000) },
    }));
    files.push({ name: 'small.json', value: { id: 'legacy-small', timestamp: 1_600_000_000_000, s: 1 } });
    const c = await setUp(files, { SIGIL_MAX_DATA_BYTES: String(2 * 1024 * 1024) });
    const { code, stdout } = await c.run('--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).totals).toMatchObject({ inserted: 4, invalid: 0 });
    await c.withRepo((repo) => expectStoreHolds(repo, keys, files));
  });

  it('stdout and --json stay bounded: the first problems are listed, the rest counted; --report has every file', async () => {
    const files: FixtureFile[] = Array.from({ length: 1005 }, (_, i) => ({
      name: `broken-${String(i).padStart(4, '0')}.json`,
      raw: '{',
      invalid: /^not valid JSON$/,
    }));
    const c = await setUp(files);
    const json = await c.run('--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.problems).toHaveLength(1000);
    expect(report.problemsOmitted).toBe(5);
    expect(report.totals.invalid).toBe(1005);
    expect(await readReport(c.report)).toHaveLength(1005);
    const human = await c.run();
    expect(human.stdout.split('\n').filter((l) => l.startsWith('  INVALID'))).toHaveLength(20);
    expect(human.stdout).toContain('… and 985 more problems (--report lists every file)');
  });

  it('a sigil an earlier importer minted with its legacy tag cut to 50 characters counts as unchanged', async () => {
    const legacyId = `legacy-${'long-'.repeat(12)}id`;
    const files: FixtureFile[] = [
      { name: 'long.json', value: { id: legacyId, timestamp: 1_610_000_000_000, data: { kept: 1 } } },
    ];
    const c = await setUp(files);
    const e = expectedSigil(files[0]);
    await c.withRepo(async (repo) => {
      const old = mintSigil(
        {
          id: legacySigilId('public', legacyId, 1_610_000_000_000),
          tenantId: 'public',
          createdAt: e.createdAt,
          createdBy: 'legacy-import',
          data: { kept: 1 },
          metadata: { source: 'legacy-json', tags: ['legacy', `legacy:${legacyId}`.slice(0, 50)] },
          expiresAt: null,
        },
        keys,
      );
      expect(await repo.restore('public', old)).toBe('inserted');
    });
    const { code, stdout } = await c.run('--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).totals).toMatchObject({ inserted: 0, unchanged: 1, conflict: 0 });
  });

  it('a report path that cannot be written: not run (exit 2), nothing imported', async () => {
    const c = await setUp(explicitFiles());
    const { code, stderr } = await importJson(
      cliEnv(dir.path, { SIGIL_DB_PATH: c.db }),
      c.folder,
      '--report',
      join(dir.path, 'missing-dir', 'r.jsonl'),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/--report .*ENOENT/);
    expect(existsSync(c.db)).toBe(false);
  });
});
