/**
 * Postgres adapter (TypeORM over pg): the store for more than one replica.
 *
 * Schema: sigil.entity.ts and sigil-idempotency.entity.ts (why each column has its type), created
 * only by the committed migrations (migrations/, applied by runMigrations under an advisory lock).
 * Every statement is scoped by tenant_id; every write is one statement or one transaction, committed
 * (synchronous_commit as the server has it, on by default) before the promise resolves.
 *
 * Concurrency is the database's, never check-then-write in this process: replicas share nothing
 * else. Claims rely on the primary key of sigil_idempotency (INSERT … ON CONFLICT), revocations on
 * `UPDATE … WHERE revoked_at IS NULL`, rewraps on `UPDATE … WHERE kid AND signature`, restores on
 * `INSERT … ON CONFLICT DO NOTHING`. Those statements live in the `*.query.ts` files beside this one,
 * so this class holds only what the port adds over them: retries, paging, the lifecycle.
 *
 * Match: each replica answers from an in-process copy of the tenant's patterns (match-index.cache.ts),
 * caught up on every match from the trigger-written change log, so it sees every write any replica
 * acknowledged before the match started; with matchIndexMaxSigils 0, one SQL statement
 * (sigil-match.query.ts) instead.
 *
 * Failures: connection and server-side unavailability (refused, terminated, timed out, shutting
 * down, read-only) become StorageUnavailableError (503) through postgres.errors.ts. The pg pool drops
 * broken connections and opens new ones on demand, so the same instance recovers on its own once
 * Postgres is back. Anything else (an unexpected constraint violation) is a bug and propagates.
 */
import type { DataSource, EntityManager } from 'typeorm';

import {
  assertMatchQuery,
  assertTenant,
  type CreateOutcome,
  type IdempotencyClaim,
  type ListPage,
  type ListQuery,
  type MatchHit,
  type MatchQuery,
  type PatternEntry,
  rankMatches,
  type RestoreOutcome,
  type Revocation,
  type Rewrapped,
  type SignatureRef,
  type SigilRecord,
  SigilRepository,
  StorageUnavailableError,
} from '#sigil';
import { SchemaBehindError } from '../../storage.errors.js';
import { judgeClaim, type StoredClaim } from '../shared/idempotency-claim.policy.js';
import { LifecycleGate } from '../shared/lifecycle.gate.js';
import { assertRecordFor, decodeStored, encodeRecord, sameRecord } from '../shared/sigil-record.codec.js';
import { assertListLimit, matchesListQuery } from '../shared/sigil-query.matcher.js';
import { assertRewrapArgs } from '../shared/rewrap.policy.js';
import { ChangeLogPruner } from './change-log.pruner.js';
import { PostgresMatchIndexes } from './match-index.cache.js';
import { createSigilDataSource, type PostgresSigilRepositoryOptions } from './postgres.data-source.js';
import { toStorageError, unavailableReason } from './postgres.errors.js';
import { pendingMigrations, runMigrations, appliedMigrations } from './postgres.migrations.js';
import { decodeText } from './postgres-text.codec.js';
import { serverState } from './server-state.query.js';
import { findClaim, takeClaim } from './sigil-claim.query.js';
import { countSigils } from './sigil-count.query.js';
import { listSigils } from './sigil-list.query.js';
import { matchRunsInSql, matchSigils } from './sigil-match.query.js';
import { changeHorizon, changesSince, matchPage, pruneChanges } from './sigil-changes.query.js';
import { revokeSigil } from './sigil-revoke.query.js';
import { rewrapSigil } from './sigil-rewrap.query.js';
import { toPatternEntry, toSigilEntity, toSigilRecord } from './sigil-row.mapper.js';
import {
  deleteSigil,
  findSigil,
  insertSigil,
  insertSigilIfAbsent,
  type SigilKey,
  sigilKey,
} from './sigil-row.query.js';
import { patternPage, tenantPage } from './sigil-scan.query.js';
import type { SigilEntity } from './sigil.entity.js';

/** Rows patterns() and tenants() read per statement. */
const SCAN_CHUNK = 1000;

/**
 * A create with a claim retries when the claim changes hands between its two statements (the holder
 * expired or was deleted in that instant), a restore when the sigil it collided with was deleted.
 * Each retry needs another such race, so a few suffice.
 */
const CLAIM_ATTEMPTS = 5;

const DEFAULT_MATCH_INDEX_MAX_SIGILS = 1_000_000;
const DEFAULT_CHANGE_LOG_RETENTION_MS = 5 * 60_000;
/** How often each replica samples the change horizon and prunes the change log. */
const CHANGE_LOG_TICK_MS = 60_000;

export class PostgresSigilRepository extends SigilRepository {
  private readonly gate = new LifecycleGate({
    store: 'Postgres store',
    release: () => this.release(),
    mapError: toStorageError,
  });
  /** Null when the indexes are turned off (matchIndexMaxSigils 0): matches scan in SQL. */
  private readonly matchIndexes: PostgresMatchIndexes | null;
  private readonly pruner: ChangeLogPruner;
  private readonly pruneTimer: NodeJS.Timeout;

  private constructor(
    private readonly dataSource: DataSource,
    matchIndexMaxSigils: number,
    changeLogRetentionMs: number,
  ) {
    super();
    this.matchIndexes =
      matchIndexMaxSigils === 0
        ? null
        : new PostgresMatchIndexes(
            {
              horizon: () => changeHorizon(this.manager),
              page: (tenantId, after, limit) => matchPage(this.manager, tenantId, after, limit),
              changesSince: (tenantId, horizon) => changesSince(this.manager, tenantId, horizon),
            },
            matchIndexMaxSigils,
          );
    this.pruner = new ChangeLogPruner(
      () => changeHorizon(this.manager),
      (below) => pruneChanges(this.manager, below),
      changeLogRetentionMs,
    );
    // Every replica prunes, matching or not. A failed tick (Postgres away) only leaves the log
    // longer until the next one.
    this.pruneTimer = setInterval(() => {
      this.pruneChangeLog().catch(() => undefined);
    }, CHANGE_LOG_TICK_MS).unref();
  }

  /**
   * Connects (failing fast when Postgres is unreachable: StorageUnavailableError) and, with
   * `migrate`, applies pending migrations. Without it, a schema with pending migrations is refused
   * at start rather than failing request by request.
   */
  static async open(options: PostgresSigilRepositoryOptions): Promise<PostgresSigilRepository> {
    const {
      matchIndexMaxSigils = DEFAULT_MATCH_INDEX_MAX_SIGILS,
      changeLogRetentionMs = DEFAULT_CHANGE_LOG_RETENTION_MS,
    } = options;
    if (!Number.isInteger(matchIndexMaxSigils) || matchIndexMaxSigils < 0) {
      throw new RangeError('matchIndexMaxSigils must be a non-negative integer');
    }
    if (!Number.isFinite(changeLogRetentionMs) || changeLogRetentionMs < 0) {
      throw new RangeError('changeLogRetentionMs must be a non-negative number');
    }
    const dataSource = createSigilDataSource(options);
    try {
      await dataSource.initialize();
    } catch (err) {
      throw openError(err, 'connect');
    }
    try {
      if (options.migrate) {
        await runMigrations(dataSource);
      } else {
        const pending = await pendingMigrations(dataSource);
        if (pending.length > 0) throw new SchemaBehindError(pending, await appliedMigrations(dataSource));
      }
    } catch (err) {
      await dataSource.destroy().catch(() => undefined);
      throw openError(err, 'migrate');
    }
    return new PostgresSigilRepository(dataSource, matchIndexMaxSigils, changeLogRetentionMs);
  }

  async create(tenantId: string, sigil: SigilRecord, claim?: IdempotencyClaim): Promise<CreateOutcome> {
    assertTenant(tenantId);
    assertRecordFor(tenantId, sigil);
    return this.gate.run('create', async () => {
      const entity = toSigilEntity(sigil);
      // What a read would return, and never the caller's own object.
      const created = (): CreateOutcome => ({
        status: 'created',
        sigil: decodeStored(encodeRecord(sigil), 'create'),
      });
      if (claim === undefined) {
        await insertSigil(this.manager, entity);
        return created();
      }
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const now = Date.now();
        const won = await this.dataSource.transaction((manager) =>
          this.claimAndInsert(manager, entity, claim, now),
        );
        if (won) return created();
        const held = await this.readClaim(tenantId, claim);
        const verdict = judgeClaim(held?.stored, claim, held?.sigil != null, now);
        if (verdict === 'replay' && held?.sigil) return { status: 'replayed', sigil: held.sigil };
        if (verdict === 'conflict') return { status: 'conflict' };
      }
      throw new Error(`idempotency claim changed hands ${CLAIM_ATTEMPTS} times in a row`);
    });
  }

  async findById(tenantId: string, id: string): Promise<SigilRecord | null> {
    assertTenant(tenantId);
    const key = sigilKey(tenantId, id);
    return this.gate.run('read', () => this.readRecord(key));
  }

  async revoke(tenantId: string, id: string, revocation: Revocation): Promise<SigilRecord | null> {
    assertTenant(tenantId);
    const key = sigilKey(tenantId, id);
    return this.gate.run('revoke', async () => {
      await revokeSigil(this.manager, key, revocation);
      return this.readRecord(key);
    });
  }

  /** The trigger-kept count (see the CountSigils migration): a read of at most 16 rows. */
  async count(tenantId: string): Promise<number> {
    assertTenant(tenantId);
    return this.gate.run('count', () => countSigils(this.manager, tenantId));
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    assertTenant(tenantId);
    const key = sigilKey(tenantId, id);
    // Its claims go with it, so its key can mint a new sigil.
    return this.gate.run('delete', () => deleteSigil(this.manager, key));
  }

  async listPage(tenantId: string, query: ListQuery): Promise<ListPage> {
    assertTenant(tenantId);
    assertListLimit(query.limit);
    return this.gate.run('list', async () => {
      // Peek one past the limit to know whether another page exists. The SQL filters come from
      // derived columns; the record itself is checked too (the shared rule), and should that ever
      // drop a row, the next rows are read until the page is full.
      const items: SigilRecord[] = [];
      let after = query.after;
      for (;;) {
        const want = query.limit + 1 - items.length;
        const rows = await listSigils(this.manager, tenantId, query, after, want);
        for (const row of rows) {
          const record = toSigilRecord(row);
          if (matchesListQuery(record, query)) items.push(record);
        }
        if (rows.length < want || items.length > query.limit) break;
        after = rows[rows.length - 1].id;
      }
      const more = items.length > query.limit;
      const page = items.slice(0, query.limit);
      return { items: page, nextAfter: more ? page[page.length - 1].id : null };
    });
  }

  patterns(tenantId: string): AsyncIterable<PatternEntry> {
    assertTenant(tenantId);
    this.gate.assertOpen();
    return this.scanPatterns(tenantId);
  }

  async match(tenantId: string, query: MatchQuery): Promise<MatchHit[]> {
    assertTenant(tenantId);
    assertMatchQuery(query);
    return this.gate.run('match', async () => {
      if (this.matchIndexes !== null) return this.matchIndexes.rank(tenantId, query);
      if (matchRunsInSql(query)) return matchSigils(this.manager, tenantId, query);
      const entries: PatternEntry[] = [];
      for await (const entry of this.scanPatterns(tenantId)) entries.push(entry);
      return rankMatches(entries, query);
    });
  }

  async restore(tenantId: string, record: SigilRecord): Promise<RestoreOutcome> {
    assertTenant(tenantId);
    assertRecordFor(tenantId, record);
    const key = sigilKey(tenantId, record.id);
    return this.gate.run('restore', async () => {
      const entity = toSigilEntity(record);
      // A delete can slip between the insert that found the id taken and the read; then insert again.
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        if (await insertSigilIfAbsent(this.manager, entity)) return 'inserted';
        const existing = await this.readRecord(key);
        if (existing !== null) return sameRecord(existing, record) ? 'unchanged' : 'conflict';
      }
      throw new Error(`sigil ${record.id} kept appearing and disappearing during restore`);
    });
  }

  async rewrap(tenantId: string, id: string, expected: SignatureRef, next: Rewrapped): Promise<boolean> {
    assertTenant(tenantId);
    assertRewrapArgs(id, expected, next);
    const key = sigilKey(tenantId, id);
    return this.gate.run('rewrap', () => rewrapSigil(this.manager, key, expected, next));
  }

  tenants(): AsyncIterable<string> {
    this.gate.assertOpen();
    return this.scanTenants();
  }

  /**
   * One round trip proving Postgres answers, accepts writes (not a standby, not read-only) and has
   * the schema, without writing anything.
   */
  async ping(): Promise<void> {
    return this.gate.run('ping', async () => {
      const state = await serverState(this.manager);
      if (state.readOnly) throw new StorageUnavailableError('Postgres is read-only');
      if (!state.migrated)
        throw new StorageUnavailableError('Postgres schema is missing (migrations not run)');
    });
  }

  /** Whether this replica holds a tenant's match index (tests). */
  hasMatchIndex(tenantId: string): boolean {
    return this.matchIndexes?.has(tenantId) ?? false;
  }

  /** One change-log maintenance tick (the timer runs it every minute; tests call it directly). */
  async pruneChangeLog(): Promise<void> {
    return this.gate.run('prune', () => this.pruner.tick());
  }

  /** Idempotent. Lets started operations finish, then closes the pool. */
  async close(): Promise<void> {
    return this.gate.close();
  }

  private async release(): Promise<void> {
    clearInterval(this.pruneTimer);
    this.matchIndexes?.clear();
    await this.dataSource.destroy();
  }

  /** Statements outside a transaction: each takes a pooled connection for itself. */
  private get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Takes the claim and inserts the sigil in one transaction, so a claim never points at a sigil
   * that was not written. False: someone else holds a live claim; nothing was written.
   */
  private async claimAndInsert(
    manager: EntityManager,
    entity: SigilEntity,
    claim: IdempotencyClaim,
    now: number,
  ): Promise<boolean> {
    if (!(await takeClaim(manager, entity, claim, now))) return false;
    // The foreign key to the sigil is checked at commit, after this insert.
    await insertSigil(manager, entity);
    return true;
  }

  private async readClaim(
    tenantId: string,
    claim: IdempotencyClaim,
  ): Promise<{ stored: StoredClaim; sigil: SigilRecord | null } | null> {
    const row = await findClaim(this.manager, tenantId, claim);
    if (row === null) return null;
    const sigil = await this.readRecord(sigilKey(tenantId, row.sigilId));
    return {
      stored: {
        sigilId: row.sigilId,
        fingerprint: decodeText(row.fingerprint),
        expiresAt: row.expiresAt.toISOString(),
      },
      sigil,
    };
  }

  private async readRecord(key: SigilKey): Promise<SigilRecord | null> {
    const row = await findSigil(this.manager, key);
    return row === null ? null : toSigilRecord(row);
  }

  private scanPatterns(tenantId: string): AsyncGenerator<PatternEntry> {
    return this.keysetScan(
      'patterns',
      async (after) => (await patternPage(this.manager, tenantId, after, SCAN_CHUNK)).map(toPatternEntry),
      (entry) => entry.id,
    );
  }

  private scanTenants(): AsyncGenerator<string> {
    return this.keysetScan(
      'tenants',
      (after) => tenantPage(this.manager, after, SCAN_CHUNK),
      (id) => id,
    );
  }

  /**
   * Keyset pages of SCAN_CHUNK: each statement is short, and rows inserted meanwhile neither repeat
   * nor shift. A stream is not an operation the gate waits for, so each page checks it is still open.
   */
  private async *keysetScan<T>(
    operation: string,
    page: (after: string | undefined) => Promise<T[]>,
    cursorOf: (item: T) => string,
  ): AsyncGenerator<T> {
    let after: string | undefined;
    for (;;) {
      this.gate.assertOpen();
      let items: T[];
      try {
        items = await page(after);
      } catch (err) {
        throw toStorageError(err, operation);
      }
      yield* items;
      if (items.length < SCAN_CHUNK) return;
      after = cursorOf(items[items.length - 1]);
    }
  }
}

/** Open failures: unavailability as StorageUnavailableError (no URL in the message), the rest as is. */
function openError(err: unknown, step: string): unknown {
  const reason = unavailableReason(err);
  if (reason === null) return err;
  return new StorageUnavailableError(`Could not ${step} Postgres (${reason})`, { cause: err });
}
