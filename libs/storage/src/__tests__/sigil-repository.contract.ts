/**
 * The behaviour every SigilRepository adapter must have. Adapter specs call
 * `describeSigilRepositoryContract` with a factory for a fresh, empty store; nothing here knows
 * which adapter it is testing, so another lib (or the future Postgres adapter) can import this
 * file by relative path and run it unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SigilRecord } from '../sigil-record.js';
import type {
  IdempotencyClaim,
  ListQuery,
  PatternEntry,
  Revocation,
  SigilRepository,
} from '../sigil.repository.js';
import { StorageUnavailableError } from '../storage.errors.js';
import { makeSigilRecord, newSigilId } from './sigil-record.fixture.js';

export interface SigilRepositoryHarness {
  /** An open repository over an empty store. */
  repo: SigilRepository;
  /** Closes the current repository and opens a new one over the same store. Omit if not durable. */
  reopen?: () => Promise<SigilRepository>;
  /** Closes whichever repository is current (it may already be closed) and removes the store. */
  cleanup: () => Promise<void>;
}

// Tenant ids that share a prefix, so a range that leaked past its tenant would show up.
const A = 'acme';
const B = 'acme-b';
const C = 'acme.c';

const HOUR = 60 * 60 * 1000;

function sigilFor(tenantId: string, overrides: Partial<SigilRecord> = {}): SigilRecord {
  return makeSigilRecord({ tenantId, kid: `${tenantId}.k1`, ...overrides });
}

function revocation(overrides: Partial<Revocation> = {}): Revocation {
  return {
    revokedAt: '2025-02-01T00:00:00.000Z',
    revokedBy: 'admin-1',
    reason: 'key compromised',
    ...overrides,
  };
}

function claimFor(overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim {
  return {
    principal: 'user-1',
    key: 'idem-1',
    fingerprint: 'fp-1',
    expiresAt: new Date(Date.now() + HOUR).toISOString(),
    ...overrides,
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function newestFirst(records: SigilRecord[]): string[] {
  return records.map((r) => r.id).sort((x, y) => (x < y ? 1 : x > y ? -1 : 0));
}

/** Follows nextAfter to the end, checking the paging invariants on every page. */
async function listAll(
  repo: SigilRepository,
  tenantId: string,
  query: Omit<ListQuery, 'limit' | 'after'>,
  pageSize: number,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await repo.listPage(tenantId, { ...query, limit: pageSize, ...(after ? { after } : {}) });
    ids.push(...page.items.map((s) => s.id));
    if (page.nextAfter === null) {
      expect(page.items.length).toBeLessThanOrEqual(pageSize);
      return ids;
    }
    expect(page.items.length).toBe(pageSize);
    expect(page.nextAfter).toBe(page.items[page.items.length - 1].id);
    after = page.nextAfter;
  }
  throw new Error('paging did not terminate');
}

async function createAll(repo: SigilRepository, records: SigilRecord[]): Promise<void> {
  for (const record of records) {
    const outcome = await repo.create(record.tenantId, record);
    expect(outcome.status).toBe('created');
  }
}

export function describeSigilRepositoryContract(
  name: string,
  makeRepo: () => Promise<SigilRepositoryHarness>,
): void {
  describe(`SigilRepository contract: ${name}`, () => {
    let harness: SigilRepositoryHarness;
    let repo: SigilRepository;

    beforeEach(async () => {
      harness = await makeRepo();
      repo = harness.repo;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    describe('create and findById', () => {
      it('round-trips a record exactly, unicode and nested data included', async () => {
        const record = sigilFor(A, {
          data: {
            text: 'Zażółć gęślą jaźń — 🦀 "quoted" \\ back\nslash \u0000 nul \u2028',
            lone: '\ud800',
            nested: { list: [1, 2.5, -3e-7, null, true, { deep: [[], {}] }], empty: '' },
            big: Number.MAX_SAFE_INTEGER,
          },
          consciousnessState: { phi: 0.123456, coherence: 1, awareness: 0, resonance: 0.5 },
          metadata: { source: 'ingest/☃', version: '2', tags: ['ünïcode', 'emoji-🎉'] },
          expiresAt: '2030-01-01T00:00:00.000Z',
        });
        const outcome = await repo.create(A, record);
        expect(outcome).toEqual({ status: 'created', sigil: record });

        const found = await repo.findById(A, record.id);
        expect(found).toEqual(record);
        expect(JSON.stringify(found)).toBe(JSON.stringify(record));
      });

      it('returns null for an unknown id', async () => {
        await repo.create(A, sigilFor(A));
        await expect(repo.findById(A, newSigilId())).resolves.toBeNull();
      });

      it('hands out copies: changing a returned record does not change the store', async () => {
        const record = sigilFor(A);
        const outcome = await repo.create(A, record);
        record.data.subject = 'changed after create';
        if (outcome.status === 'created') outcome.sigil.metadata.tags?.push('changed');
        const found = await repo.findById(A, record.id);
        expect(found?.data.subject).toBe('fixture');
        found!.revokedAt = 'changed after find';
        const again = await repo.findById(A, record.id);
        expect(again?.metadata.tags).toEqual(['fixture']);
        expect(again?.revokedAt).toBeNull();
      });

      it('rejects a sigil whose tenantId is not the tenant it is stored under', async () => {
        await expect(repo.create(A, sigilFor(B))).rejects.toThrow(TypeError);
        await expect(collect(repo.tenants())).resolves.toEqual([]);
      });
    });

    it('rejects an empty tenant on every tenant-scoped method', async () => {
      const record = sigilFor('');
      const calls: [string, () => Promise<unknown>][] = [
        ['create', () => repo.create('', record)],
        ['create with claim', () => repo.create('', record, claimFor())],
        ['findById', () => repo.findById('', record.id)],
        ['revoke', () => repo.revoke('', record.id, revocation())],
        ['delete', () => repo.delete('', record.id)],
        ['listPage', () => repo.listPage('', { limit: 10 })],
        ['patterns', () => collect(repo.patterns(''))],
      ];
      for (const [method, call] of calls) {
        // Wrapped so an adapter may throw synchronously or reject; both count.
        await expect((async () => call())(), method).rejects.toThrow(TypeError);
      }
      await expect(collect(repo.tenants())).resolves.toEqual([]);
    });

    it('keeps tenants apart, even with the same sigil id and prefix-sharing tenant ids', async () => {
      const id = newSigilId();
      const shared = { source: 'shared-src', tags: ['shared'] };
      const a = sigilFor(A, { id, data: { owner: 'a' }, metadata: shared });
      const b = sigilFor(B, { id, data: { owner: 'b' }, metadata: shared });
      await createAll(repo, [a, b]);

      await expect(repo.findById(A, id)).resolves.toEqual(a);
      await expect(repo.findById(B, id)).resolves.toEqual(b);
      await expect(repo.findById(C, id)).resolves.toBeNull();

      const revoked = await repo.revoke(A, id, revocation());
      expect(revoked?.revokedAt).not.toBeNull();
      await expect(repo.findById(B, id)).resolves.toEqual(b);
      await expect(repo.revoke(C, id, revocation())).resolves.toBeNull();
      await expect(repo.listPage(B, { limit: 10, revoked: true })).resolves.toEqual({
        items: [],
        nextAfter: null,
      });
      await expect(repo.listPage(A, { limit: 10, revoked: true })).resolves.toEqual({
        items: [revoked],
        nextAfter: null,
      });
      await expect(collect(repo.patterns(B))).resolves.toEqual([
        { id, resonancePattern: b.dna.resonancePattern, revoked: false },
      ]);

      await expect(repo.delete(C, id)).resolves.toBe(false);
      await expect(repo.delete(A, id)).resolves.toBe(true);
      await expect(repo.findById(B, id)).resolves.toEqual(b);
      for (const query of [{}, { tag: 'shared' }, { source: 'shared-src' }, { revoked: false }]) {
        await expect(repo.listPage(B, { limit: 10, ...query })).resolves.toEqual({
          items: [b],
          nextAfter: null,
        });
        await expect(repo.listPage(A, { limit: 10, ...query })).resolves.toEqual({
          items: [],
          nextAfter: null,
        });
      }
      await expect(repo.listPage(C, { limit: 10 })).resolves.toEqual({ items: [], nextAfter: null });
      await expect(collect(repo.patterns(A))).resolves.toEqual([]);
      await expect(collect(repo.patterns(C))).resolves.toEqual([]);
    });

    describe('listPage', () => {
      it('lists newest first and honours the limit', async () => {
        const records = Array.from({ length: 5 }, () => sigilFor(A));
        await createAll(repo, records);
        const expected = newestFirst(records);

        const first = await repo.listPage(A, { limit: 3 });
        expect(first.items.map((s) => s.id)).toEqual(expected.slice(0, 3));
        expect(first.nextAfter).toBe(expected[2]);

        const exact = await repo.listPage(A, { limit: 5 });
        expect(exact.items.map((s) => s.id)).toEqual(expected);
        expect(exact.nextAfter).toBeNull();

        const wide = await repo.listPage(A, { limit: 200 });
        expect(wide.items).toEqual([...records].reverse());
        expect(wide.nextAfter).toBeNull();
      });

      it('returns an empty last page for a tenant without sigils', async () => {
        await expect(repo.listPage(A, { limit: 10 })).resolves.toEqual({ items: [], nextAfter: null });
      });

      it('pages with nextAfter to exhaustion, after being strictly older', async () => {
        const records = Array.from({ length: 7 }, () => sigilFor(A));
        await createAll(repo, records);
        const expected = newestFirst(records);

        await expect(listAll(repo, A, {}, 3)).resolves.toEqual(expected);
        await expect(listAll(repo, A, {}, 1)).resolves.toEqual(expected);
        const older = await repo.listPage(A, { limit: 10, after: expected[3] });
        expect(older.items.map((s) => s.id)).toEqual(expected.slice(4));
        const none = await repo.listPage(A, { limit: 10, after: expected[6] });
        expect(none).toEqual({ items: [], nextAfter: null });
      });

      it('filters by tag, source and revoked, alone and combined, across pages', async () => {
        const r1 = sigilFor(A, { metadata: { tags: ['red'], source: 'alpha' } });
        const r2 = sigilFor(A, { metadata: { tags: ['blue'], source: 'beta' } });
        const r3 = sigilFor(A, { metadata: { tags: ['red', 'blue'], source: 'alpha' } });
        const r4 = sigilFor(A, { metadata: {} });
        // Stored already revoked, where r3 is revoked afterwards: both paths must be filterable.
        const r5 = sigilFor(A, {
          metadata: { tags: ['red'], source: 'beta' },
          revokedAt: '2025-01-02T00:00:00.000Z',
          revokedBy: 'admin-0',
          revocationReason: null,
        });
        const r6 = sigilFor(A, { metadata: { tags: ['red', 'red'], source: 'alpha' } });
        const other = sigilFor(B, { metadata: { tags: ['red', 'blue'], source: 'alpha' } });
        await createAll(repo, [r1, r2, r3, r4, r5, r6, other]);
        await repo.revoke(A, r3.id, revocation());

        const cases: [Omit<ListQuery, 'limit'>, SigilRecord[]][] = [
          [{ tag: 'red' }, [r6, r5, r3, r1]],
          [{ tag: 'blue' }, [r3, r2]],
          [{ tag: 'green' }, []],
          [{ source: 'alpha' }, [r6, r3, r1]],
          [{ source: 'beta' }, [r5, r2]],
          [{ revoked: true }, [r5, r3]],
          [{ revoked: false }, [r6, r4, r2, r1]],
          [{ tag: 'red', source: 'alpha' }, [r6, r3, r1]],
          [{ tag: 'red', revoked: false }, [r6, r1]],
          [{ source: 'beta', revoked: true }, [r5]],
          [{ tag: 'blue', source: 'alpha', revoked: true }, [r3]],
          [{ tag: 'red', source: 'beta', revoked: false }, []],
        ];
        for (const [query, expected] of cases) {
          const ids = expected.map((r) => r.id);
          const label = JSON.stringify(query);
          expect(await listAll(repo, A, query, 1), label).toEqual(ids);
          expect(await listAll(repo, A, query, 2), label).toEqual(ids);
          expect(await listAll(repo, A, query, 200), label).toEqual(ids);
        }
      });

      it('matches tags and sources exactly, whatever characters they contain', async () => {
        const tags = ['a', 'a!b', 'a!', '!a', 'a%21b', 'a%0021b', 'a b', 'żółw', '\ud800', 't'.repeat(50)];
        const sources = ['x', 'x!y', 'x!', 'x%y', 's'.repeat(100)];
        const byTag = tags.map((tag) => sigilFor(A, { metadata: { tags: [tag] } }));
        const bySource = sources.map((source) => sigilFor(A, { metadata: { source } }));
        await createAll(repo, [...byTag, ...bySource]);

        for (const [i, tag] of tags.entries()) {
          const page = await repo.listPage(A, { limit: 50, tag });
          expect(
            page.items.map((s) => s.id),
            tag,
          ).toEqual([byTag[i].id]);
        }
        for (const [i, source] of sources.entries()) {
          const page = await repo.listPage(A, { limit: 50, source });
          expect(
            page.items.map((s) => s.id),
            source,
          ).toEqual([bySource[i].id]);
        }
      });

      it('never repeats or skips an existing sigil while others insert between pages', async () => {
        const existing = Array.from({ length: 12 }, (_, i) =>
          sigilFor(A, { metadata: { tags: i % 2 === 0 ? ['even'] : ['odd'] } }),
        );
        await createAll(repo, existing);
        const inserted: SigilRecord[] = [];

        for (const query of [{}, { tag: 'even' }, { revoked: false }]) {
          const existingNow = [...existing, ...inserted];
          const seen: string[] = [];
          let after: string | undefined;
          do {
            const page = await repo.listPage(A, { ...query, limit: 2, ...(after ? { after } : {}) });
            seen.push(...page.items.map((s) => s.id));
            after = page.nextAfter ?? undefined;
            // Another writer, same tenant and same tags, lands between every two page reads.
            const batch = [
              sigilFor(A, { metadata: { tags: ['even'] } }),
              sigilFor(A, { metadata: { tags: ['odd'] } }),
            ];
            await Promise.all(batch.map((r) => repo.create(A, r)));
            inserted.push(...batch);
          } while (after !== undefined);

          const expected = existingNow.filter((r) => !('tag' in query) || r.metadata.tags?.includes('even'));
          expect(seen, JSON.stringify(query)).toEqual(newestFirst(expected));
        }
        await expect(listAll(repo, A, {}, 7)).resolves.toEqual(newestFirst([...existing, ...inserted]));
      });

      it('keeps paging when the cursor sigil and unread sigils are deleted or revoked', async () => {
        const records = Array.from({ length: 9 }, () => sigilFor(A));
        await createAll(repo, records);
        const ids = newestFirst(records);

        const first = await repo.listPage(A, { limit: 3, revoked: false });
        expect(first.nextAfter).toBe(ids[2]);
        await expect(repo.delete(A, ids[2])).resolves.toBe(true);
        await expect(repo.delete(A, ids[4])).resolves.toBe(true);
        await repo.revoke(A, ids[6], revocation());

        const rest = await repo.listPage(A, { limit: 10, revoked: false, after: first.nextAfter! });
        expect(rest.items.map((s) => s.id)).toEqual([ids[3], ids[5], ids[7], ids[8]]);
        expect(rest.nextAfter).toBeNull();
      });
    });

    describe('revoke', () => {
      it('revokes once; a second revoke returns the first revocation unchanged', async () => {
        const record = sigilFor(A);
        await repo.create(A, record);

        const first = await repo.revoke(A, record.id, revocation({ reason: null }));
        expect(first).toEqual({
          ...record,
          revokedAt: '2025-02-01T00:00:00.000Z',
          revokedBy: 'admin-1',
          revocationReason: null,
        });
        const second = await repo.revoke(
          A,
          record.id,
          revocation({ revokedAt: '2026-01-01T00:00:00.000Z', revokedBy: 'admin-2', reason: 'again' }),
        );
        expect(second).toEqual(first);
        await expect(repo.findById(A, record.id)).resolves.toEqual(first);
      });

      it('lets exactly one of many concurrent revokes win', async () => {
        const record = sigilFor(A);
        await repo.create(A, record);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            repo.revoke(A, record.id, revocation({ revokedBy: `admin-${i}` })),
          ),
        );
        const stored = await repo.findById(A, record.id);
        expect(stored?.revokedBy).toMatch(/^admin-\d$/);
        for (const result of results) expect(result).toEqual(stored);
      });

      it('returns null for a missing sigil and stores nothing', async () => {
        const id = newSigilId();
        await expect(repo.revoke(A, id, revocation())).resolves.toBeNull();
        await expect(repo.findById(A, id)).resolves.toBeNull();
        await expect(repo.listPage(A, { limit: 10, revoked: true })).resolves.toEqual({
          items: [],
          nextAfter: null,
        });
      });
    });

    describe('delete', () => {
      it('removes the sigil from reads, every filter and patterns; a second delete is false', async () => {
        const keep = sigilFor(A, { metadata: { tags: ['t1'], source: 'src' } });
        const gone = sigilFor(A, { metadata: { tags: ['t1', 't2'], source: 'src' } });
        await createAll(repo, [keep, gone]);
        await repo.revoke(A, gone.id, revocation());

        await expect(repo.delete(A, gone.id)).resolves.toBe(true);
        await expect(repo.delete(A, gone.id)).resolves.toBe(false);
        await expect(repo.findById(A, gone.id)).resolves.toBeNull();
        await expect(repo.findById(A, keep.id)).resolves.toEqual(keep);
        for (const query of [{}, { tag: 't1' }, { source: 'src' }, { revoked: false }]) {
          await expect(listAll(repo, A, query, 1)).resolves.toEqual([keep.id]);
        }
        for (const query of [{ tag: 't2' }, { revoked: true }]) {
          await expect(listAll(repo, A, query, 1)).resolves.toEqual([]);
        }
        const patterns = await collect(repo.patterns(A));
        expect(patterns.map((p) => p.id)).toEqual([keep.id]);
      });

      it('returns false for a sigil that never existed', async () => {
        await expect(repo.delete(A, newSigilId())).resolves.toBe(false);
      });

      it('is not undone by a revoke racing it', async () => {
        const record = sigilFor(A);
        await repo.create(A, record);
        await Promise.all([repo.revoke(A, record.id, revocation()), repo.delete(A, record.id)]);
        await expect(repo.findById(A, record.id)).resolves.toBeNull();
        await expect(repo.listPage(A, { limit: 10 })).resolves.toEqual({ items: [], nextAfter: null });
      });
    });

    describe('idempotency claims', () => {
      it('replays the first sigil for the same key and fingerprint', async () => {
        const first = sigilFor(A);
        const retry = sigilFor(A);
        await expect(repo.create(A, first, claimFor())).resolves.toEqual({ status: 'created', sigil: first });
        await expect(repo.create(A, retry, claimFor())).resolves.toEqual({
          status: 'replayed',
          sigil: first,
        });
        await expect(repo.findById(A, retry.id)).resolves.toBeNull();
        await expect(listAll(repo, A, {}, 10)).resolves.toEqual([first.id]);
      });

      it('replays the sigil as it is now, revoked included', async () => {
        const first = sigilFor(A);
        await repo.create(A, first, claimFor());
        const revoked = await repo.revoke(A, first.id, revocation());
        await expect(repo.create(A, sigilFor(A), claimFor())).resolves.toEqual({
          status: 'replayed',
          sigil: revoked,
        });
      });

      it('reports a conflict for the same key with another fingerprint and stores nothing', async () => {
        const first = sigilFor(A);
        const other = sigilFor(A);
        await repo.create(A, first, claimFor());
        await expect(repo.create(A, other, claimFor({ fingerprint: 'fp-2' }))).resolves.toEqual({
          status: 'conflict',
        });
        await expect(repo.findById(A, other.id)).resolves.toBeNull();
      });

      it('creates a new sigil once the claim has expired, and claims the key for it', async () => {
        const first = sigilFor(A);
        const second = sigilFor(A);
        const third = sigilFor(A);
        const expired = new Date(Date.now() - HOUR).toISOString();
        await repo.create(A, first, claimFor({ expiresAt: expired }));
        await expect(repo.create(A, second, claimFor({ fingerprint: 'fp-2' }))).resolves.toEqual({
          status: 'created',
          sigil: second,
        });
        await expect(repo.create(A, third, claimFor({ fingerprint: 'fp-2' }))).resolves.toEqual({
          status: 'replayed',
          sigil: second,
        });
        await expect(listAll(repo, A, {}, 10)).resolves.toEqual([second.id, first.id]);
      });

      it('creates a new sigil when the claimed sigil was deleted', async () => {
        const first = sigilFor(A);
        const second = sigilFor(A);
        await repo.create(A, first, claimFor());
        await repo.delete(A, first.id);
        await expect(repo.create(A, second, claimFor())).resolves.toEqual({
          status: 'created',
          sigil: second,
        });
      });

      it('scopes keys to the tenant and the principal', async () => {
        const outcomes = await Promise.all([
          repo.create(A, sigilFor(A), claimFor()),
          repo.create(A, sigilFor(A), claimFor({ principal: 'user-2' })),
          repo.create(B, sigilFor(B), claimFor()),
          repo.create(A, sigilFor(A), claimFor({ key: 'idem-2' })),
        ]);
        expect(outcomes.map((o) => o.status)).toEqual(['created', 'created', 'created', 'created']);
      });

      it('mints exactly one sigil for 20 concurrent creates with one claim', async () => {
        const attempts = Array.from({ length: 20 }, () => sigilFor(A));
        const outcomes = await Promise.all(attempts.map((record) => repo.create(A, record, claimFor())));

        const created = outcomes.filter((o) => o.status === 'created');
        const replayed = outcomes.filter((o) => o.status === 'replayed');
        expect(created).toHaveLength(1);
        expect(replayed).toHaveLength(19);
        const ids = new Set(outcomes.map((o) => (o.status === 'conflict' ? null : o.sigil.id)));
        expect(ids.size).toBe(1);
        await expect(listAll(repo, A, {}, 50)).resolves.toEqual([...ids]);
      });
    });

    it('streams every pattern of the tenant with its revocation state', async () => {
      const records = [0.1, 0.2, 0.3].map((v) =>
        sigilFor(A, {
          dna: { digest: 'sha256:' + '0'.repeat(64), resonancePattern: Array<number>(16).fill(v) },
        }),
      );
      await createAll(repo, [...records, sigilFor(B)]);
      await repo.revoke(A, records[1].id, revocation());

      const patterns = await collect(repo.patterns(A));
      const byId = (x: PatternEntry, y: PatternEntry) => (x.id < y.id ? -1 : 1);
      expect(patterns.sort(byId)).toEqual(
        records.map((r, i) => ({ id: r.id, resonancePattern: r.dna.resonancePattern, revoked: i === 1 })),
      );
    });

    it('lists exactly the tenants that have sigils', async () => {
      await expect(collect(repo.tenants())).resolves.toEqual([]);
      const b = sigilFor(B);
      await createAll(repo, [sigilFor(A), sigilFor(A), b, sigilFor(C)]);
      await expect(collect(repo.tenants()).then((t) => t.sort())).resolves.toEqual([A, B, C].sort());
      await repo.delete(B, b.id);
      await expect(collect(repo.tenants()).then((t) => t.sort())).resolves.toEqual([A, C].sort());
    });

    it('pings without leaving anything behind', async () => {
      await expect(repo.ping()).resolves.toBeUndefined();
      await expect(repo.ping()).resolves.toBeUndefined();
      await expect(collect(repo.tenants())).resolves.toEqual([]);
    });

    it('refuses work after close, and closing twice is fine', async () => {
      const record = sigilFor(A);
      await repo.create(A, record);
      await repo.close();
      await repo.close();
      const calls: [string, () => Promise<unknown>][] = [
        ['create', () => repo.create(A, sigilFor(A))],
        ['findById', () => repo.findById(A, record.id)],
        ['revoke', () => repo.revoke(A, record.id, revocation())],
        ['delete', () => repo.delete(A, record.id)],
        ['listPage', () => repo.listPage(A, { limit: 10 })],
        ['patterns', () => collect(repo.patterns(A))],
        ['tenants', () => collect(repo.tenants())],
        ['ping', () => repo.ping()],
      ];
      for (const [method, call] of calls) {
        await expect((async () => call())(), method).rejects.toThrow(StorageUnavailableError);
      }
    });

    it('keeps everything across a reopen', async (ctx) => {
      if (!harness.reopen) return ctx.skip();
      const plain = sigilFor(A, { metadata: { tags: ['keep'], source: 'src' } });
      const claimed = sigilFor(A);
      const gone = sigilFor(B);
      await createAll(repo, [plain, gone]);
      await repo.create(A, claimed, claimFor());
      const revoked = await repo.revoke(A, plain.id, revocation());
      await repo.delete(B, gone.id);

      repo = await harness.reopen();

      await expect(repo.findById(A, plain.id)).resolves.toEqual(revoked);
      await expect(repo.findById(B, gone.id)).resolves.toBeNull();
      await expect(listAll(repo, A, {}, 1)).resolves.toEqual([claimed.id, plain.id]);
      await expect(listAll(repo, A, { tag: 'keep', source: 'src', revoked: true }, 1)).resolves.toEqual([
        plain.id,
      ]);
      await expect(repo.create(A, sigilFor(A), claimFor())).resolves.toEqual({
        status: 'replayed',
        sigil: claimed,
      });
      await expect(collect(repo.tenants())).resolves.toEqual([A]);
      expect((await collect(repo.patterns(A))).map((p) => p.id).sort()).toEqual(
        [plain.id, claimed.id].sort(),
      );
    });

    it('stores 200 concurrent creates durably and lists them all', async () => {
      const records = Array.from({ length: 200 }, (_, i) =>
        sigilFor(A, { metadata: { tags: [`g${i % 4}`] } }),
      );
      const outcomes = await Promise.all(records.map((record) => repo.create(A, record)));
      expect(outcomes.every((o) => o.status === 'created')).toBe(true);

      if (harness.reopen) repo = await harness.reopen();
      await expect(listAll(repo, A, {}, 50)).resolves.toEqual(newestFirst(records));
      await expect(listAll(repo, A, { tag: 'g1' }, 7)).resolves.toEqual(
        newestFirst(records.filter((_, i) => i % 4 === 1)),
      );
      const found = await Promise.all(records.map((record) => repo.findById(A, record.id)));
      expect(found).toEqual(records);
    });
  });
}
