import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '#sigil';
import { openStore } from '#storage';
import { countRecords } from '../../apps/sigil-cli/src/support/records.js';
import { CLI, ensureBuilt } from '../support/processes.js';
import { SECRET_A, tempDir } from '../support/test-app.js';
import {
  cliEnv,
  expectStoreHolds,
  importJson,
  writeFixture,
  type FixtureFile,
} from './fixtures/legacy-files.js';

const FILES = 3000;

/** Small files of the three shapes, in turn. */
function manyFiles(): FixtureFile[] {
  return Array.from({ length: FILES }, (_, i): FixtureFile => {
    const ms = 1_600_000_000_000 + i;
    if (i % 3 === 0) {
      return {
        name: `sigil-${ms}.json`,
        value: { n: i, id: `sigil-${ms}`, timestamp: new Date(ms).toISOString() },
      };
    }
    if (i % 3 === 1) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      return { name: `sigil_${id}_${ms}.json`, value: { id, timestamp: ms, temporalSeal: `seal-${i}` } };
    }
    return { name: `explicit-${i}.json`, value: { id: `explicit-${i}`, timestamp: ms, data: { n: i } } };
  });
}

describe('sigil import-json after a kill', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('sigil-import-resume-');
  }, 180_000);
  afterAll(async () => {
    await dir?.remove();
  });

  it('SIGKILL mid-run, then a re-run: every file is imported exactly once', async () => {
    const files = manyFiles();
    const folder = join(dir.path, 'consciousness-sigils');
    const db = join(dir.path, 'db');
    await writeFixture(folder, files);
    const env = cliEnv(dir.path, { SIGIL_DB_PATH: db });

    // Killed once the progress says 30 % are done, mid-stream, with writes in flight.
    const child = spawn(process.execPath, [CLI, 'import-json', '--from', folder], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const done = [...stderr.matchAll(/importing: (\d+)\//g)].map((m) => Number(m[1]));
      if (done.some((n) => n >= FILES * 0.3) && child.exitCode === null && !child.killed)
        child.kill('SIGKILL');
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_c, s) => resolve(s)),
    );
    expect(signal, stderr).toBe('SIGKILL');

    const keys = new KeyRing(SECRET_A);
    const store = await openStore({ kind: 'leveldb', path: db });
    const partial = await countRecords(store.repository).finally(() => store.close());
    expect(partial).toBeGreaterThanOrEqual(FILES * 0.3);
    expect(partial).toBeLessThan(FILES);

    const rerun = await importJson(env, folder, '--json');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout).totals).toEqual({
      files: FILES,
      skipped: 0,
      inserted: FILES - partial,
      unchanged: partial,
      conflict: 0,
      'would-insert': 0,
      invalid: 0,
    });
    const after = await openStore({ kind: 'leveldb', path: db });
    try {
      expect(await countRecords(after.repository)).toBe(FILES);
      await expectStoreHolds(after.repository, keys, files);
    } finally {
      await after.close();
    }

    const third = await importJson(env, folder, '--json');
    expect(JSON.parse(third.stdout).totals).toMatchObject({ inserted: 0, unchanged: FILES });
  }, 120_000);
});
