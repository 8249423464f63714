import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { cp, open, opendir, rm, stat, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import type { SigningOpsConfig } from '#config';
import type { KeyRing, RestoreOutcome, SigilRepository } from '#sigil';
import { forEachConcurrently } from '../support/concurrency.js';
import { describeError, UsageError } from '../support/exit.js';
import { startProgress, type Progress } from '../support/progress.js';
import { countRecords } from '../support/records.js';
import { keyRingOf, withOpsStore } from '../support/store.js';
import { judgeExisting, legacySigilId, mintLegacy, parseLegacy, type LegacyShape } from './legacy-sigil.js';

export type ImportOutcome = RestoreOutcome | 'would-insert' | 'invalid';

/** One `.json` file: a line of `--report`, and an entry of `problems` when invalid or conflicting. */
export interface ImportFileReport {
  file: string;
  /** SHA-256 (hex) of the file's bytes, as `sha256sum` prints it; null if it could not be read. */
  sha256: string | null;
  /** The rule that made its data (legacy-sigil.ts); null when it is not a JSON object. */
  shape: LegacyShape | null;
  legacyId: string | null;
  tenantId: string | null;
  sigilId: string | null;
  outcome: ImportOutcome;
  errors?: string[];
}

/** Any other directory entry: a `.svg` sibling, a README, a sub-folder. Counted, never read. */
export interface SkippedFileReport {
  file: string;
  outcome: 'skipped';
  reason: 'not a .json file' | 'not a regular file';
}

export interface ImportReport {
  dryRun: boolean;
  from: string;
  store: string;
  backup: string | null;
  /** The `--report` file (JSON lines, one per directory entry), or null. */
  report: string | null;
  /** `files`: the `.json` files read; `skipped`: every other entry. */
  totals: Record<ImportOutcome, number> & { files: number; skipped: number };
  /** The first MAX_PROBLEMS invalid or conflicting files, in the order they were done. */
  problems: ImportFileReport[];
  /** Problems beyond those listed (`--report` has them all). */
  problemsOmitted: number;
  ok: boolean;
}

export interface ImportOptions {
  from: string;
  dryRun: boolean;
  backup: boolean;
  /** Path of a JSON-lines file that gets one line per directory entry as it is done. */
  report?: string;
}

/** Problems kept in memory for the summary: the run's memory must not grow with the folder. */
export const MAX_PROBLEMS = 1000;
/** Files above this are handled one at a time, so the reads in flight stay small together. */
const LARGE_FILE_BYTES = 1 << 20;
/** Legacy files are a few hundred bytes: one read of this size takes nearly all of them whole. */
const FIRST_READ_BYTES = 16 * 1024;
const HASH_CHUNK_BYTES = 1 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file past this many bytes is reported without being parsed (but with its checksum): a legacy file
 * is its data and a few identity members, pretty-printed, so sixteen times the data limit leaves room
 * for any indentation the old system wrote, and parsing more would hold many times its size in memory.
 */
export function readLimitOf(maxDataBytes: number): number {
  return Math.max(16 * maxDataBytes, LARGE_FILE_BYTES);
}

/**
 * Imports every legacy file in `options.from` into the configured store (see legacy-sigil.ts for the
 * shapes and the id rule). The folder is streamed (fs.opendir), files are read and written a few at a
 * time, and the per-file outcomes go to `--report` as they happen, so memory does not grow with the
 * number of files. A dry run reads only, and never creates a store that isn't there.
 */
export async function importLegacyFolder(
  config: SigningOpsConfig,
  options: ImportOptions,
): Promise<ImportReport> {
  const from = resolve(options.from);
  if (!existsSync(from) || !(await stat(from)).isDirectory()) throw new Error(`no legacy folder at ${from}`);
  const storage = config.storage;
  const store = storage.kind === 'leveldb' ? `leveldb:${resolve(storage.path)}` : storage.kind;
  if (options.backup && storage.kind !== 'leveldb') {
    throw new UsageError(
      '--backup copies a LevelDB folder; this store is ' + storage.kind + ' (back it up with its own tools)',
    );
  }
  const reportPath = options.report === undefined ? null : resolve(options.report);
  const sink = reportPath === null ? null : await ReportSink.open(reportPath);
  const tally = new Tally(sink);
  const limits = {
    defaultTenant: config.tenancy.defaultTenant,
    maxDataBytes: config.sigil.maxDataBytes,
  };
  const run = async (repo: SigilRepository | null, keys: KeyRing | null): Promise<void> => {
    const progress = startProgress(options.dryRun ? 'checking' : 'importing', await countJsonFiles(from));
    try {
      await importFiles(from, limits, { repo, keys, dryRun: options.dryRun }, tally, progress);
    } finally {
      progress.stop();
    }
  };
  try {
    let backup: string | null = null;
    if (options.dryRun && storage.kind === 'leveldb' && !existsSync(storage.path)) {
      await run(null, null);
    } else {
      const keys = keyRingOf(config);
      await withOpsStore(config, async ({ repository }) => {
        if (options.backup && !options.dryRun && storage.kind === 'leveldb') {
          backup = await backupLevel(config, repository, storage.path);
        }
        await run(repository, keys);
      });
    }
    await sink?.close();
    const { totals } = tally;
    return {
      dryRun: options.dryRun,
      from,
      store,
      backup,
      report: reportPath,
      totals,
      problems: tally.problems,
      problemsOmitted: tally.problemsOmitted,
      ok: totals.invalid === 0 && totals.conflict === 0,
    };
  } finally {
    await sink?.close().catch(() => undefined);
  }
}

interface Target {
  /** Null in a dry run against a store that doesn't exist yet: every good file would be inserted. */
  repo: SigilRepository | null;
  keys: KeyRing | null;
  dryRun: boolean;
}

interface Limits {
  defaultTenant: string;
  maxDataBytes: number;
}

/** The `.json` regular files directly in `folder`, as the directory yields them; others go to `skip`. */
async function* jsonFilesOf(folder: string, skip: (entry: SkippedFileReport) => Promise<void>) {
  for await (const entry of await opendir(folder)) {
    if (!entry.name.toLowerCase().endsWith('.json')) {
      await skip({ file: entry.name, outcome: 'skipped', reason: 'not a .json file' });
    } else if (!entry.isFile()) {
      await skip({ file: entry.name, outcome: 'skipped', reason: 'not a regular file' });
    } else {
      yield entry.name;
    }
  }
}

/** For the progress bar: one pass over the names only (no file is opened). */
async function countJsonFiles(folder: string): Promise<number> {
  let count = 0;
  for await (const entry of await opendir(folder)) {
    if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) count++;
  }
  return count;
}

async function importFiles(
  folder: string,
  limits: Limits,
  target: Target,
  tally: Tally,
  progress: Progress,
): Promise<void> {
  // Large files go through this chain one at a time (read, parse, mint and write).
  let largeFiles: Promise<unknown> = Promise.resolve();
  const oneLargeAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const next = largeFiles.then(work);
    largeFiles = next.catch(() => undefined);
    return next;
  };
  const readLimit = readLimitOf(limits.maxDataBytes);
  const importOne = async (file: string): Promise<ImportFileReport> => {
    let opened: Opened;
    try {
      opened = await openLegacyFile(join(folder, file));
    } catch (error) {
      return unreadable(file, error);
    }
    if (opened.kind === 'read') return importBytes(file, opened.bytes, limits, target);
    const { handle, size } = opened;
    const work = async (): Promise<ImportFileReport> => {
      let bytes: Buffer;
      try {
        if (size > readLimit) {
          const why = `file is ${size} bytes, over the ${readLimit}-byte read limit (16 × SIGIL_MAX_DATA_BYTES): not parsed`;
          return invalidFile(file, await hashOf(handle), why);
        }
        bytes = await handle.readFile();
      } catch (error) {
        return unreadable(file, error);
      } finally {
        await handle.close();
      }
      return importBytes(file, bytes, limits, target);
    };
    return size > LARGE_FILE_BYTES ? oneLargeAtATime(work) : work();
  };
  await forEachConcurrently(
    jsonFilesOf(folder, (entry) => tally.skip(entry)),
    async (file) => {
      await tally.add(await importOne(file));
      progress.increment();
    },
  );
}

/** A small file read whole, or a larger one's open handle (positioned at 0) and size. */
type Opened = { kind: 'read'; bytes: Buffer } | { kind: 'open'; handle: FileHandle; size: number };

/**
 * Opens a file and reads it with one read when it is small (nearly every legacy file), so a file
 * costs three system calls; a file that fills the first read is left open for the caller.
 */
async function openLegacyFile(path: string): Promise<Opened> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(FIRST_READ_BYTES);
    // Positional: the handle's own offset stays at 0 for a readFile() of the whole file.
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead < buffer.length) {
      await handle.close();
      return { kind: 'read', bytes: buffer.subarray(0, bytesRead) };
    }
    return { kind: 'open', handle, size: (await handle.stat()).size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

function invalidFile(file: string, sha256: string | null, error: string): ImportFileReport {
  return {
    file,
    sha256,
    shape: null,
    legacyId: null,
    tenantId: null,
    sigilId: null,
    outcome: 'invalid',
    errors: [error],
  };
}

const unreadable = (file: string, error: unknown): ImportFileReport =>
  invalidFile(file, null, `could not be read: ${describeError(error)}`);

/** Checks, mints and writes one file's bytes. Store failures propagate: they end the run. */
async function importBytes(
  file: string,
  bytes: Buffer,
  limits: Limits,
  target: Target,
): Promise<ImportFileReport> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return invalidFile(file, sha256, error instanceof SyntaxError ? 'not valid JSON' : 'not valid UTF-8');
  }
  const parsed = parseLegacy(value, file, limits.defaultTenant, limits.maxDataBytes);
  if (!parsed.ok) {
    const { shape, legacyId, tenantId, errors } = parsed;
    return { file, sha256, shape, legacyId, tenantId, sigilId: null, outcome: 'invalid', errors };
  }

  const { sigil: legacy, shape } = parsed;
  const sigilId = legacySigilId(legacy.tenantId, legacy.legacyId, legacy.createdAtMs);
  const base = { file, sha256, shape, legacyId: legacy.legacyId, tenantId: legacy.tenantId, sigilId };
  const { repo, keys, dryRun } = target;
  if (!repo || !keys) return { ...base, outcome: 'would-insert' };
  const minted = mintLegacy(legacy, keys);
  let outcome: ImportOutcome;
  if (dryRun) {
    const existing = await repo.findById(legacy.tenantId, sigilId);
    outcome = existing ? judgeExisting(existing, minted, keys) : 'would-insert';
  } else {
    outcome = await repo.restore(legacy.tenantId, minted);
    if (outcome === 'conflict') {
      const existing = await repo.findById(legacy.tenantId, sigilId);
      if (existing) outcome = judgeExisting(existing, minted, keys);
    }
  }
  return outcome === 'conflict'
    ? { ...base, outcome, errors: ['a different sigil is already stored under this id'] }
    : { ...base, outcome };
}

/** SHA-256 of a file read in chunks, for a file too large to hold. */
async function hashOf(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  for (let position = 0; ;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return hash.digest('hex');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/** Totals and the first problems: all the run keeps; every outcome goes on to the report file. */
class Tally {
  readonly totals: ImportReport['totals'] = {
    files: 0,
    skipped: 0,
    inserted: 0,
    unchanged: 0,
    conflict: 0,
    'would-insert': 0,
    invalid: 0,
  };
  readonly problems: ImportFileReport[] = [];
  problemsOmitted = 0;

  constructor(private readonly sink: ReportSink | null) {}

  async add(entry: ImportFileReport): Promise<void> {
    this.totals.files++;
    this.totals[entry.outcome]++;
    if (entry.outcome === 'invalid' || entry.outcome === 'conflict') {
      if (this.problems.length < MAX_PROBLEMS) this.problems.push(entry);
      else this.problemsOmitted++;
    }
    await this.sink?.write(entry);
  }

  async skip(entry: SkippedFileReport): Promise<void> {
    this.totals.skipped++;
    await this.sink?.write(entry);
  }
}

/** The `--report` file: JSON lines written as outcomes happen, with the stream's backpressure. */
class ReportSink {
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly path: string,
    private readonly stream: WriteStream,
  ) {
    stream.on('error', (error) => (this.failure ??= error));
  }

  static async open(path: string): Promise<ReportSink> {
    const stream = createWriteStream(path, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new UsageError(`--report ${path}: ${describeError(error)}`);
    }
    return new ReportSink(path, stream);
  }

  async write(entry: ImportFileReport | SkippedFileReport): Promise<void> {
    this.check();
    if (!this.stream.write(`${JSON.stringify(entry)}\n`)) await once(this.stream, 'drain');
  }

  /** Flushes and closes; safe to call again (the second call waits for the first). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((done) => this.stream.end(done)).then(() => this.check());
    return this.closing;
  }

  private check(): void {
    if (this.failure) throw new Error(`writing the report ${this.path}: ${this.failure.message}`);
  }
}

/**
 * Copies the LevelDB folder while this process holds its LOCK and before anything is written, so the
 * copy is a consistent store. A file LevelDB's background compaction removes mid-copy makes the copy
 * start over; the copy is then opened and its record count checked against the live store.
 */
async function backupLevel(config: SigningOpsConfig, live: SigilRepository, path: string): Promise<string> {
  const target = `${resolve(path)}.backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await cp(path, target, { recursive: true, errorOnExist: true, force: false });
      break;
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      if (attempt >= 3)
        throw new Error(`backup to ${target} failed: ${describeError(error)}`, { cause: error });
    }
  }
  const [stored, copied] = [
    await countRecords(live),
    await withOpsStore(config, ({ repository }) => countRecords(repository), {
      kind: 'leveldb',
      path: target,
    }),
  ];
  if (stored !== copied) throw new Error(`backup ${target} holds ${copied} sigils, the store ${stored}`);
  return target;
}
