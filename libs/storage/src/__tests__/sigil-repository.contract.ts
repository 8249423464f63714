/**
 * The behaviour every SigilRepository adapter must have. Adapter specs call
 * `describeSigilRepositoryContract` with a factory for a fresh, empty store; nothing here knows
 * which adapter it is testing, so the memory, LevelDB and Postgres specs all run it unchanged and
 * a new adapter is held to the same contract by one more call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  type IdempotencyClaim,
  type ListQuery,
  type MatchQuery,
  type PatternEntry,
  rankMatches,
  type Revocation,
  type SigilRecord,
  type SigilRepository,
  similarity,
  StorageUnavailableError,
} from '#sigil';
import { makeSigilRecord, newSigilId } from './sigil-record.fixture.js';
import { seededRandom } from './seeded-random.js';

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

function revocationFields(r: Revocation): Partial<SigilRecord> {
  return { revokedAt: r.revokedAt, revokedBy: r.revokedBy, revocationReason: r.reason };
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

/** A 16-number pattern: the given leading components, then zeros. */
function pattern(...head: number[]): number[] {
  return [...head, ...Array<number>(16 - head.length).fill(0)];
}

function flat(value: number): number[] {
  return Array<number>(16).fill(value);
}

function withPattern(
  tenantId: string,
  resonancePattern: number[],
  overrides: Partial<SigilRecord> = {},
): SigilRecord {
  return sigilFor(tenantId, { dna: { digest: 'sha256:' + 'e'.repeat(64), resonancePattern }, ...overrides });
}

function matchQuery(queryPattern: number[], overrides: Partial<MatchQuery> = {}): MatchQuery {
  return { pattern: queryPattern, threshold: 0, topN: 100, ...overrides };
}

/** Stored already revoked, as a restore from another store brings it. */
const REVOKED: Partial<SigilRecord> = {
  revokedAt: '2025-01-02T00:00:00.000Z',
  revokedBy: 'admin-0',
  revocationReason: 'revoked before the copy',
};

function entriesOf(records: Iterable<SigilRecord>): PatternEntry[] {
  return [...records].map((r) => ({
    id: r.id,
    resonancePattern: r.dna.resonancePattern,
    revoked: r.revokedAt !== null,
  }));
}

/** The same record with every object's keys in reverse order (as another store may return it). */
function reorderKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => reorderKeys(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reorderKeys(v)])) as T;
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
        ['match', () => repo.match('', matchQuery(flat(0.5)))],
        ['restore', () => repo.restore('', record)],
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

    describe('count', () => {
      it('counts a tenant’s sigils, revoked ones too, and only that tenant’s', async () => {
        await expect(repo.count(A)).resolves.toBe(0);
        const records = Array.from({ length: 5 }, () => sigilFor(A));
        await createAll(repo, records);
        await repo.create(B, sigilFor(B));
        await repo.revoke(A, records[0].id, revocation());
        await expect(repo.count(A)).resolves.toBe(5);
        await expect(repo.count(B)).resolves.toBe(1);
        await expect(repo.count('nobody-here')).resolves.toBe(0);
      });

      it('moves with every insert and delete, and with nothing else', async () => {
        const kept = sigilFor(A);
        const gone = sigilFor(A);
        await createAll(repo, [kept, gone]);
        await expect(repo.delete(A, gone.id)).resolves.toBe(true);
        await expect(repo.delete(A, gone.id)).resolves.toBe(false);
        await expect(repo.delete(A, newSigilId())).resolves.toBe(false);
        await expect(repo.restore(A, kept)).resolves.toBe('unchanged');
        await expect(repo.restore(A, { ...kept, signature: 'f'.repeat(64) })).resolves.toBe('conflict');
        await expect(repo.count(A)).resolves.toBe(1);
        await expect(repo.restore(A, sigilFor(A))).resolves.toBe('inserted');
        await expect(repo.count(A)).resolves.toBe(2);
      });

      it('does not count a replayed or conflicting Idempotency-Key', async () => {
        const claim = {
          principal: 'p',
          key: 'k-count',
          fingerprint: 'f1',
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        };
        await expect(repo.create(A, sigilFor(A), claim)).resolves.toMatchObject({ status: 'created' });
        await expect(repo.create(A, sigilFor(A), claim)).resolves.toMatchObject({ status: 'replayed' });
        await expect(repo.create(A, sigilFor(A), { ...claim, fingerprint: 'f2' })).resolves.toEqual({
          status: 'conflict',
        });
        await expect(repo.count(A)).resolves.toBe(1);
      });

      it('is exact under concurrent creates, restores and deletes', async () => {
        const seeded = Array.from({ length: 40 }, () => sigilFor(A));
        await createAll(repo, seeded);
        const fresh = Array.from({ length: 60 }, () => sigilFor(A));
        await Promise.all([
          ...fresh.slice(0, 30).map((r) => repo.create(A, r)),
          ...fresh.slice(30).map((r) => repo.restore(A, r)),
          ...seeded.slice(0, 25).map((r) => repo.delete(A, r.id)),
          // The same deletes again, racing the first: each record is deleted, and counted, once.
          ...seeded.slice(0, 25).map((r) => repo.delete(A, r.id)),
          ...Array.from({ length: 10 }, () => repo.count(A)),
        ]);
        await expect(repo.count(A)).resolves.toBe(40 + 60 - 25);
        if (harness.reopen) {
          repo = await harness.reopen();
          await expect(repo.count(A)).resolves.toBe(75);
        }
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

    describe('match', () => {
      const query = pattern(1);

      it('ranks by similarity desc, then id desc, and honours topN', async () => {
        const far = withPattern(A, pattern(1, 0.9));
        const sameOlder = withPattern(A, pattern(0.5));
        const near = withPattern(A, pattern(1, 0.1));
        const mid = withPattern(A, pattern(1, 0.5));
        const same = withPattern(A, pattern(1));
        const orthogonal = withPattern(A, pattern(0, 1));
        await createAll(repo, [far, sameOlder, near, mid, same, orthogonal]);

        // Hand-computed: 1/√(1+k²) rounded to 6 decimals; `sameOlder` is a multiple of the query.
        const ranked = [
          { id: same.id, similarity: 1 },
          { id: sameOlder.id, similarity: 1 },
          { id: near.id, similarity: 0.995037 },
          { id: mid.id, similarity: 0.894427 },
          { id: far.id, similarity: 0.743294 },
          { id: orthogonal.id, similarity: 0 },
        ];
        await expect(repo.match(A, matchQuery(query))).resolves.toEqual(ranked);
        for (const topN of [1, 2, 3, 5, 6, 7]) {
          await expect(repo.match(A, matchQuery(query, { topN })), `topN ${topN}`).resolves.toEqual(
            ranked.slice(0, topN),
          );
        }
      });

      it('breaks ties newest first, also where topN cuts through them', async () => {
        const tied = Array.from({ length: 5 }, () => withPattern(A, pattern(0.25, 0.5, 0.75)));
        const better = withPattern(A, pattern(0.5, 1, 1));
        // Differs below the 6th decimal, so it ties after rounding.
        const almost = withPattern(A, pattern(0.25, 0.5, 0.750001));
        await createAll(repo, [tied[0], tied[1], better, tied[2], almost, tied[3], tied[4]]);
        const q = pattern(0.25, 0.5, 0.75);
        expect(similarity(q, almost.dna.resonancePattern)).toBe(1);

        const tiedIds = newestFirst([...tied, almost]);
        const hits = await repo.match(A, matchQuery(q));
        expect(hits.map((h) => h.id)).toEqual([...tiedIds, better.id]);
        expect(hits.slice(0, 6).every((h) => h.similarity === 1)).toBe(true);
        const top3 = await repo.match(A, matchQuery(q, { topN: 3 }));
        expect(top3.map((h) => h.id)).toEqual(tiedIds.slice(0, 3));
      });

      it('applies the threshold inclusively, to the rounded similarity', async () => {
        const ascending = Array.from({ length: 16 }, (_, i) => (i + 1) / 16);
        const descending = [...ascending].reverse();
        const record = withPattern(A, descending);
        const other = withPattern(A, pattern(1));
        await createAll(repo, [record, other]);
        // 6/11 = 0.5454545…, which rounds up to 0.545455: the rounded value is what is compared.
        const q = ascending;
        const at = (threshold: number) => repo.match(A, matchQuery(q, { threshold }));

        // `other` scores 1/16 ÷ |q| = 0.025854.
        await expect(at(0.025854)).resolves.toEqual([
          { id: record.id, similarity: 0.545455 },
          { id: other.id, similarity: 0.025854 },
        ]);
        await expect(at(0.025855)).resolves.toEqual([{ id: record.id, similarity: 0.545455 }]);
        await expect(at(0.545455)).resolves.toEqual([{ id: record.id, similarity: 0.545455 }]);
        await expect(at(0.545456)).resolves.toEqual([]);
        await expect(at(1)).resolves.toEqual([]);
        const exact = withPattern(A, [...ascending]);
        await createAll(repo, [exact]);
        await expect(at(1)).resolves.toEqual([{ id: exact.id, similarity: 1 }]);
      });

      it('scores a zero pattern 0, so only threshold 0 admits it', async () => {
        const zero = withPattern(A, flat(0));
        const some = withPattern(A, flat(0.5));
        await createAll(repo, [zero, some]);
        await expect(repo.match(A, matchQuery(flat(0.3)))).resolves.toEqual([
          { id: some.id, similarity: 1 },
          { id: zero.id, similarity: 0 },
        ]);
        await expect(repo.match(A, matchQuery(flat(0), { threshold: 0 }))).resolves.toEqual([
          { id: some.id, similarity: 0 },
          { id: zero.id, similarity: 0 },
        ]);
        await expect(repo.match(A, matchQuery(flat(0), { threshold: 1e-6 }))).resolves.toEqual([]);
      });

      it('leaves out excludeId, and only that sigil', async () => {
        const self = withPattern(A, pattern(0.2, 0.4, 0.6));
        const twin = withPattern(A, pattern(0.2, 0.4, 0.6));
        await createAll(repo, [self, twin]);
        const q = self.dna.resonancePattern;
        await expect(repo.match(A, matchQuery(q, { excludeId: self.id }))).resolves.toEqual([
          { id: twin.id, similarity: 1 },
        ]);
        const all = [
          { id: twin.id, similarity: 1 },
          { id: self.id, similarity: 1 },
        ];
        await expect(repo.match(A, matchQuery(q, { excludeId: newSigilId() }))).resolves.toEqual(all);
        await expect(repo.match(A, matchQuery(q))).resolves.toEqual(all);
      });

      it('never returns a revoked sigil, whether revoked later or stored revoked, reopened or not', async () => {
        const live = withPattern(A, flat(0.5));
        const storedRevoked = withPattern(A, flat(0.5), REVOKED);
        const later = withPattern(A, flat(0.5));
        await createAll(repo, [live, storedRevoked, later]);
        const ids = async () => (await repo.match(A, matchQuery(flat(0.5)))).map((h) => h.id);

        await expect(ids()).resolves.toEqual([later.id, live.id]);
        await repo.revoke(A, later.id, revocation());
        await expect(ids()).resolves.toEqual([live.id]);
        // Revocation is final: revoking again, or anything else, never brings it back.
        await repo.revoke(A, later.id, revocation({ revokedBy: 'admin-2' }));
        await expect(repo.restore(A, { ...later, revokedAt: null })).resolves.toBe('conflict');
        await expect(ids()).resolves.toEqual([live.id]);
        if (harness.reopen) {
          repo = await harness.reopen();
          await expect(ids()).resolves.toEqual([live.id]);
        }
      });

      it('forgets deleted sigils, and finds one again once it is restored', async () => {
        const keep = withPattern(A, flat(0.5));
        const gone = withPattern(A, flat(0.5));
        await createAll(repo, [keep, gone]);
        const ids = async () => (await repo.match(A, matchQuery(flat(1)))).map((h) => h.id);

        await expect(ids()).resolves.toEqual([gone.id, keep.id]);
        await repo.delete(A, gone.id);
        await expect(ids()).resolves.toEqual([keep.id]);
        await repo.delete(A, keep.id);
        await expect(ids()).resolves.toEqual([]);
        await expect(repo.restore(A, gone)).resolves.toBe('inserted');
        await expect(ids()).resolves.toEqual([gone.id]);
      });

      it('only ever returns sigils of the tenant asked about', async () => {
        const id = newSigilId();
        const a = withPattern(A, flat(0.5), { id });
        const b = withPattern(B, flat(0.5), { id });
        const b2 = withPattern(B, flat(0.5));
        await createAll(repo, [a, b, b2]);
        const q = matchQuery(flat(0.5));

        await expect(repo.match(A, q)).resolves.toEqual([{ id, similarity: 1 }]);
        await expect(repo.match(C, q)).resolves.toEqual([]);
        // Writes elsewhere after a tenant's first match change nothing for it.
        await createAll(repo, [withPattern(B, flat(0.5)), withPattern(C, flat(0.5))]);
        await repo.revoke(B, id, revocation());
        await expect(repo.match(A, q)).resolves.toEqual([{ id, similarity: 1 }]);
        await repo.delete(A, id);
        await expect(repo.match(A, q)).resolves.toEqual([]);
        await expect(repo.match(B, q).then((h) => h.map((x) => x.id))).resolves.toHaveLength(2);
        await expect(repo.match(C, q).then((h) => h.length)).resolves.toBe(1);
      });

      it('answers exactly like rankMatches over the same records, for 200 random queries', async () => {
        const random = seededRandom(0x51611);
        const six = () => Math.round(random() * 1e6) / 1e6;
        const coarse = () => [0, 0.5, 1][Math.floor(random() * 3)];
        const randomPattern = (): number[] => {
          const kind = random();
          // Coarse patterns collide often: ties and exact-threshold hits get exercised.
          if (kind < 0.3) return Array.from({ length: 16 }, coarse);
          if (kind < 0.35) return flat(0);
          return Array.from({ length: 16 }, six);
        };
        const live = new Map<string, SigilRecord>();
        const first = Array.from({ length: 120 }, () =>
          withPattern(A, randomPattern(), random() < 0.1 ? REVOKED : {}),
        );
        await createAll(repo, first);
        for (const r of first) live.set(r.id, r);
        // Matched once before the rest is written, so an adapter that indexes must keep up with it.
        await repo.match(A, matchQuery(randomPattern()));

        const second = Array.from({ length: 120 }, () => withPattern(A, randomPattern()));
        const restored = Array.from({ length: 30 }, () =>
          withPattern(A, randomPattern(), random() < 0.3 ? REVOKED : {}),
        );
        await Promise.all([
          ...second.map((r) => repo.create(A, r)),
          ...restored.map((r) => repo.restore(A, r)),
          repo.create(B, withPattern(B, flat(0.5))),
        ]);
        for (const r of [...second, ...restored]) live.set(r.id, r);
        const ids = [...live.keys()];
        for (const id of ids.filter(() => random() < 0.12)) {
          const revoked = await repo.revoke(A, id, revocation());
          live.set(id, revoked!);
        }
        for (const id of ids.filter(() => random() < 0.1)) {
          await repo.delete(A, id);
          live.delete(id);
        }

        const stored = [...live.values()];
        const queries = Array.from({ length: 200 }, (): MatchQuery => {
          const source = random() < 0.3 ? stored[Math.floor(random() * stored.length)] : undefined;
          const q = source ? source.dna.resonancePattern : randomPattern();
          const pick = random();
          const threshold =
            pick < 0.2
              ? 0
              : pick < 0.4
                ? 0.5
                : pick < 0.6
                  ? six()
                  : similarity(q, stored[Math.floor(random() * stored.length)].dna.resonancePattern);
          return {
            pattern: q,
            threshold,
            topN: 1 + Math.floor(random() * (random() < 0.2 ? 400 : 20)),
            ...(source && random() < 0.7 ? { excludeId: source.id } : {}),
          };
        });
        const check = async (label: string) => {
          for (const [i, q] of queries.entries()) {
            const expected = rankMatches(entriesOf(live.values()), q);
            expect(await repo.match(A, q), `${label} query ${i}: ${JSON.stringify(q)}`).toEqual(expected);
          }
        };
        await check('live');
        if (harness.reopen) {
          repo = await harness.reopen();
          await check('after reopen');
        }
      });

      it('stays exact when writes race the first matches', async () => {
        const before = Array.from({ length: 50 }, (_, i) => withPattern(A, pattern(1, i / 50)));
        await createAll(repo, before);
        const during = Array.from({ length: 50 }, (_, i) => withPattern(A, pattern(i / 50, 1)));
        const q = matchQuery(pattern(1, 1), { topN: 200 });
        const results = await Promise.all([
          ...Array.from({ length: 5 }, () => repo.match(A, q)),
          ...during.map((r) => repo.create(A, r)),
          repo.revoke(A, before[0].id, revocation()),
          repo.delete(A, before[1].id),
          ...Array.from({ length: 5 }, () => repo.match(A, q)),
        ]);
        expect(results).toHaveLength(62);
        const final = [...before.slice(2), ...during];
        await expect(repo.match(A, q)).resolves.toEqual(rankMatches(entriesOf(final), q));
      });

      it('rejects a malformed query with RangeError', async () => {
        await createAll(repo, [sigilFor(A)]);
        const bad: [string, MatchQuery][] = [
          ['short pattern', matchQuery(flat(0.5).slice(1))],
          ['long pattern', matchQuery([...flat(0.5), 0.5])],
          ['NaN in pattern', matchQuery([Number.NaN, ...flat(0.5).slice(1)])],
          ['NaN threshold', matchQuery(flat(0.5), { threshold: Number.NaN })],
          ['topN 0', matchQuery(flat(0.5), { topN: 0 })],
          ['fractional topN', matchQuery(flat(0.5), { topN: 1.5 })],
        ];
        for (const [label, q] of bad) {
          await expect((async () => repo.match(A, q))(), label).rejects.toThrow(RangeError);
        }
      });
    });

    describe('restore', () => {
      it('inserts, then reports unchanged, then conflict for a modified copy without writing it', async () => {
        const record = sigilFor(A, { metadata: { tags: ['restored'], source: 'backup' } });
        await expect(repo.restore(A, record)).resolves.toBe('inserted');
        await expect(repo.restore(A, record)).resolves.toBe('unchanged');
        // The same JSON value with keys in another order (as jsonb returns it) is the same record.
        await expect(repo.restore(A, reorderKeys(record))).resolves.toBe('unchanged');

        const modified: SigilRecord[] = [
          { ...record, data: { subject: 'other' } },
          { ...record, ...REVOKED },
          { ...record, metadata: { tags: ['other'], source: 'backup' } },
          { ...record, dna: { ...record.dna, resonancePattern: flat(0.5) } },
          { ...record, signature: 'b3RoZXI=' },
        ];
        for (const copy of modified) {
          await expect(repo.restore(A, copy)).resolves.toBe('conflict');
        }
        await expect(repo.findById(A, record.id)).resolves.toEqual(record);
        await expect(listAll(repo, A, { tag: 'other' }, 10)).resolves.toEqual([]);
        await expect(listAll(repo, A, { revoked: true }, 10)).resolves.toEqual([]);
        await expect(listAll(repo, A, { tag: 'restored', source: 'backup' }, 10)).resolves.toEqual([
          record.id,
        ]);
        await expect(repo.match(A, matchQuery(record.dna.resonancePattern))).resolves.toEqual([
          { id: record.id, similarity: 1 },
        ]);
      });

      it('reports unchanged for a record that was created the ordinary way', async () => {
        const record = sigilFor(A);
        await createAll(repo, [record]);
        await expect(repo.restore(A, record)).resolves.toBe('unchanged');
        await expect(repo.restore(A, { ...record, createdBy: 'someone-else' })).resolves.toBe('conflict');
      });

      it('makes a restored sigil findable, listable, filterable and matchable like a created one', async () => {
        // Ids minted first, so restored sigils are older than created ones yet arrive after them.
        const old1 = withPattern(A, flat(0.5), { metadata: { tags: ['red'], source: 'alpha' } });
        const old2 = withPattern(A, flat(0.5), {
          metadata: { tags: ['red', 'blue'], source: 'beta' },
          ...REVOKED,
        });
        const old3 = withPattern(A, pattern(1), { metadata: {} });
        const new1 = withPattern(A, flat(0.5), { metadata: { tags: ['red'], source: 'alpha' } });
        const new2 = withPattern(A, pattern(1), { metadata: { tags: ['blue'], source: 'beta' } });
        await createAll(repo, [new1, new2]);
        await repo.match(A, matchQuery(flat(0.5)));
        for (const record of [old2, old3, old1]) {
          await expect(repo.restore(A, record)).resolves.toBe('inserted');
        }

        for (const record of [old1, old2, old3, new1, new2]) {
          await expect(repo.findById(A, record.id)).resolves.toEqual(record);
        }
        const cases: [Omit<ListQuery, 'limit'>, SigilRecord[]][] = [
          [{}, [new2, new1, old3, old2, old1]],
          [{ tag: 'red' }, [new1, old2, old1]],
          [{ tag: 'blue' }, [new2, old2]],
          [{ source: 'alpha' }, [new1, old1]],
          [{ source: 'beta', revoked: true }, [old2]],
          [{ revoked: false }, [new2, new1, old3, old1]],
        ];
        for (const [query, expected] of cases) {
          const label = JSON.stringify(query);
          expect(await listAll(repo, A, query, 2), label).toEqual(expected.map((r) => r.id));
        }
        await expect(repo.match(A, matchQuery(flat(0.5), { threshold: 1 }))).resolves.toEqual([
          { id: new1.id, similarity: 1 },
          { id: old1.id, similarity: 1 },
        ]);
        await expect(collect(repo.tenants())).resolves.toEqual([A]);
        const patterns = await collect(repo.patterns(A));
        expect(patterns.map((p) => p.id).sort()).toEqual(
          newestFirst([old1, old2, old3, new1, new2]).reverse(),
        );

        // Restored sigils carry every index entry: revoke and delete clean them up as for created ones.
        await repo.revoke(A, old1.id, revocation());
        await expect(listAll(repo, A, { revoked: true }, 10)).resolves.toEqual([old2.id, old1.id]);
        await expect(repo.delete(A, old2.id)).resolves.toBe(true);
        for (const query of [{ tag: 'blue' }, { source: 'beta' }, { revoked: true }]) {
          const ids = await listAll(repo, A, query, 10);
          expect(ids, JSON.stringify(query)).not.toContain(old2.id);
        }
        await expect(repo.match(A, matchQuery(flat(0.5), { threshold: 1 }))).resolves.toEqual([
          { id: new1.id, similarity: 1 },
        ]);
      });

      it('restores into each tenant independently', async () => {
        const id = newSigilId();
        const a = sigilFor(A, { id, data: { owner: 'a' } });
        const b = sigilFor(B, { id, data: { owner: 'b' } });
        await expect(repo.restore(A, a)).resolves.toBe('inserted');
        await expect(repo.restore(B, b)).resolves.toBe('inserted');
        await expect(repo.restore(B, b)).resolves.toBe('unchanged');
        await expect(repo.findById(A, id)).resolves.toEqual(a);
        await expect(repo.findById(B, id)).resolves.toEqual(b);
        await expect(repo.findById(C, id)).resolves.toBeNull();
        await expect(collect(repo.tenants()).then((t) => t.sort())).resolves.toEqual([A, B].sort());
        await repo.delete(A, id);
        await expect(repo.restore(B, b)).resolves.toBe('unchanged');
        await expect(repo.restore(A, a)).resolves.toBe('inserted');
      });

      it('refuses a record whose tenantId is not the tenant it is restored into', async () => {
        const record = sigilFor(B);
        await expect((async () => repo.restore(A, record))()).rejects.toThrow(TypeError);
        await expect(repo.findById(A, record.id)).resolves.toBeNull();
        await expect(repo.findById(B, record.id)).resolves.toBeNull();
        await expect(collect(repo.tenants())).resolves.toEqual([]);
      });

      it('inserts once under concurrent restores of one id', async () => {
        const record = sigilFor(A);
        const same = await Promise.all(Array.from({ length: 10 }, () => repo.restore(A, record)));
        expect(same.filter((o) => o === 'inserted')).toHaveLength(1);
        expect(same.filter((o) => o === 'unchanged')).toHaveLength(9);

        const id = newSigilId();
        const rivals = Array.from({ length: 10 }, (_, i) => sigilFor(A, { id, data: { rival: i } }));
        const outcomes = await Promise.all(rivals.map((r) => repo.restore(A, r)));
        expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(1);
        expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(9);
        const winner = rivals[outcomes.indexOf('inserted')];
        await expect(repo.findById(A, id)).resolves.toEqual(winner);
        await expect(listAll(repo, A, {}, 10)).resolves.toEqual([id, record.id]);
      });

      it('is durable: a restored sigil survives a reopen', async (ctx) => {
        if (!harness.reopen) return ctx.skip();
        const record = withPattern(A, flat(0.25), { metadata: { tags: ['kept'] } });
        await expect(repo.restore(A, record)).resolves.toBe('inserted');
        repo = await harness.reopen();
        await expect(repo.findById(A, record.id)).resolves.toEqual(record);
        await expect(repo.restore(A, record)).resolves.toBe('unchanged');
        await expect(listAll(repo, A, { tag: 'kept' }, 10)).resolves.toEqual([record.id]);
        await expect(repo.match(A, matchQuery(flat(1)))).resolves.toEqual([{ id: record.id, similarity: 1 }]);
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
        ['match', () => repo.match(A, matchQuery(flat(0.5)))],
        ['restore', () => repo.restore(A, sigilFor(A))],
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

    describe('rewrap', () => {
      const OLD = { kid: 'acme.k1', signature: 'b2xkLXNpZ25hdHVyZQ==' };
      const NEXT = {
        kid: 'acme.k2',
        signature: 'bmV3LXNpZ25hdHVyZQ==',
        authHash: 'sha256:' + 'ef'.repeat(32),
      };
      const signedBy = (tenantId: string, overrides: Partial<SigilRecord> = {}) =>
        sigilFor(tenantId, { kid: OLD.kid, signature: OLD.signature, ...overrides });

      it('replaces kid, signature and authHash only; the sigil lists, filters and matches as before', async () => {
        const target = withPattern(A, flat(0.5), {
          ...OLD,
          metadata: { tags: ['red', 'blue'], source: 'alpha', version: '2' },
          data: { z: 1, a: [1e-7, 2.5, 'ünï'], nested: { y: null, x: true } },
          expiresAt: '2030-01-01T00:00:00.000Z',
        });
        const revokedOne = withPattern(A, pattern(1), {
          ...OLD,
          metadata: { tags: ['red'], source: 'beta' },
          ...REVOKED,
        });
        const other = withPattern(A, flat(0.5), {
          ...OLD,
          metadata: { tags: ['red'], source: 'alpha' },
        });
        await createAll(repo, [target, other]);
        await expect(repo.restore(A, revokedOne)).resolves.toBe('inserted');
        // Load LevelDB's match index first, so it must stay in step with the write.
        await repo.match(A, matchQuery(flat(0.5)));

        await expect(repo.rewrap(A, target.id, OLD, NEXT)).resolves.toBe(true);
        await expect(repo.rewrap(A, revokedOne.id, OLD, NEXT)).resolves.toBe(true);

        const expectedTarget: SigilRecord = { ...target, ...NEXT };
        const expectedRevoked: SigilRecord = { ...revokedOne, ...NEXT };
        const found = await repo.findById(A, target.id);
        expect(found).toEqual(expectedTarget);
        // Byte for byte: same keys, same order, same values, apart from the three replaced.
        expect(JSON.stringify(found)).toBe(JSON.stringify(expectedTarget));
        expect(JSON.stringify(await repo.findById(A, revokedOne.id))).toBe(JSON.stringify(expectedRevoked));
        await expect(repo.findById(A, other.id)).resolves.toEqual(other);

        const cases: [Omit<ListQuery, 'limit'>, SigilRecord[]][] = [
          [{}, [other, revokedOne, target]],
          [{ tag: 'red' }, [other, revokedOne, target]],
          [{ tag: 'blue' }, [target]],
          [{ source: 'alpha' }, [other, target]],
          [{ source: 'beta', revoked: true }, [revokedOne]],
          [{ revoked: false }, [other, target]],
        ];
        for (const [query, expected] of cases) {
          expect(await listAll(repo, A, query, 1), JSON.stringify(query)).toEqual(expected.map((r) => r.id));
        }
        const page = await repo.listPage(A, { limit: 10, tag: 'blue' });
        expect(page.items).toEqual([expectedTarget]);
        await expect(repo.match(A, matchQuery(flat(0.5), { threshold: 1 }))).resolves.toEqual([
          { id: other.id, similarity: 1 },
          { id: target.id, similarity: 1 },
        ]);
        expect((await collect(repo.patterns(A))).sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual(
          entriesOf([target, other, revokedOne]).sort((x, y) => (x.id < y.id ? -1 : 1)),
        );
        // The rewrapped record is what a restore of it now compares against.
        await expect(repo.restore(A, expectedTarget)).resolves.toBe('unchanged');
        await expect(repo.restore(A, target)).resolves.toBe('conflict');
        // Revoke and delete still work on it, index entries included.
        const revoked = await repo.revoke(A, target.id, revocation());
        expect(revoked).toEqual({ ...expectedTarget, ...revocationFields(revocation()) });
        await expect(repo.delete(A, target.id)).resolves.toBe(true);
        await expect(listAll(repo, A, { tag: 'blue' }, 10)).resolves.toEqual([]);
      });

      it('is a compare-and-set: a stale kid or signature writes nothing and returns false', async () => {
        const record = signedBy(A);
        await createAll(repo, [record]);
        await expect(repo.rewrap(A, record.id, { ...OLD, kid: 'acme.k0' }, NEXT)).resolves.toBe(false);
        await expect(repo.rewrap(A, record.id, { ...OLD, signature: 'c3RhbGU=' }, NEXT)).resolves.toBe(false);
        await expect(
          repo.rewrap(A, record.id, { kid: NEXT.kid, signature: NEXT.signature }, OLD as never),
        ).rejects.toThrow(TypeError);
        await expect(repo.findById(A, record.id)).resolves.toEqual(record);

        await expect(repo.rewrap(A, record.id, OLD, NEXT)).resolves.toBe(true);
        // Re-running with what was read before the first rewrap finds it changed.
        await expect(repo.rewrap(A, record.id, OLD, { ...NEXT, signature: 'dGhpcmQ=' })).resolves.toBe(false);
        await expect(repo.findById(A, record.id)).resolves.toEqual({ ...record, ...NEXT });
        // And chains from the new signature.
        const third = { kid: 'acme.k3', signature: 'dGhpcmQ=', authHash: 'sha256:' + '12'.repeat(32) };
        await expect(repo.rewrap(A, record.id, NEXT, third)).resolves.toBe(true);
        await expect(repo.findById(A, record.id)).resolves.toEqual({ ...record, ...third });
      });

      it('returns false for a missing or deleted id', async () => {
        await expect(repo.rewrap(A, newSigilId(), OLD, NEXT)).resolves.toBe(false);
        const record = signedBy(A);
        await createAll(repo, [record]);
        await repo.delete(A, record.id);
        await expect(repo.rewrap(A, record.id, OLD, NEXT)).resolves.toBe(false);
        await expect(repo.findById(A, record.id)).resolves.toBeNull();
        await expect(collect(repo.tenants())).resolves.toEqual([]);
      });

      it('stays within its tenant', async () => {
        const id = newSigilId();
        const a = signedBy(A, { id, data: { owner: 'a' } });
        const b = signedBy(B, { id, data: { owner: 'b' } });
        await createAll(repo, [a, b]);
        await expect(repo.rewrap(C, id, OLD, NEXT)).resolves.toBe(false);
        await expect(repo.rewrap(B, id, OLD, NEXT)).resolves.toBe(true);
        await expect(repo.findById(A, id)).resolves.toEqual(a);
        await expect(repo.findById(B, id)).resolves.toEqual({ ...b, ...NEXT });
        await expect(repo.findById(C, id)).resolves.toBeNull();
        await expect(collect(repo.tenants()).then((t) => t.sort())).resolves.toEqual([A, B].sort());
      });

      it('refuses an empty tenant', async () => {
        const record = signedBy(A);
        await createAll(repo, [record]);
        await expect((async () => repo.rewrap('', record.id, OLD, NEXT))()).rejects.toThrow(TypeError);
        await expect(repo.findById(A, record.id)).resolves.toEqual(record);
      });

      it('lets exactly one of concurrent rewraps of one id win', async () => {
        const record = signedBy(A);
        await createAll(repo, [record]);
        const rivals = Array.from({ length: 12 }, (_, i) => ({
          kid: `acme.k${i + 10}`,
          signature: Buffer.from(`rival-${i}`).toString('base64'),
          authHash: 'sha256:' + String(i % 10).repeat(64),
        }));
        const outcomes = await Promise.all(rivals.map((next) => repo.rewrap(A, record.id, OLD, next)));
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        const winner = rivals[outcomes.indexOf(true)];
        await expect(repo.findById(A, record.id)).resolves.toEqual({ ...record, ...winner });
      });

      it('is durable: a rewrapped sigil survives a reopen', async (ctx) => {
        if (!harness.reopen) return ctx.skip();
        const record = withPattern(A, flat(0.25), { ...OLD, metadata: { tags: ['kept'] } });
        await createAll(repo, [record]);
        await expect(repo.rewrap(A, record.id, OLD, NEXT)).resolves.toBe(true);
        repo = await harness.reopen();
        await expect(repo.findById(A, record.id)).resolves.toEqual({ ...record, ...NEXT });
        await expect(listAll(repo, A, { tag: 'kept' }, 10)).resolves.toEqual([record.id]);
        await expect(repo.match(A, matchQuery(flat(1)))).resolves.toEqual([{ id: record.id, similarity: 1 }]);
      });

      it('refuses work after close', async () => {
        const record = signedBy(A);
        await createAll(repo, [record]);
        await repo.close();
        await expect((async () => repo.rewrap(A, record.id, OLD, NEXT))()).rejects.toThrow(
          StorageUnavailableError,
        );
      });
    });
  });
}
