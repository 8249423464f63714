import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type PostgresServer, startPostgres } from '../../../../test/support/postgres-server.js';
import {
  createSigilDataSource,
  type PostgresSigilRepositoryOptions,
} from '../adapters/postgres/postgres.data-source.js';
import { pendingMigrations, runMigrations, schemaDrift } from '../adapters/postgres/postgres.migrations.js';
import { PostgresSigilRepository } from '../adapters/postgres/postgres-sigil.repository.js';
import {
  type IdempotencyClaim,
  type MatchQuery,
  type PatternEntry,
  rankMatches,
  type SigilRecord,
  similarity,
  StorageUnavailableError,
} from '#sigil';
import { makeSigilRecord } from './sigil-record.fixture.js';
import { describeSigilRepositoryContract } from './sigil-repository.contract.js';
import { seededRandom } from './seeded-random.js';

const OPTIONS = { poolSize: 8, connectTimeoutMs: 2_000, statementTimeoutMs: 5_000, migrate: true };
const HOUR = 60 * 60 * 1000;
/** Every committed migration's name, oldest first. */
const ALL_MIGRATIONS = ['CreateSigils1795736700000', 'CountSigils1796200000000', 'SigilChanges1796900000000'];

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.destroy();
});

/** A fresh, migrated database per test: nothing leaks between tests, and each costs ~0.1 s. */
async function freshDatabase(): Promise<{ name: string; url: string }> {
  const name = `sigil_${randomBytes(6).toString('hex')}`;
  return { name, url: await server.createDatabase(name) };
}

async function sql<T = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describeSigilRepositoryContract('postgres', async () => {
  const { name, url } = await freshDatabase();
  let current = await PostgresSigilRepository.open({ url, ...OPTIONS });
  return {
    repo: current,
    reopen: async () => {
      await current.close();
      current = await PostgresSigilRepository.open({ url, ...OPTIONS });
      return current;
    },
    cleanup: async () => {
      await current.close();
      await server.dropDatabase(name);
    },
  };
});

const T = 'acme';

function claim(overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim {
  return {
    principal: 'user-1',
    key: 'idem-1',
    fingerprint: 'fp-1',
    expiresAt: new Date(Date.now() + HOUR).toISOString(),
    ...overrides,
  };
}

function sigil(overrides: Partial<SigilRecord> = {}): SigilRecord {
  return makeSigilRecord({ tenantId: T, ...overrides });
}

function withPattern(resonancePattern: number[], overrides: Partial<SigilRecord> = {}): SigilRecord {
  return sigil({ dna: { digest: 'sha256:' + '0'.repeat(64), resonancePattern }, ...overrides });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('PostgresSigilRepository (Postgres-specific)', () => {
  const opened: PostgresSigilRepository[] = [];
  const open = async (url: string, overrides: Partial<PostgresSigilRepositoryOptions> = {}) => {
    const repo = await PostgresSigilRepository.open({ url, ...OPTIONS, ...overrides });
    opened.push(repo);
    return repo;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((repo) => repo.close()));
  });

  describe('migrations', () => {
    it('apply to an empty database, leave no drift from the entities, and run again as a no-op', async () => {
      const { url } = await freshDatabase();
      const dataSource = createSigilDataSource({
        url,
        poolSize: 1,
        connectTimeoutMs: 2_000,
        statementTimeoutMs: 5_000,
      });
      await dataSource.initialize();
      try {
        // The drift check can fail: on an empty database it wants the whole schema.
        expect((await schemaDrift(dataSource)).join('\n')).toMatch(/CREATE TABLE "sigils"/);
        expect(await pendingMigrations(dataSource)).toEqual(ALL_MIGRATIONS);

        // Pool of one: the advisory lock and the migrations share a connection.
        const applied = await runMigrations(dataSource);
        expect(applied.map((m) => m.name)).toEqual(ALL_MIGRATIONS);
        await expect(schemaDrift(dataSource)).resolves.toEqual([]);
        await expect(pendingMigrations(dataSource)).resolves.toEqual([]);

        await expect(runMigrations(dataSource)).resolves.toEqual([]);
        await expect(schemaDrift(dataSource)).resolves.toEqual([]);
        const tables = await sql<{ table_name: string }>(
          url,
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
        );
        expect(tables.map((t) => t.table_name)).toEqual([
          'sigil_changes',
          'sigil_changes_pruned',
          'sigil_counts',
          'sigil_idempotency',
          'sigil_migrations',
          'sigils',
        ]);
      } finally {
        await dataSource.destroy();
      }
    });

    it('let replicas starting together on an empty database all open; exactly one applies them', async () => {
      const { url } = await freshDatabase();
      const repos = await Promise.all(Array.from({ length: 4 }, () => open(url)));
      const migrations = await sql<{ name: string }>(url, 'SELECT name FROM sigil_migrations');
      expect(migrations).toEqual(ALL_MIGRATIONS.map((name) => ({ name })));
      for (const repo of repos) await expect(repo.ping()).resolves.toBeUndefined();
    });

    it('are required: without migrate, a database with pending migrations is refused at open', async () => {
      const { url } = await freshDatabase();
      await expect(PostgresSigilRepository.open({ url, ...OPTIONS, migrate: false })).rejects.toThrow(
        /pending migration.*CreateSigils1795736700000/,
      );
      await expect(PostgresSigilRepository.open({ url, ...OPTIONS, migrate: false })).rejects.toMatchObject({
        name: 'SchemaBehindError',
        pending: ALL_MIGRATIONS,
        applied: [],
      });
      await open(url);
      const repo = await open(url, { migrate: false });
      await expect(repo.ping()).resolves.toBeUndefined();
    });

    it('count the sigils a database already held when the count migration runs', async () => {
      const { url } = await freshDatabase();
      const repo = await open(url);
      for (let i = 0; i < 5; i++) await repo.create('acme', makeSigilRecord({ tenantId: 'acme' }));
      await repo.create('globex', makeSigilRecord({ tenantId: 'globex' }));
      await repo.close();
      // As a database migrated by the release before counts: without the count migration's objects.
      await sql(url, `DROP TRIGGER "sigils_count" ON "sigils"`);
      await sql(url, `DROP FUNCTION "sigil_counts_apply"()`);
      await sql(url, `DROP TABLE "sigil_counts"`);
      await sql(url, `DELETE FROM sigil_migrations WHERE name = 'CountSigils1796200000000'`);
      const upgraded = await open(url);
      await expect(upgraded.count('acme')).resolves.toBe(5);
      await expect(upgraded.count('globex')).resolves.toBe(1);
      await upgraded.create('acme', makeSigilRecord({ tenantId: 'acme' }));
      await expect(upgraded.count('acme')).resolves.toBe(6);
    });

    it('say when the schema is an older one (some applied, some pending): it may hold data', async () => {
      const { url } = await freshDatabase();
      await open(url);
      // As if this database had been migrated by an older release that knew another migration.
      await sql(url, `DELETE FROM sigil_migrations`);
      await sql(
        url,
        `INSERT INTO sigil_migrations ("timestamp", name) VALUES (1700000000000, 'Older1700000000000')`,
      );
      await expect(PostgresSigilRepository.open({ url, ...OPTIONS, migrate: false })).rejects.toMatchObject({
        name: 'SchemaBehindError',
        pending: ALL_MIGRATIONS,
        applied: ['Older1700000000000'],
      });
    });
  });

  describe('replicas (two pools on one database)', () => {
    it("see each other's creates, revocations, deletes and listings", async () => {
      const { url } = await freshDatabase();
      const [a, b] = [await open(url), await open(url)];
      const first = sigil({ metadata: { tags: ['shared'], source: 'replica-a' } });
      const second = sigil({ metadata: { tags: ['shared'], source: 'replica-b' } });
      await a.create(T, first);
      await b.create(T, second);

      await expect(b.findById(T, first.id)).resolves.toEqual(first);
      const revoked = await b.revoke(T, first.id, {
        revokedAt: '2025-03-01T00:00:00.000Z',
        revokedBy: 'b',
        reason: null,
      });
      await expect(a.findById(T, first.id)).resolves.toEqual(revoked);
      await expect(
        a.revoke(T, first.id, { revokedAt: '2026-01-01T00:00:00.000Z', revokedBy: 'a', reason: 'late' }),
      ).resolves.toEqual(revoked);
      await expect(a.listPage(T, { limit: 10, tag: 'shared' })).resolves.toEqual({
        items: [second, revoked],
        nextAfter: null,
      });
      await expect(b.listPage(T, { limit: 10, revoked: true })).resolves.toEqual({
        items: [revoked],
        nextAfter: null,
      });
      await expect(a.delete(T, second.id)).resolves.toBe(true);
      await expect(b.findById(T, second.id)).resolves.toBeNull();
      await expect(b.delete(T, second.id)).resolves.toBe(false);
    });

    it('mint exactly one sigil (and one claim row) for 20 concurrent creates with one claim', async () => {
      const { url } = await freshDatabase();
      const replicas = [await open(url), await open(url)];
      const attempts = Array.from({ length: 20 }, () => sigil());
      const outcomes = await Promise.all(
        attempts.map((record, i) => replicas[i % 2].create(T, record, claim())),
      );

      expect(outcomes.filter((o) => o.status === 'created')).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'replayed')).toHaveLength(19);
      const ids = new Set(outcomes.map((o) => (o.status === 'conflict' ? null : o.sigil.id)));
      expect(ids.size).toBe(1);
      await expect(sql(url, 'SELECT id FROM sigils')).resolves.toEqual([...ids].map((id) => ({ id })));
      await expect(sql(url, 'SELECT sigil_id FROM sigil_idempotency')).resolves.toEqual(
        [...ids].map((id) => ({ sigil_id: id })),
      );
    });

    it('let exactly one of many concurrent creates take over an expired claim', async () => {
      const { url } = await freshDatabase();
      const replicas = [await open(url), await open(url)];
      const old = sigil();
      await replicas[0].create(T, old, claim({ expiresAt: new Date(Date.now() - HOUR).toISOString() }));

      const attempts = Array.from({ length: 12 }, () => sigil());
      const outcomes = await Promise.all(
        attempts.map((record, i) => replicas[i % 2].create(T, record, claim({ fingerprint: 'fp-new' }))),
      );
      const created = outcomes.filter((o) => o.status === 'created');
      expect(created).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'replayed')).toHaveLength(11);
      const winner = created[0].status === 'created' ? created[0].sigil.id : '';
      await expect(sql(url, 'SELECT sigil_id, fingerprint FROM sigil_idempotency')).resolves.toEqual([
        { sigil_id: winner, fingerprint: 'fp-new' },
      ]);
      const stored = await sql<{ id: string }>(url, 'SELECT id FROM sigils ORDER BY id');
      expect(stored.map((r) => r.id)).toEqual([old.id, winner]);
    });
  });

  describe('exact storage', () => {
    it('keeps the json columns as the exact text written and round-trips what text cannot hold', async () => {
      const { url } = await freshDatabase();
      const repo = await open(url);
      const record = sigil({
        kid: 'k\\1',
        data: { z: 1, a: [1e-7, 2.5, -0.000001, 1e21], nested: { y: '\u0000', x: '\ud800' } },
        consciousnessState: { phi: 1.618033988749895, coherence: 0.5, awareness: 0.5, resonance: 0.25 },
        metadata: {
          version: '1.0.0',
          tags: ['nul\u0000tag', 'lone\udc00', 'back\\slash'],
          source: 'src\u0000',
        },
        createdAt: '2025-01-01T00:00:00Z',
        createdBy: 'sub\u0000\ud83d',
        expiresAt: '2030-01-01T00:00:00+02:00',
      });
      await expect(repo.create(T, record)).resolves.toEqual({ status: 'created', sigil: record });

      const [row] = await sql<Record<string, string>>(
        url,
        'SELECT data::text AS data, consciousness_state::text AS cs, metadata::text AS metadata FROM sigils',
      );
      expect(row).toEqual({
        data: JSON.stringify(record.data),
        cs: JSON.stringify(record.consciousnessState),
        metadata: JSON.stringify(record.metadata),
      });

      const found = await repo.findById(T, record.id);
      expect(JSON.stringify(found)).toBe(JSON.stringify(record));
      const revoked = await repo.revoke(T, record.id, {
        revokedAt: '2025-02-01T00:00:00.000Z',
        revokedBy: 'admin\ud800',
        reason: 'reason with \u0000 and \\u0000',
      });
      expect(revoked?.revocationReason).toBe('reason with \u0000 and \\u0000');
      expect(revoked?.revokedBy).toBe('admin\ud800');
      for (const tag of record.metadata.tags!) {
        await expect(repo.listPage(T, { limit: 5, tag }), tag).resolves.toEqual({
          items: [revoked],
          nextAfter: null,
        });
      }
      // Lookalikes of the escaped forms must not match.
      for (const tag of ['nul\\u0000tag', 'lone\ufffd', 'back\\\\slash', 'nul']) {
        await expect(repo.listPage(T, { limit: 5, tag }), tag).resolves.toEqual({
          items: [],
          nextAfter: null,
        });
      }
      await expect(repo.listPage(T, { limit: 5, source: 'src\u0000' })).resolves.toEqual({
        items: [revoked],
        nextAfter: null,
      });
      await expect(repo.restore(T, revoked!)).resolves.toBe('unchanged');
    });

    it('replays a claim whose key and principal hold characters text cannot', async () => {
      const { url } = await freshDatabase();
      const repo = await open(url);
      const weird = claim({ principal: 'p\u0000', key: 'k\ud800', fingerprint: 'f\\' });
      const first = sigil();
      await expect(repo.create(T, first, weird)).resolves.toEqual({ status: 'created', sigil: first });
      await expect(repo.create(T, sigil(), weird)).resolves.toEqual({ status: 'replayed', sigil: first });
      await expect(repo.create(T, sigil(), { ...weird, fingerprint: 'f' })).resolves.toEqual({
        status: 'conflict',
      });
      await expect(repo.create(T, sigil(), { ...weird, key: 'k\ufffd' })).resolves.toMatchObject({
        status: 'created',
      });
    });
  });

  describe('errors', () => {
    it('reports an unreachable server as StorageUnavailableError at open, without the URL or password', async () => {
      const closedPort = server.port + 1 === 65536 ? server.port - 1 : server.port + 1;
      const error: unknown = await PostgresSigilRepository.open({
        ...OPTIONS,
        url: `postgres://sigil:s3cret-pass@127.0.0.1:${closedPort}/nowhere`,
      }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).not.toMatch(/s3cret|nowhere|sigil:/);
    });

    it('lets an unexpected constraint violation through as itself, not as an outage', async () => {
      const { url } = await freshDatabase();
      const repo = await open(url);
      const record = sigil();
      await repo.create(T, record);
      const error: unknown = await repo.create(T, { ...record }).catch((err: unknown) => err);
      expect(error).not.toBeInstanceOf(StorageUnavailableError);
      expect(error).toMatchObject({ code: '23505' });
    });

    it('treats a read-only database (a standby after failover) as unavailable: writes and ping reject', async () => {
      const { name, url } = await freshDatabase();
      const record = sigil();
      await (await open(url)).create(T, record);
      await sql(server.adminUrl, `ALTER DATABASE "${name}" SET default_transaction_read_only = on`);
      const repo = await open(url, { migrate: false });

      await expect(repo.findById(T, record.id)).resolves.toEqual(record);
      await expect(repo.create(T, sigil())).rejects.toThrow(StorageUnavailableError);
      await expect(
        repo.revoke(T, record.id, { revokedAt: 'x', revokedBy: 'y', reason: null }),
      ).rejects.toThrow(StorageUnavailableError);
      await expect(repo.ping()).rejects.toThrow(StorageUnavailableError);
    });

    it('fails a statement stuck past statementTimeoutMs as unavailable, and works once it is free', async () => {
      const { url } = await freshDatabase();
      // One connection, the one that also ran the migrations: their lifted timeout must be back in force.
      const repo = await open(url, { statementTimeoutMs: 300, poolSize: 1 });
      const record = sigil();
      await repo.create(T, record);

      const blocker = new pg.Client({ connectionString: url });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT 1 FROM sigils WHERE id = $1 FOR UPDATE', [record.id]);
        const error: unknown = await repo
          .revoke(T, record.id, { revokedAt: 'x', revokedBy: 'y', reason: null })
          .catch((err: unknown) => err);
        expect(error).toBeInstanceOf(StorageUnavailableError);
        expect((error as Error).message).toMatch(/57014/);
        await blocker.query('ROLLBACK');
      } finally {
        await blocker.end();
      }
      await expect(
        repo.revoke(T, record.id, { revokedAt: 'x', revokedBy: 'y', reason: null }),
      ).resolves.toMatchObject({
        revokedAt: 'x',
      });
    });
  });

  describe('match', () => {
    it('rounds halves up like Math.round, not to even like Postgres round()', async () => {
      // Found by search: similarity · 1e6 is exactly 39062.5 here, in JavaScript and in SQL alike.
      const query = [0.6, 0.2, 0.1, 0, 0, 0, 0.8, 0, 0, 0.1, 0.5, 0, 0.5, 0, 1, 0];
      const stored = [0, 0, 0, 0, 0.1, 0.3, 0, 0.5, 0.2, 0.5, 0, 0, 0, 0, 0, 0];
      expect(similarity(query, stored)).toBe(0.039063);
      const { url } = await freshDatabase();
      const repo = await open(url);
      const record = withPattern(stored);
      await repo.create(T, record);
      await expect(repo.match(T, { pattern: query, threshold: 0.039063, topN: 5 })).resolves.toEqual([
        { id: record.id, similarity: 0.039063 },
      ]);
    });

    it.each([
      ['the in-process index', {}],
      ['SQL (index off)', { matchIndexMaxSigils: 0 }],
    ])(
      'equals rankMatches over 600 random sigils through %s: ties, exact thresholds, revoked, excluded, odd queries',
      async (_, overrides) => {
        const random = seededRandom(0x5eed);
        const six = () => Math.round(random() * 1e6) / 1e6;
        const steps = [0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.8, 1];
        const sparse = () =>
          Array.from({ length: 16 }, () => (random() < 0.6 ? 0 : steps[Math.floor(random() * steps.length)]));
        const randomPattern = (): number[] => {
          const kind = random();
          if (kind < 0.4) return sparse(); // collide often: ties and exact rounding boundaries
          if (kind < 0.43) return Array<number>(16).fill(0);
          return Array.from({ length: 16 }, six);
        };
        const { url } = await freshDatabase();
        const repo = await open(url, overrides);
        const records = Array.from({ length: 600 }, () =>
          withPattern(
            randomPattern(),
            random() < 0.1
              ? { revokedAt: '2025-01-02T00:00:00.000Z', revokedBy: 'admin', revocationReason: null }
              : {},
          ),
        );
        // A stored pattern that is short (NaN similarity) or longer than 16 (only 16 count).
        records.push(withPattern(Array<number>(15).fill(0.5)), withPattern([...sparse(), 0.9, 0.9]));
        for (const record of records) await repo.restore(T, record);

        const entries: PatternEntry[] = await collect(repo.patterns(T));
        expect(entries).toHaveLength(records.length);
        const patterns = records.map((r) => r.dna.resonancePattern);
        const queries: MatchQuery[] = [];
        for (let i = 0; i < 150; i++) {
          const source = random() < 0.3 ? records[Math.floor(random() * records.length)] : undefined;
          const pattern = source?.dna.resonancePattern.slice(0, 16) ?? randomPattern();
          if (pattern.length < 16) continue;
          const other = patterns[Math.floor(random() * patterns.length)];
          const pick = random();
          const threshold =
            pick < 0.2 ? 0 : pick < 0.3 ? -1 : pick < 0.5 ? six() : similarity(pattern, other);
          queries.push({
            pattern,
            threshold,
            topN: 1 + Math.floor(random() * (random() < 0.2 ? 700 : 15)),
            ...(source && random() < 0.7 ? { excludeId: source.id } : {}),
          });
        }
        // Outside the SQL path's safe range: answered by a JavaScript scan, still exactly.
        queries.push({ pattern: [1e-200, ...Array<number>(15).fill(0.5)], threshold: 0, topN: 50 });
        queries.push({ pattern: [1e120, ...Array<number>(15).fill(0)], threshold: 0.5, topN: 50 });

        let hits = 0;
        for (const [i, query] of queries.entries()) {
          const expected = rankMatches(entries, query);
          hits += expected.length;
          expect(await repo.match(T, query), `query ${i}: ${JSON.stringify(query)}`).toEqual(expected);
        }
        expect(hits).toBeGreaterThan(1000);
      },
    );

    describe('in-process index across replicas', () => {
      /** Near-duplicate realistic patterns: many ties, many identical patterns (deduplicated rows). */
      const random = seededRandom(14);
      const base = Array.from({ length: 16 }, (_, i) => 0.3 + i / 40);
      const nearBase = () =>
        base.map((x, i) => (i < 2 || random() < 0.7 ? x : Math.round((x + random() * 0.04) * 1e6) / 1e6));
      const queries = (): MatchQuery[] => [
        { pattern: base, threshold: 0.5, topN: 10 },
        { pattern: nearBase(), threshold: 0.99, topN: 25 },
        { pattern: nearBase(), threshold: 0, topN: 1000 },
      ];
      /** B's answers equal rankMatches over what the database holds now. */
      const expectExact = async (b: PostgresSigilRepository, label: string) => {
        const entries = await collect(b.patterns(T));
        for (const [i, query] of queries().entries()) {
          expect(await b.match(T, query), `${label} #${i}`).toEqual(rankMatches(entries, query));
        }
      };

      it('match on B is exact after creates, revokes, deletes and restores on A', async () => {
        const { url } = await freshDatabase();
        const a = await open(url);
        const b = await open(url);
        const records = Array.from({ length: 60 }, () => withPattern(nearBase()));
        for (const record of records.slice(0, 40)) await a.create(T, record);
        await expectExact(b, 'built');
        expect(b.hasMatchIndex(T)).toBe(true);

        for (const record of records.slice(40)) await a.create(T, record);
        await expectExact(b, 'after creates');
        for (const record of records.slice(0, 10)) {
          await a.revoke(T, record.id, {
            revokedAt: '2026-01-01T00:00:00.000Z',
            revokedBy: 'x',
            reason: null,
          });
        }
        await expectExact(b, 'after revokes');
        for (const record of records.slice(10, 20)) await a.delete(T, record.id);
        await expectExact(b, 'after deletes');
        for (const record of records.slice(10, 15)) await a.restore(T, record);
        await expectExact(b, 'after restores');
        expect(b.hasMatchIndex(T)).toBe(true);
      });

      it('sees a write whose older id commits after newer ones (out-of-order commits)', async () => {
        const { url } = await freshDatabase();
        const a = await open(url);
        const b = await open(url);
        const held = 'sigil_00000000000000000000000000';
        const writer = new pg.Client({ connectionString: url });
        await writer.connect();
        // The held insert locks its tenant count slot (hashtext(id) & 15) until it commits: an `early`
        // in the same slot would wait for it (1 run in 16), so it is drawn from another slot.
        const slot = async (id: string) =>
          (await writer.query<{ slot: number }>('SELECT hashtext($1) & 15 AS slot', [id])).rows[0].slot;
        let early = withPattern(base);
        while ((await slot(early.id)) === (await slot(held))) early = withPattern(base);
        const late = withPattern(base);
        await a.create(T, late);
        await expectExact(b, 'built');
        // A writer holds an insert of an older id (and a revocation) open while newer writes commit.
        try {
          await writer.query('BEGIN');
          await writer.query(
            'CREATE TEMP TABLE copied ON COMMIT DROP AS SELECT * FROM sigils WHERE id = $1',
            [late.id],
          );
          await writer.query('UPDATE copied SET id = $1', [held]);
          await writer.query('INSERT INTO sigils SELECT * FROM copied');
          await writer.query(`UPDATE sigils SET revoked_at = '2026-01-01T00:00:00.000Z' WHERE id = $1`, [
            late.id,
          ]);
          await a.create(T, early);
          await expectExact(b, 'while the writer is open');
          const open = await b.match(T, { pattern: base, threshold: 0, topN: 10 });
          expect(open.map((hit) => hit.id).sort()).toEqual([late.id, early.id].sort());
          await writer.query('COMMIT');
        } finally {
          await writer.end();
        }
        await expectExact(b, 'after the writer committed');
        const after = await b.match(T, { pattern: base, threshold: 0, topN: 10 });
        expect(after.map((hit) => hit.id).sort()).toEqual([early.id, held].sort());
      });

      it('rebuilds, still exact, when the change log was pruned past its horizon', async () => {
        const { url } = await freshDatabase();
        const a = await open(url, { changeLogRetentionMs: 0 });
        const b = await open(url);
        const records = Array.from({ length: 20 }, () => withPattern(nearBase()));
        for (const record of records.slice(0, 10)) await a.create(T, record);
        await expectExact(b, 'built');
        for (const record of records.slice(10)) await a.create(T, record);
        await a.delete(T, records[0].id);
        await a.pruneChangeLog();
        await expect(sql(url, 'SELECT count(*)::int AS n FROM sigil_changes')).resolves.toEqual([{ n: 0 }]);
        const [mark] = await sql<{ below: string }>(url, 'SELECT below::text FROM sigil_changes_pruned');
        expect(BigInt(mark.below)).toBeGreaterThan(0n);
        await expectExact(b, 'after the prune');
        expect(b.hasMatchIndex(T)).toBe(true);
      });

      it('is off with matchIndexMaxSigils 0 (every match a SQL scan) and bounded otherwise', async () => {
        const { url } = await freshDatabase();
        const off = await open(url, { matchIndexMaxSigils: 0 });
        const bounded = await open(url, { matchIndexMaxSigils: 3 });
        for (const tenant of ['t1', 't2', 't3']) {
          for (let i = 0; i < 2; i++) await off.create(tenant, makeSigilRecord({ tenantId: tenant }));
        }
        const query = { pattern: base, threshold: 0, topN: 5 };
        await expect(off.match('t1', query)).resolves.toHaveLength(2);
        expect(off.hasMatchIndex('t1')).toBe(false);
        for (const tenant of ['t1', 't2', 't3'])
          await expect(bounded.match(tenant, query)).resolves.toHaveLength(2);
        // Two sigils each, three allowed: only the most recently matched tenant is kept.
        expect(['t1', 't2', 't3'].filter((t) => bounded.hasMatchIndex(t))).toEqual(['t3']);
        await expect(
          PostgresSigilRepository.open({ url, ...OPTIONS, matchIndexMaxSigils: -1 }),
        ).rejects.toThrow(/matchIndexMaxSigils/);
      });
    });
  });
});
