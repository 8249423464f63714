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
 * `INSERT … ON CONFLICT DO NOTHING`.
 *
 * Failures: connection and server-side unavailability (refused, terminated, timed out, shutting
 * down, read-only) become StorageUnavailableError (503) through postgres.errors.ts. The pg pool drops
 * broken connections and opens new ones on demand, so the same instance recovers on its own once
 * Postgres is back. Anything else (an unexpected constraint violation) is a bug and propagates.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';

import type { SigilRecord } from '../../sigil-record.js';
import {
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
  SigilRepository,
} from '../../sigil.repository.js';
import { assertTenant, StorageUnavailableError } from '../../storage.errors.js';
import { judgeClaim, type StoredClaim } from '../shared/idempotency-claim.policy.js';
import { assertRecordFor, decodeStored, encodeRecord, sameRecord } from '../shared/sigil-record.codec.js';
import { assertListLimit, matchesListQuery } from '../shared/sigil-query.matcher.js';
import { assertRewrapArgs } from '../shared/rewrap.policy.js';
import { assertMatchQuery, rankMatches } from '../shared/similarity.js';
import { createSigilDataSource, type PostgresSigilRepositoryOptions } from './postgres.data-source.js';
import { toStorageError, unavailableReason } from './postgres.errors.js';
import { pendingMigrations, runMigrations } from './postgres.migrations.js';
import { decodeText, encodeText } from './postgres-text.codec.js';
import { SigilIdempotencyEntity } from './sigil-idempotency.entity.js';
import { matchQuery, matchRunsInSql } from './sigil-match.query.js';
import { sourceColumnValue, tagColumnValue, toSigilEntity, toSigilRecord } from './sigil-row.mapper.js';
import { SigilEntity } from './sigil.entity.js';

/** Rows patterns() and tenants() read per statement. */
const SCAN_CHUNK = 1000;

/**
 * A create with a claim retries when the claim changes hands between its two statements (the holder
 * expired or was deleted in that instant), a restore when the sigil it collided with was deleted.
 * Each retry needs another such race, so a few suffice.
 */
const CLAIM_ATTEMPTS = 5;

function closedError(): StorageUnavailableError {
  return new StorageUnavailableError('Postgres store is closed');
}

/** The primary-key WHERE. TypeORM drops `undefined` members, so an unchecked id could match any row. */
function sigilKey(tenantId: string, id: string): { tenantId: string; id: string } {
  if (typeof id !== 'string') throw new TypeError('sigil id must be a string');
  return { tenantId, id };
}

export class PostgresSigilRepository extends SigilRepository {
  /** Operations started before close(); close() lets them finish instead of failing them midway. */
  private readonly inflight = new Set<Promise<unknown>>();
  private closing: Promise<void> | null = null;

  private constructor(private readonly dataSource: DataSource) {
    super();
  }

  /**
   * Connects (failing fast when Postgres is unreachable: StorageUnavailableError) and, with
   * `migrate`, applies pending migrations. Without it, a schema with pending migrations is refused
   * at start rather than failing request by request.
   */
  static async open(options: PostgresSigilRepositoryOptions): Promise<PostgresSigilRepository> {
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
        if (pending.length > 0) {
          throw new Error(
            `Postgres schema is not up to date: ${pending.length} pending migration(s) (${pending.join(', ')}). ` +
              'Apply them (`sigil-cli db:migrate`) or start with SIGIL_DB_MIGRATE=true.',
          );
        }
      }
    } catch (err) {
      await dataSource.destroy().catch(() => undefined);
      throw openError(err, 'migrate');
    }
    return new PostgresSigilRepository(dataSource);
  }

  async create(tenantId: string, sigil: SigilRecord, claim?: IdempotencyClaim): Promise<CreateOutcome> {
    assertTenant(tenantId);
    assertRecordFor(tenantId, sigil);
    return this.guard('create', async () => {
      const entity = toSigilEntity(sigil);
      // What a read would return, and never the caller's own object.
      const created = (): CreateOutcome => ({
        status: 'created',
        sigil: decodeStored(encodeRecord(sigil), 'create'),
      });
      if (claim === undefined) {
        await this.dataSource.manager.insert(SigilEntity, entity);
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
    return this.guard('read', () => this.readRecord(this.dataSource.manager, key));
  }

  async revoke(tenantId: string, id: string, revocation: Revocation): Promise<SigilRecord | null> {
    assertTenant(tenantId);
    const key = sigilKey(tenantId, id);
    return this.guard('revoke', async () => {
      // The first revocation wins: concurrent revokes queue on the row lock, then find it revoked.
      await this.dataSource.manager.update(
        SigilEntity,
        { ...key, revokedAt: IsNull() },
        {
          revokedAt: encodeText(revocation.revokedAt),
          revokedBy: encodeText(revocation.revokedBy),
          revocationReason: revocation.reason === null ? null : encodeText(revocation.reason),
        },
      );
      return this.readRecord(this.dataSource.manager, key);
    });
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    assertTenant(tenantId);
    const key = sigilKey(tenantId, id);
    // Claims pointing here go with it (ON DELETE CASCADE), so its key can mint a new sigil.
    return this.guard('delete', async () => {
      const result = await this.dataSource.manager.delete(SigilEntity, key);
      return (result.affected ?? 0) > 0;
    });
  }

  async listPage(tenantId: string, query: ListQuery): Promise<ListPage> {
    assertTenant(tenantId);
    assertListLimit(query.limit);
    return this.guard('list', async () => {
      // Peek one past the limit to know whether another page exists. The SQL filters come from
      // derived columns; the record itself is checked too (the shared rule), and should that ever
      // drop a row, the next rows are read until the page is full.
      const items: SigilRecord[] = [];
      let after = query.after;
      for (;;) {
        const want = query.limit + 1 - items.length;
        const rows = await this.listRows(tenantId, query, after, want);
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
    if (this.closing !== null) throw closedError();
    return this.scanPatterns(tenantId);
  }

  async match(tenantId: string, query: MatchQuery): Promise<MatchHit[]> {
    assertTenant(tenantId);
    assertMatchQuery(query);
    return this.guard('match', async () => {
      if (!matchRunsInSql(query)) {
        const entries: PatternEntry[] = [];
        for await (const entry of this.scanPatterns(tenantId)) entries.push(entry);
        return rankMatches(entries, query);
      }
      const { sql, parameters } = matchQuery(tenantId, query);
      const rows: { id: string; similarity: number }[] = await this.dataSource.query(sql, parameters);
      return rows.map((row) => ({ id: row.id, similarity: row.similarity }));
    });
  }

  async restore(tenantId: string, record: SigilRecord): Promise<RestoreOutcome> {
    assertTenant(tenantId);
    assertRecordFor(tenantId, record);
    const key = sigilKey(tenantId, record.id);
    return this.guard('restore', async () => {
      const entity = toSigilEntity(record);
      // A delete can slip between the insert that found the id taken and the read; then insert again.
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const inserted = await this.dataSource.manager
          .createQueryBuilder()
          .insert()
          .into(SigilEntity)
          .values(entity)
          .orIgnore()
          .returning(['id'])
          .execute();
        if ((inserted.raw as unknown[]).length > 0) return 'inserted';
        const existing = await this.readRecord(this.dataSource.manager, key);
        if (existing !== null) return sameRecord(existing, record) ? 'unchanged' : 'conflict';
      }
      throw new Error(`sigil ${record.id} kept appearing and disappearing during restore`);
    });
  }

  async rewrap(tenantId: string, id: string, expected: SignatureRef, next: Rewrapped): Promise<boolean> {
    assertTenant(tenantId);
    assertRewrapArgs(id, expected, next);
    const key = sigilKey(tenantId, id);
    // One UPDATE … WHERE tenant_id AND id AND kid AND signature: the row lock makes it a
    // compare-and-set, so of concurrent rewraps (any replica) exactly one finds the old signature.
    return this.guard('rewrap', async () => {
      const result = await this.dataSource.manager.update(
        SigilEntity,
        { ...key, kid: encodeText(expected.kid), signature: encodeText(expected.signature) },
        {
          kid: encodeText(next.kid),
          signature: encodeText(next.signature),
          authHash: encodeText(next.authHash),
        },
      );
      return (result.affected ?? 0) > 0;
    });
  }

  tenants(): AsyncIterable<string> {
    if (this.closing !== null) throw closedError();
    return this.scanTenants();
  }

  /**
   * One round trip proving Postgres answers, accepts writes (not a standby, not read-only) and has
   * the schema, without writing anything.
   */
  async ping(): Promise<void> {
    return this.guard('ping', async () => {
      const [state] = await this.dataSource.query<
        { recovery: boolean; read_only: boolean; migrated: boolean }[]
      >(
        `SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') = 'on' AS read_only, ` +
          `to_regclass('sigils') IS NOT NULL AS migrated`,
      );
      if (state.recovery || state.read_only) throw new StorageUnavailableError('Postgres is read-only');
      if (!state.migrated)
        throw new StorageUnavailableError('Postgres schema is missing (migrations not run)');
    });
  }

  /** Idempotent. Lets started operations finish, then closes the pool. */
  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    await this.dataSource.destroy();
  }

  /** Runs one operation: refused after close(), tracked until settled, unavailability mapped. */
  private guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.closing !== null) return Promise.reject(closedError());
    const done = run().catch((err: unknown) => {
      throw toStorageError(err, operation);
    });
    this.inflight.add(done);
    const forget = () => this.inflight.delete(done);
    void done.then(forget, forget);
    return done;
  }

  /**
   * Takes the claim, or takes over an expired one, and inserts the sigil, in one transaction. The
   * primary key arbitrates: a concurrent create with the same key (any connection, any replica)
   * waits on the row until the first commits, then sees it and updates nothing. False: someone else
   * holds a live claim; nothing was written.
   */
  private async claimAndInsert(
    manager: EntityManager,
    entity: SigilEntity,
    claim: IdempotencyClaim,
    now: number,
  ): Promise<boolean> {
    const expiresAt = Date.parse(claim.expiresAt);
    const won: unknown[] = await manager.query(
      `INSERT INTO sigil_idempotency AS held (tenant_id, principal, idempotency_key, sigil_id, fingerprint, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, principal, idempotency_key) DO UPDATE
         SET sigil_id = EXCLUDED.sigil_id, fingerprint = EXCLUDED.fingerprint, expires_at = EXCLUDED.expires_at
         WHERE held.expires_at <= $7
       RETURNING 1`,
      [
        entity.tenantId,
        encodeText(claim.principal),
        encodeText(claim.key),
        entity.id,
        encodeText(claim.fingerprint),
        // judgeClaim treats an unparseable expiry as already expired; the epoch means the same here.
        new Date(Number.isNaN(expiresAt) ? 0 : expiresAt),
        new Date(now),
      ],
    );
    if (won.length === 0) return false;
    // The foreign key to the sigil is checked at commit, after this insert.
    await manager.insert(SigilEntity, entity);
    return true;
  }

  private async readClaim(
    tenantId: string,
    claim: IdempotencyClaim,
  ): Promise<{ stored: StoredClaim; sigil: SigilRecord | null } | null> {
    const row = await this.dataSource.manager.findOneBy(SigilIdempotencyEntity, {
      tenantId,
      principal: encodeText(claim.principal),
      key: encodeText(claim.key),
    });
    if (row === null) return null;
    const sigil = await this.readRecord(this.dataSource.manager, sigilKey(tenantId, row.sigilId));
    return {
      stored: {
        sigilId: row.sigilId,
        fingerprint: decodeText(row.fingerprint),
        expiresAt: row.expiresAt.toISOString(),
      },
      sigil,
    };
  }

  private async readRecord(
    manager: EntityManager,
    key: { tenantId: string; id: string },
  ): Promise<SigilRecord | null> {
    const row = await manager.findOneBy(SigilEntity, key);
    return row === null ? null : toSigilRecord(row);
  }

  private listRows(
    tenantId: string,
    query: ListQuery,
    after: string | undefined,
    limit: number,
  ): Promise<SigilEntity[]> {
    const rows = this.dataSource.manager
      .createQueryBuilder(SigilEntity, 's')
      .where('s.tenantId = :tenantId', { tenantId });
    if (after !== undefined) rows.andWhere('s.id < :after', { after });
    if (query.tag !== undefined) {
      rows.andWhere('s.tags @> ARRAY[CAST(:tag AS text)]', { tag: tagColumnValue(query.tag) });
    }
    if (query.source !== undefined) {
      rows.andWhere('s.source = :source', { source: sourceColumnValue(query.source) });
    }
    if (query.revoked !== undefined) {
      rows.andWhere(query.revoked ? 's.revokedAt IS NOT NULL' : 's.revokedAt IS NULL');
    }
    return rows.orderBy('s.id', 'DESC').limit(limit).getMany();
  }

  /** Keyset pages by id: each statement is short, and rows inserted meanwhile neither repeat nor shift. */
  private async *scanPatterns(tenantId: string): AsyncGenerator<PatternEntry> {
    let after: string | null = null;
    for (;;) {
      if (this.closing !== null) throw closedError();
      let rows: { id: string; resonancePattern: number[]; revokedAt: string | null }[];
      try {
        const page = this.dataSource.manager
          .createQueryBuilder(SigilEntity, 's')
          .select(['s.id', 's.resonancePattern', 's.revokedAt'])
          .where('s.tenantId = :tenantId', { tenantId });
        if (after !== null) page.andWhere('s.id > :after', { after });
        rows = await page.orderBy('s.id', 'ASC').limit(SCAN_CHUNK).getMany();
      } catch (err) {
        throw toStorageError(err, 'patterns');
      }
      for (const row of rows) {
        yield { id: row.id, resonancePattern: row.resonancePattern, revoked: row.revokedAt !== null };
      }
      if (rows.length < SCAN_CHUNK) return;
      after = rows[rows.length - 1].id;
    }
  }

  /** A loose index scan of the primary key: one index probe per tenant, however many sigils each has. */
  private async *scanTenants(): AsyncGenerator<string> {
    let after = '';
    for (;;) {
      if (this.closing !== null) throw closedError();
      let rows: { tenant_id: string }[];
      try {
        rows = await this.dataSource.query(
          `WITH RECURSIVE t (tenant_id) AS (
             SELECT min(tenant_id) FROM sigils WHERE tenant_id > $1
             UNION ALL
             SELECT (SELECT min(tenant_id) FROM sigils WHERE tenant_id > t.tenant_id) FROM t WHERE t.tenant_id IS NOT NULL
           )
           SELECT tenant_id FROM t WHERE tenant_id IS NOT NULL LIMIT $2`,
          [after, SCAN_CHUNK],
        );
      } catch (err) {
        throw toStorageError(err, 'tenants');
      }
      for (const row of rows) yield row.tenant_id;
      if (rows.length < SCAN_CHUNK) return;
      after = rows[rows.length - 1].tenant_id;
    }
  }
}

/** Open failures: unavailability as StorageUnavailableError (no URL in the message), the rest as is. */
function openError(err: unknown, step: string): unknown {
  const reason = unavailableReason(err);
  if (reason === null) return err;
  return new StorageUnavailableError(`Could not ${step} Postgres (${reason})`, { cause: err });
}
