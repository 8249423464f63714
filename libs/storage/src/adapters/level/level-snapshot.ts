/**
 * Consistent copies of a LevelDB store (backup and restore).
 *
 * Why not `tar` of the folder: LevelDB rewrites its log, MANIFEST and table files while it runs
 * (compactions delete files a tar may already have listed, the log tail may hold half a batch), so a
 * file-level copy of an open store can be torn. Instead one iterator walks every key: classic-level
 * iterators read from an implicit snapshot taken when the iterator is created, so the copy is the
 * store exactly as it was at that instant — every batch committed before it is in, none after it —
 * while writers carry on. The copy goes into a fresh store at `<target>.partial-<random>`, is fsynced,
 * compacted and closed, and only then renamed to `<target>`: a target that exists is complete.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { ClassicLevel } from 'classic-level';

import type { SnapshotReport } from '#sigil';
import { scanRange } from './level.scan.js';

const COPY_CHUNK = 1024;

/** True when `path` is missing or an empty directory. */
export async function isEmptyOrMissing(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return false;
    return (await readdir(path)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Copies every key of the open `source` into a new store at `target` (which must be missing or an
 * empty directory) through one snapshot iterator. Write-only towards `target`; `source` is only read.
 */
export async function copyLevelStore(
  source: ClassicLevel<string, string>,
  target: string,
): Promise<SnapshotReport> {
  if (!(await isEmptyOrMissing(target))) {
    throw new Error(`backup target ${target} exists and is not empty`);
  }
  const started = Date.now();
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  const copy = new ClassicLevel<string, string>(partial, {
    keyEncoding: 'utf8',
    valueEncoding: 'utf8',
    createIfMissing: true,
    errorIfExists: true,
  });
  await copy.open();
  let keys = 0;
  let sigils = 0;
  const takenAt = new Date().toISOString();
  try {
    // The loop's first step creates the iterator in the same tick as takenAt: the snapshot is
    // taken now, before any later write can land.
    for await (const batch of scanRange(source, { chunk: COPY_CHUNK })) {
      await copy.batch(batch.map(([key, value]) => ({ type: 'put' as const, key, value })));
      keys += batch.length;
      for (const [key] of batch) if (key.startsWith('s!')) sigils++;
    }
    // One synced write flushes the log (and everything before it) to disk; compaction then folds
    // the log into sorted tables so the copy opens fast and has no log to replay.
    await copy.put('~backup!taken-at', takenAt, { sync: true });
    await copy.del('~backup!taken-at', { sync: true });
    await copy.compactRange('', '\xff');
    await copy.close();
    await rename(partial, target);
  } catch (error) {
    await copy.close().catch(() => undefined);
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return { path: target, keys, sigils, takenAt, durationMs: Date.now() - started };
}
