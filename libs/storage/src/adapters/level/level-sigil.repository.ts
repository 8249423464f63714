/**
 * LevelDB adapter (classic-level, one process per store).
 *
 * Key layout: utf8 keys, `!`-separated; values are JSON text unless noted. Every part marked
 * (enc) goes through `encodeKeyPart`, which keeps `[A-Za-z0-9._-]` verbatim, so valid tenant
 * ids and `sigil_<ULID>` ids appear in keys exactly as they are.
 *
 *   s!<tenant>!<id>                        the SigilRecord, as JSON.stringify wrote it
 *   x!tag!<tenant>!<tag (enc)>!<id>        ''  one per distinct tag
 *   x!src!<tenant>!<source (enc)>!<id>     ''  when metadata.source is set
 *   x!rev!<tenant>!<id>                    ''  once revoked (written in the revoke's batch)
 *   i!<tenant>!<principal (enc)>!<key (enc)>  {sigilId, fingerprint, expiresAt}  idempotency claim
 *   t!<tenant>                             ''  tenant registry, so tenants() need not scan records
 *   n!<tenant>                             decimal count of the tenant's records (see `count`)
 *   ~counts!v1                             ''  every n! key is complete (written once, at first open)
 *   ~probe!<uuid>                          ping() scratch key, outside every tenant range
 *
 * There is no separate ordering key: ids are `sigil_` + ULID, whose text sorts by creation time,
 * so iterating `s!<tenant>!` in reverse is already newest-first, and "after id X" is simply the
 * range below `s!<tenant>!X`. Because a cursor is a key rather than an offset, inserts (always
 * newer) and deletes between page reads can neither repeat nor skip an existing sigil.
 *
 * To alter a stored sigil by hand (e2e tamper tests): close the app, open the path with
 * classic-level (utf8 keys and values), rewrite the JSON at `levelRecordKey(tenant, id)` (from
 * `#storage/testing`), close, and start again. Index entries are derived from the record at create time,
 * so edit tags/source/revokedAt by hand only if stale index entries do not matter; listings
 * re-check every filter against the record itself, so they never return a non-matching sigil.
 *
 * Matching does not read the store per query: each tenant gets an in-process PatternIndex
 * (shared/pattern.index.ts, one per tenant in level/pattern.index.ts) on its first match, loaded by one range scan over `s!<tenant>!` and then
 * updated by every committed batch. That is only sound because this process is the store's sole
 * writer (LOCK file) and every record write goes through `writes`; it is also why a hand edit
 * must be made with the store closed, as above.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';

import { ClassicLevel } from 'classic-level';

import {
  assertMatchQuery,
  assertTenant,
  CorruptRecordError,
  type CreateOutcome,
  type IdempotencyClaim,
  type ListPage,
  type ListQuery,
  type MatchHit,
  type MatchQuery,
  type PatternEntry,
  type RestoreOutcome,
  type Revocation,
  type Rewrapped,
  type SignatureRef,
  type SigilRecord,
  SigilRepository,
  type SnapshotReport,
  StorageUnavailableError,
} from '#sigil';
import { StoreLockedError } from '../../storage.errors.js';
import { judgeClaim, type StoredClaim, toStoredClaim } from '../shared/idempotency-claim.policy.js';
import { LifecycleGate } from '../shared/lifecycle.gate.js';
import { withRevocation } from '../shared/revocation.policy.js';
import {
  assertRecordFor,
  decodePatternEntry,
  decodeStored,
  encodeRecord,
  sameRecord,
} from '../shared/sigil-record.codec.js';
import { assertListLimit, distinctTags, matchesListQuery } from '../shared/sigil-query.matcher.js';
import { assertRewrapArgs, carries, withSignature } from '../shared/rewrap.policy.js';
import { GroupCommitQueue } from './group-commit.queue.js';
import { KeyedMutex } from './keyed.mutex.js';
import { isLockedError, toStorageError } from './level.errors.js';
import { decodeKeyPart, lastKeyPart, levelKeys, prefixRange } from './level.keys.js';
import { hasAnyKey, type LevelSnapshot, scanRange } from './level.scan.js';
import { type PatternChange, PatternIndexes } from './pattern.index.js';
import { RecordCache } from './record.cache.js';
import { copyLevelStore } from './level-snapshot.js';

type Db = ClassicLevel<string, string>;
type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };
/** Rides in a write's batch so the match index changes exactly when, and only if, the store does. */
type IndexOp = { type: 'index'; tenantId: string; change: PatternChange };
/** A record inserted (+1) or deleted (-1): becomes one `n!<tenant>` put per tenant in the batch. */
type CountOp = { type: 'count'; tenantId: string; delta: 1 | -1 };
type QueuedOp = BatchOp | IndexOp | CountOp;

const isBatchOp = (op: QueuedOp): op is BatchOp => op.type === 'put' || op.type === 'del';

export interface LevelSigilRepositoryOptions {
  /** Directory of the store; created (recursively) when missing. */
  path: string;
  /** fsync every batch before its writes resolve. Default true; false only for tests and benchmarks. */
  sync?: boolean;
  /**
   * How many sigils the match indexes may hold across tenants (~230 B each, see
   * shared/pattern.index.ts) before the least recently matched tenants' indexes are dropped.
   * Default 1 000 000 (~230 MB).
   */
  matchIndexMaxSigils?: number;
  /**
   * Bytes of stored record text kept in memory for point reads (record-cache.ts); 0 turns the
   * cache off. Default 32 MiB: ~40,000 typical records.
   */
  recordCacheBytes?: number;
}

/** How many entries patterns() and tenants() read per native call. */
const SCAN_CHUNK = 256;
/** Per native call while loading a match index: bigger chunks, fewer round trips for 100k records. */
const INDEX_LOAD_CHUNK = 1024;
const DEFAULT_MATCH_INDEX_MAX_SIGILS = 1_000_000;
const DEFAULT_RECORD_CACHE_BYTES = 32 * 1024 * 1024;

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class LevelSigilRepository extends SigilRepository {
  private readonly writes: GroupCommitQueue<QueuedOp>;
  private readonly locks = new KeyedMutex();
  private readonly matchIndexes: PatternIndexes;
  private readonly gate = new LifecycleGate({
    store: 'LevelDB store',
    release: () => this.release(),
    mapError: toStorageError,
  });
  /** Set when a batch failed with an I/O error: the log may be torn, reopen before writing again. */
  private logSuspect = false;
  /**
   * Committed counts by tenant, set only by the commit step (which runs one batch at a time), so a
   * cached count is never older than the store. A tenant not cached is read from its `n!` key.
   */
  private readonly counts = new Map<string, number>();
  /**
   * Tenant registry keys (`t!<tenant>`) a committed batch has written since the store was opened: a
   * tenant's later creates need not write theirs again.
   */
  private readonly registeredTenants = new Set<string>();
  /** Stored texts of recent records, kept equal to the store by the commit step below. */
  private readonly records: RecordCache;

  private constructor(
    private readonly db: Db,
    readonly path: string,
    sync: boolean,
    matchIndexMaxSigils: number,
    recordCacheBytes: number,
  ) {
    super();
    this.records = new RecordCache(recordCacheBytes, levelKeys.isRecord);
    this.writes = new GroupCommitQueue<QueuedOp>(async (ops) => {
      if (this.logSuspect) await this.reopen();
      // Batches commit one at a time, so the counts read here cannot move before this batch lands.
      const counts = await this.countsAfter(ops);
      const countPuts = [...counts].map(([tenantId, n]): BatchOp => ({
        type: 'put',
        key: levelKeys.count(tenantId),
        value: String(n),
      }));
      const batch = [...ops.filter(isBatchOp), ...countPuts];
      try {
        await this.db.batch(batch, { sync });
      } catch (err) {
        // Readers may have seen the failed batch's writes, which a reopen can drop.
        this.records.invalidate();
        // A failed log append or fsync (ENOSPC, EIO) leaves LevelDB's write-ahead log torn: its writer
        // dropped the buffered record but advanced its offset, so every later record in that log file
        // is unreadable at the next open — acknowledged writes would vanish at restart (the chaos
        // harness's disk-full scenario showed exactly that). So the next batch first reopens the
        // store: recovery keeps every synced record before the failure and starts a fresh log.
        if (this.gate.isOpen && toStorageError(err, 'write') instanceof StorageUnavailableError) {
          this.logSuspect = true;
        }
        throw err;
      }
      // After the batch is durable and before any of its writers resumes, in commit order: the
      // indexes then always equal the store, and a failed batch changes neither.
      this.records.committed(batch);
      for (const op of batch) {
        if (op.type === 'put' && op.key.startsWith(levelKeys.tenantPrefix))
          this.registeredTenants.add(op.key);
      }
      for (const op of ops) if (op.type === 'index') this.matchIndexes.apply(op.tenantId, op.change);
      for (const [tenantId, n] of counts) this.counts.set(tenantId, n);
    });
    this.matchIndexes = new PatternIndexes(
      (tenantId, put) => this.loadPatterns(tenantId, put),
      matchIndexMaxSigils,
    );
  }

  /**
   * Opens (creating if needed) the store at `path`. Throws StoreLockedError when another process,
   * or another open repository in this one, holds the store: that must stop the process at start.
   */
  static async open(options: LevelSigilRepositoryOptions): Promise<LevelSigilRepository> {
    const {
      path,
      sync = true,
      matchIndexMaxSigils = DEFAULT_MATCH_INDEX_MAX_SIGILS,
      recordCacheBytes = DEFAULT_RECORD_CACHE_BYTES,
    } = options;
    if (!Number.isInteger(matchIndexMaxSigils) || matchIndexMaxSigils < 0) {
      throw new RangeError('matchIndexMaxSigils must be a non-negative integer');
    }
    try {
      await mkdir(path, { recursive: true });
    } catch (err) {
      throw new Error(`Could not create LevelDB directory ${path}: ${describeError(err)}`, { cause: err });
    }
    const db: Db = new ClassicLevel<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    try {
      await db.open();
    } catch (err) {
      if (isLockedError(err)) throw new StoreLockedError(path);
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new Error(`Could not open LevelDB at ${path}: ${describeError(err)}${cause}`, { cause: err });
    }
    try {
      await countEveryTenantOnce(db);
    } catch (err) {
      await db.close();
      throw toStorageError(err, 'open');
    }
    return new LevelSigilRepository(db, path, sync, matchIndexMaxSigils, recordCacheBytes);
  }

  async create(tenantId: string, sigil: SigilRecord, claim?: IdempotencyClaim): Promise<CreateOutcome> {
    assertTenant(tenantId);
    assertRecordFor(tenantId, sigil);
    return this.gate.run('create', async () => {
      // The store keeps only this text; the caller's record is not read back from it. For a record
      // that is JSON (mint makes nothing else) the text parses to an equal one, so the answer is the
      // record as given, and the index copies its pattern (createOps).
      const text = encodeRecord(sigil);
      const ops = this.createOps(tenantId, sigil, text);
      const created = (): CreateOutcome => ({ status: 'created', sigil });
      if (claim === undefined) {
        await this.writes.write(ops);
        return created();
      }
      const claimKey = levelKeys.claim(tenantId, claim.principal, claim.key);
      // Check-then-write under the claim's lock: concurrent creates with one key mint one sigil.
      return this.locks.run(claimKey, async () => {
        const storedText = await this.db.get(claimKey);
        const stored = storedText === undefined ? undefined : decodeStored<StoredClaim>(storedText, claimKey);
        const existing = stored === undefined ? null : await this.readRecord(tenantId, stored.sigilId);
        const verdict = judgeClaim(stored, claim, existing !== null);
        if (verdict === 'replay' && existing !== null) return { status: 'replayed', sigil: existing };
        if (verdict === 'conflict') return { status: 'conflict' };
        // The claim rides in the record's batch: a crash can never leave one without the other.
        ops.push({ type: 'put', key: claimKey, value: JSON.stringify(toStoredClaim(claim, sigil.id)) });
        await this.writes.write(ops);
        return created();
      });
    });
  }

  async findById(tenantId: string, id: string): Promise<SigilRecord | null> {
    assertTenant(tenantId);
    return this.gate.run('read', () => this.readRecord(tenantId, id));
  }

  async revoke(tenantId: string, id: string, revocation: Revocation): Promise<SigilRecord | null> {
    assertTenant(tenantId);
    const key = levelKeys.record(tenantId, id);
    return this.gate.run('revoke', () =>
      this.locks.run(key, async () => {
        const record = await this.readRecord(tenantId, id);
        if (record === null || record.revokedAt !== null) return record;
        const revoked = withRevocation(record, revocation);
        await this.writes.write([
          { type: 'put', key, value: encodeRecord(revoked) },
          { type: 'put', key: levelKeys.revoked(tenantId, id), value: '' },
          { type: 'index', tenantId, change: { kind: 'revoke', id } },
        ]);
        return revoked;
      }),
    );
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    assertTenant(tenantId);
    const key = levelKeys.record(tenantId, id);
    // Same lock as revoke, so a revoke racing a delete cannot write the record back.
    return this.gate.run('delete', () =>
      this.locks.run(key, async () => {
        const record = await this.readRecord(tenantId, id);
        if (record === null) return false;
        const ops: QueuedOp[] = [
          { type: 'del', key },
          { type: 'del', key: levelKeys.revoked(tenantId, id) },
          ...distinctTags(record).map((tag): BatchOp => ({
            type: 'del',
            key: levelKeys.tag(tenantId, tag, id),
          })),
          { type: 'index', tenantId, change: { kind: 'remove', id } },
          { type: 'count', tenantId, delta: -1 },
        ];
        if (typeof record.metadata.source === 'string') {
          ops.push({ type: 'del', key: levelKeys.source(tenantId, record.metadata.source, id) });
        }
        // Claims pointing here are left: a claim whose sigil is gone no longer counts.
        await this.writes.write(ops);
        return true;
      }),
    );
  }

  async count(tenantId: string): Promise<number> {
    assertTenant(tenantId);
    return this.gate.run('count', async () => this.counts.get(tenantId) ?? this.readCount(tenantId));
  }

  async listPage(tenantId: string, query: ListQuery): Promise<ListPage> {
    assertTenant(tenantId);
    assertListLimit(query.limit);
    return this.gate.run('list', async () => {
      // One snapshot for index and records, so a page never mixes two states of the store.
      const snapshot = this.db.snapshot();
      try {
        const page: { id: string; record: SigilRecord }[] = [];
        let peekUnreadable = false;
        // Peek one past the limit to know whether another page exists.
        try {
          for await (const candidate of this.candidates(tenantId, query, snapshot)) {
            if (!matchesListQuery(candidate.record, query)) continue;
            page.push(candidate);
            if (page.length > query.limit) break;
          }
        } catch (error) {
          // A damaged record just past a full page was only peeked at: it means "there may be more",
          // not a failed page. The next page starts with it and reports it.
          if (!(error instanceof CorruptRecordError) || page.length < query.limit) throw error;
          peekUnreadable = true;
        }
        const more = peekUnreadable || page.length > query.limit;
        const items = page.slice(0, query.limit);
        return {
          items: items.map((entry) => entry.record),
          nextAfter: more ? items[items.length - 1].id : null,
        };
      } finally {
        await snapshot.close();
      }
    });
  }

  /** Answered from the tenant's in-process index (see pattern.index.ts), built on first use. */
  async match(tenantId: string, query: MatchQuery): Promise<MatchHit[]> {
    assertTenant(tenantId);
    assertMatchQuery(query);
    return this.gate.run('match', async () => (await this.matchIndexes.get(tenantId)).rank(query));
  }

  async restore(tenantId: string, record: SigilRecord): Promise<RestoreOutcome> {
    assertTenant(tenantId);
    assertRecordFor(tenantId, record);
    const key = levelKeys.record(tenantId, record.id);
    // The record's lock, as revoke and delete take it: a restore never interleaves with either,
    // and concurrent restores of one id insert it once.
    return this.gate.run('restore', () =>
      this.locks.run(key, async (): Promise<RestoreOutcome> => {
        const existing = await this.readRecord(tenantId, record.id);
        if (existing !== null) return sameRecord(existing, record) ? 'unchanged' : 'conflict';
        const text = encodeRecord(record);
        await this.writes.write(this.createOps(tenantId, decodeStored<SigilRecord>(text, 'restore'), text));
        return 'inserted';
      }),
    );
  }

  /**
   * Compare-and-set of kid/signature/authHash under the record's lock (the one revoke, delete and
   * restore take), committed through the group-commit queue like every write. Tags, source,
   * revocation and pattern are unchanged, so no index entry and no match-index change is needed.
   */
  async rewrap(tenantId: string, id: string, expected: SignatureRef, next: Rewrapped): Promise<boolean> {
    assertTenant(tenantId);
    assertRewrapArgs(id, expected, next);
    const key = levelKeys.record(tenantId, id);
    return this.gate.run('rewrap', () =>
      this.locks.run(key, async () => {
        const record = await this.readRecord(tenantId, id);
        if (record === null || !carries(record, expected)) return false;
        await this.writes.write([{ type: 'put', key, value: encodeRecord(withSignature(record, next)) }]);
        return true;
      }),
    );
  }

  /**
   * A consistent copy of the live store into a new store at `target` (missing or empty), from one
   * snapshot iterator while writes go on: see level-snapshot.ts. Every write acknowledged before the
   * call is in the copy.
   */
  async snapshotTo(target: string): Promise<SnapshotReport> {
    return this.gate.run('backup', () => copyLevelStore(this.db, target));
  }

  /** Whether a tenant's match index is loaded (tests). */
  hasMatchIndex(tenantId: string): boolean {
    return this.matchIndexes.has(tenantId);
  }

  patterns(tenantId: string): AsyncIterable<PatternEntry> {
    assertTenant(tenantId);
    this.gate.assertOpen();
    return this.scanPatterns(tenantId);
  }

  tenants(): AsyncIterable<string> {
    this.gate.assertOpen();
    return this.scanTenants();
  }

  async ping(): Promise<void> {
    return this.gate.run('ping', async () => {
      const key = levelKeys.probe(randomUUID());
      const value = randomUUID();
      await this.writes.write([{ type: 'put', key, value }]);
      const read = await this.db.get(key);
      await this.writes.write([{ type: 'del', key }]);
      if (read !== value) throw new StorageUnavailableError('LevelDB probe read back a different value');
    });
  }

  /** Idempotent. Lets started operations and queued writes finish, then closes the database. */
  async close(): Promise<void> {
    return this.gate.close();
  }

  /** The gate's release: runs once, after every operation it admitted has settled. */
  private async release(): Promise<void> {
    await this.writes.drain();
    this.matchIndexes.clear();
    await this.db.close();
  }

  /**
   * Closes and reopens the database (inside the write queue, so no batch runs meanwhile). Reads that
   * race it get 503. If the reopen itself fails (the disk is still full: recovery writes a table),
   * the flag stays set and the next write — a request or a readiness ping — tries again.
   */
  private async reopen(): Promise<void> {
    this.records.invalidate();
    this.registeredTenants.clear();
    if (this.db.status === 'open') await this.db.close();
    await this.db.open();
    this.logSuspect = false;
  }

  /** Everything a new record writes: the record, its index entries, the tenant registry. */
  private createOps(tenantId: string, sigil: SigilRecord, text: string): QueuedOp[] {
    const tenantKey = levelKeys.tenant(tenantId);
    const ops: QueuedOp[] = [
      { type: 'put', key: levelKeys.record(tenantId, sigil.id), value: text },
      // Written with the tenant's first create since the store opened (never read first, never
      // missing); every later one knows it is there.
      ...(this.registeredTenants.has(tenantKey) ? [] : [{ type: 'put' as const, key: tenantKey, value: '' }]),
      ...distinctTags(sigil).map((tag): BatchOp => ({
        type: 'put',
        key: levelKeys.tag(tenantId, tag, sigil.id),
        value: '',
      })),
    ];
    if (typeof sigil.metadata.source === 'string') {
      ops.push({ type: 'put', key: levelKeys.source(tenantId, sigil.metadata.source, sigil.id), value: '' });
    }
    if (sigil.revokedAt !== null) {
      ops.push({ type: 'put', key: levelKeys.revoked(tenantId, sigil.id), value: '' });
    }
    ops.push({
      type: 'index',
      tenantId,
      change: {
        kind: 'put',
        id: sigil.id,
        // A copy: the change may wait for an index build, and the array is the caller's.
        pattern: [...sigil.dna.resonancePattern],
        revoked: sigil.revokedAt !== null,
      },
    });
    ops.push({ type: 'count', tenantId, delta: 1 });
    return ops;
  }

  private async readCount(tenantId: string): Promise<number> {
    const text = await this.db.get(levelKeys.count(tenantId));
    return text === undefined ? 0 : Number(text);
  }

  /** Each tenant's count once this batch is applied, for the tenants whose records it adds or deletes. */
  private async countsAfter(ops: QueuedOp[]): Promise<Map<string, number>> {
    const deltas = new Map<string, number>();
    for (const op of ops) {
      if (op.type === 'count') deltas.set(op.tenantId, (deltas.get(op.tenantId) ?? 0) + op.delta);
    }
    const counts = new Map<string, number>();
    for (const [tenantId, delta] of deltas) {
      counts.set(tenantId, (this.counts.get(tenantId) ?? (await this.readCount(tenantId))) + delta);
    }
    return counts;
  }

  private async readRecord(tenantId: string, id: string): Promise<SigilRecord | null> {
    const key = levelKeys.record(tenantId, id);
    let text = this.records.get(key);
    if (text === undefined) {
      const token = this.records.token();
      text = await this.db.get(key);
      this.records.fill(key, text, token);
    }
    return text === undefined ? null : decodeStored<SigilRecord>(text, key, id);
  }

  /**
   * Newest-first sigils that may match `query`, driven by the most selective index available
   * (tag, then source, then revoked=true) or else by the records themselves. The caller applies
   * the full filter; this only narrows what has to be read.
   */
  private async *candidates(
    tenantId: string,
    query: ListQuery,
    snapshot: LevelSnapshot,
  ): AsyncGenerator<{ id: string; record: SigilRecord }> {
    const read = { chunk: query.limit + 1, reverse: true, snapshot };
    const indexPrefix =
      query.tag !== undefined
        ? levelKeys.tagPrefix(tenantId, query.tag)
        : query.source !== undefined
          ? levelKeys.sourcePrefix(tenantId, query.source)
          : query.revoked === true
            ? levelKeys.revokedPrefix(tenantId)
            : null;

    if (indexPrefix === null) {
      const range = prefixRange(levelKeys.recordPrefix(tenantId), query.after);
      for await (const batch of scanRange(this.db, { ...read, range })) {
        for (const [key, value] of batch) {
          yield { id: lastKeyPart(key), record: decodeStored<SigilRecord>(value, key, lastKeyPart(key)) };
        }
      }
      return;
    }

    const range = prefixRange(indexPrefix, query.after);
    for await (const batch of scanRange(this.db, { ...read, range, keysOnly: true })) {
      const ids = batch.map(lastKeyPart);
      const recordKeys = ids.map((id) => levelKeys.record(tenantId, id));
      const values = await this.db.getMany(recordKeys, { snapshot });
      for (const [i, value] of values.entries()) {
        // Written in one batch with its record, an index entry only dangles after hand edits.
        if (value !== undefined)
          yield { id: ids[i], record: decodeStored<SigilRecord>(value, recordKeys[i], ids[i]) };
      }
    }
  }

  /** One iterator, so one implicit snapshot: the loaded index is the store at a single point. */
  private async loadPatterns(
    tenantId: string,
    put: (id: string, pattern: unknown, revoked: boolean) => void,
  ): Promise<void> {
    const range = prefixRange(levelKeys.recordPrefix(tenantId));
    for await (const batch of scanRange(this.db, { range, chunk: INDEX_LOAD_CHUNK })) {
      for (const [key, value] of batch) {
        // The id from the key, as patterns() reports it.
        const entry = decodePatternEntry(lastKeyPart(key), value, key);
        put(entry.id, entry.resonancePattern, entry.revoked);
      }
    }
  }

  private async *scanPatterns(tenantId: string): AsyncGenerator<PatternEntry> {
    try {
      const range = prefixRange(levelKeys.recordPrefix(tenantId));
      for await (const batch of scanRange(this.db, { range, chunk: SCAN_CHUNK })) {
        for (const [key, value] of batch) yield decodePatternEntry(lastKeyPart(key), value, key);
      }
    } catch (err) {
      throw toStorageError(err, 'patterns');
    }
  }

  /** The registry can name a tenant whose sigils were all deleted; one seek filters those out. */
  private async *scanTenants(): AsyncGenerator<string> {
    try {
      const registry = prefixRange(levelKeys.tenantPrefix);
      for await (const batch of scanRange(this.db, { range: registry, chunk: SCAN_CHUNK, keysOnly: true })) {
        for (const key of batch) {
          const tenantId = lastKeyPart(key);
          if (await hasAnyKey(this.db, prefixRange(levelKeys.recordPrefix(tenantId)))) yield tenantId;
        }
      }
    } catch (err) {
      throw toStorageError(err, 'tenants');
    }
  }
}

/**
 * Stores written before counts existed get theirs here, once: one key-only scan over the records at
 * open, before anything else can write, then the marker. Afterwards every batch keeps them exact.
 */
async function countEveryTenantOnce(db: Db): Promise<void> {
  if ((await db.get(levelKeys.countsReady)) !== undefined) return;
  const counts = new Map<string, number>();
  for await (const batch of scanRange(db, {
    range: prefixRange('s!'),
    chunk: INDEX_LOAD_CHUNK,
    keysOnly: true,
  })) {
    for (const key of batch) {
      const tenantId = decodeKeyPart(key.slice(2, key.indexOf('!', 2)));
      counts.set(tenantId, (counts.get(tenantId) ?? 0) + 1);
    }
  }
  await db.batch(
    [
      ...[...counts].map(([tenantId, n]) => ({
        type: 'put' as const,
        key: levelKeys.count(tenantId),
        value: String(n),
      })),
      { type: 'put' as const, key: levelKeys.countsReady, value: '' },
    ],
    { sync: true },
  );
}
