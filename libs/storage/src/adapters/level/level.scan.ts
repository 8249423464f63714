import type { ClassicLevel } from 'classic-level';

import type { KeyRange } from './level.keys.js';

type Db = ClassicLevel<string, string>;
export type LevelSnapshot = ReturnType<Db['snapshot']>;

export interface ScanOptions {
  /** Keys to read; every key in the store when omitted (a backup copies all of them). */
  range?: KeyRange;
  /** Entries per native call (nextv): larger means fewer round trips and more memory held per step. */
  chunk: number;
  /** Descending key order, which for `sigil_<ULID>` ids is newest first. */
  reverse?: boolean;
  /** At most this many entries in all. */
  limit?: number;
  /** Read from this explicit snapshot; without one the iterator takes its own when it is created. */
  snapshot?: LevelSnapshot;
  /** Keys without their values: index and registry entries carry everything in the key. */
  keysOnly?: boolean;
}

/**
 * One iterator, read a chunk at a time (never an empty chunk) and closed however the caller's loop
 * ends: finished, `break` or `return`, or a throw. The iterator is created on the first step, so a
 * caller that needs its implicit snapshot taken at a given moment starts iterating right then.
 */
export function scanRange(db: Db, options: ScanOptions & { keysOnly: true }): AsyncGenerator<string[]>;
export function scanRange(
  db: Db,
  options: ScanOptions & { keysOnly?: false },
): AsyncGenerator<[key: string, value: string][]>;
export async function* scanRange(
  db: Db,
  { range, chunk, keysOnly = false, ...read }: ScanOptions,
): AsyncGenerator<string[] | [string, string][]> {
  const iterator: { nextv(size: number): Promise<string[] | [string, string][]>; close(): Promise<void> } =
    keysOnly ? db.keys({ ...range, ...read }) : db.iterator({ ...range, ...read });
  try {
    for (let batch = await iterator.nextv(chunk); batch.length > 0; batch = await iterator.nextv(chunk)) {
      yield batch;
    }
  } finally {
    await iterator.close();
  }
}

/** Whether `range` holds any key: one seek, however many it holds. */
export async function hasAnyKey(db: Db, range: KeyRange): Promise<boolean> {
  for await (const _ of scanRange(db, { range, chunk: 1, limit: 1, keysOnly: true })) return true;
  return false;
}
