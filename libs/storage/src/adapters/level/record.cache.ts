import { LRUCache } from 'lru-cache';

/** A write as the cache sees it: the key and, for a put, the text that is now stored there. */
export type CommittedWrite = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/** Records bigger than this share of the cache are never kept: one would evict thousands. */
const MAX_ENTRY_SHARE = 1 / 256;

/**
 * The stored text of recently read records, so a point read (verify, decode, the read
 * inside revoke and delete) skips LevelDB's native `get`: a threadpool round trip that costs the
 * event loop ~20 µs, a tenth of a verify (docs/performance.md). Texts, not decoded records: every
 * read still decodes its own copy, so nothing a caller changes can reach another caller.
 *
 * Exact, because this process is the store's only writer and every write goes through one commit
 * step: that step hands each committed batch to `committed` (puts replace, deletes drop), after
 * the batch is durable and before any writer resumes. A read that missed fills the cache only if
 * no batch committed while it was reading (`token` / `fill`), so a slow read can never put back a
 * text that a newer write replaced. A failed batch or a reopen `invalidate`s everything, since a
 * reader may have seen writes that recovery then dropped.
 */
export class RecordCache {
  private readonly texts: LRUCache<string, string> | null;
  private epoch = 0;

  /** `maxBytes` of record text (UTF-16 code units, ~bytes for JSON); 0 turns the cache off. */
  constructor(
    maxBytes: number,
    private readonly isRecordKey: (key: string) => boolean,
  ) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError('the record cache size must be a non-negative integer');
    }
    this.texts =
      maxBytes === 0
        ? null
        : new LRUCache<string, string>({
            maxSize: maxBytes,
            maxEntrySize: Math.max(1, Math.floor(maxBytes * MAX_ENTRY_SHARE)),
            sizeCalculation: (text, key) => text.length + key.length,
          });
  }

  get size(): number {
    return this.texts?.size ?? 0;
  }

  get(key: string): string | undefined {
    return this.texts?.get(key);
  }

  /** Taken before reading a key that missed; `fill` keeps the text only if it is still current. */
  token(): number {
    return this.epoch;
  }

  fill(key: string, text: string | undefined, token: number): void {
    if (text !== undefined && token === this.epoch) this.texts?.set(key, text);
  }

  /** A batch is durable: its record writes are what every later read sees (puts of held texts replace them, deletes drop them). */
  committed(writes: readonly CommittedWrite[]): void {
    this.epoch++;
    if (this.texts === null) return;
    for (const write of writes) {
      if (!this.isRecordKey(write.key)) continue;
      // A put replaces a text held; a record written but not yet read waits for its first read, so
      // a burst of new sigils cannot push out the ones being read (and an encode pays no LRU insert).
      if (write.type === 'put' && this.texts.has(write.key)) this.texts.set(write.key, write.value);
      else this.texts.delete(write.key);
    }
  }

  /** A batch failed or the store reopened: forget everything. */
  invalidate(): void {
    this.epoch++;
    this.texts?.clear();
  }
}
