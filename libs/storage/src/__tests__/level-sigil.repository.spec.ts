import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LevelSigilRepository } from '../adapters/level/level-sigil.repository.js';
import { levelRecordKey } from '../testing.js';
import { toStorageError } from '../adapters/level/level.errors.js';
import {
  type MatchQuery,
  rankMatches,
  type SigilRecord,
  type SigilRepository,
  StorageUnavailableError,
} from '#sigil';
import { StoreLockedError } from '../storage.errors.js';
import { makeSigilRecord } from './sigil-record.fixture.js';
import { describeSigilRepositoryContract } from './sigil-repository.contract.js';

/** The options argument of every `db.batch(ops, options)` call the spy saw. */
function batchOptions(spy: { mock: { calls: unknown[][] } }): unknown[] {
  return spy.mock.calls.map((call) => call[1]);
}

const tempDir = () => mkdtemp(join(tmpdir(), 'sigil-level-'));

describeSigilRepositoryContract('leveldb', async () => {
  const path = await tempDir();
  let current = await LevelSigilRepository.open({ path });
  return {
    repo: current,
    reopen: async () => {
      await current.close();
      current = await LevelSigilRepository.open({ path });
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(path, { recursive: true, force: true });
    },
  };
});

// The same contract with the record cache off: every point read goes to LevelDB.
describeSigilRepositoryContract('leveldb, no record cache', async () => {
  const path = await tempDir();
  let current = await LevelSigilRepository.open({ path, recordCacheBytes: 0 });
  return {
    repo: current,
    reopen: async () => {
      await current.close();
      current = await LevelSigilRepository.open({ path, recordCacheBytes: 0 });
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(path, { recursive: true, force: true });
    },
  };
});

// Child processes run plain Node (they cannot load our .ts), so they import classic-level directly.
const classicLevelUrl = pathToFileURL(createRequire(import.meta.url).resolve('classic-level')).href;

function runNode(script: string, path: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--input-type=module', '-e', script, path], { stdio: 'pipe' });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The reference answer over what the store holds right now. */
async function reference(repo: SigilRepository, tenantId: string, query: MatchQuery) {
  return rankMatches(await collect(repo.patterns(tenantId)), query);
}

/** Iterator calls that scanned a tenant's records (the match index load is one). */
function recordScans(spy: { mock: { calls: unknown[][] } }, tenantId: string): number {
  const prefix = levelRecordKey(tenantId, '');
  return spy.mock.calls.filter((call) => (call[0] as { gte?: string } | undefined)?.gte === prefix).length;
}

function withPattern(tenantId: string, resonancePattern: number[]): SigilRecord {
  return makeSigilRecord({ tenantId, dna: { digest: 'sha256:' + 'e'.repeat(64), resonancePattern } });
}

describe('LevelSigilRepository (LevelDB specifics)', () => {
  const tenant = 'tenant-a';
  let path: string;
  const opened: LevelSigilRepository[] = [];

  const open = async (sync?: boolean) => {
    const repo = await LevelSigilRepository.open({ path, sync });
    opened.push(repo);
    return repo;
  };

  beforeEach(async () => {
    path = await tempDir();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((repo) => repo.close()));
    await rm(path, { recursive: true, force: true });
  });

  describe('locking', () => {
    it('keeps another process out while this one holds the store', async () => {
      await open();
      const script = `
        import { ClassicLevel } from ${JSON.stringify(classicLevelUrl)};
        const db = new ClassicLevel(process.argv[1]);
        try {
          await db.open();
          process.exit(0);
        } catch (err) {
          console.error(err.code, err.cause?.code, err.cause?.message);
          process.exit(3);
        }`;
      const { code, stderr } = await exited(runNode(script, path));
      expect(code).toBe(3);
      expect(stderr).toContain('LEVEL_LOCKED');
      expect(stderr).toContain(join(path, 'LOCK'));
    });

    it('fails to open with StoreLockedError naming the path while another process holds it', async () => {
      const script = `
        import { ClassicLevel } from ${JSON.stringify(classicLevelUrl)};
        const db = new ClassicLevel(process.argv[1]);
        await db.open();
        process.stdout.write('ready\\n');
        process.stdin.resume();
        process.stdin.on('end', async () => { await db.close(); process.exit(0); });`;
      const holder = runNode(script, path);
      const holderExit = exited(holder);
      try {
        await new Promise<void>((resolve, reject) => {
          holder.stdout.once('data', () => resolve());
          holder.once('close', () => reject(new Error('lock holder exited before it was ready')));
        });

        const err: unknown = await LevelSigilRepository.open({ path }).then(
          () => new Error('open unexpectedly succeeded'),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(StoreLockedError);
        expect((err as StoreLockedError).path).toBe(path);
        expect((err as StoreLockedError).message).toContain(`${path}/LOCK`);
      } finally {
        holder.stdin.end();
      }
      await expect(holderExit).resolves.toMatchObject({ code: 0 });

      // The lock goes with its holder.
      const repo = await open();
      await expect(repo.ping()).resolves.toBeUndefined();
    });

    it('rejects a second open in this process with StoreLockedError', async () => {
      await open();
      await expect(LevelSigilRepository.open({ path })).rejects.toThrow(StoreLockedError);
      await expect(LevelSigilRepository.open({ path })).rejects.toThrow(`${path}/LOCK`);
    });

    it('reports other open failures with the path', async () => {
      const file = join(path, 'not-a-directory');
      await writeFile(file, 'x');
      const failure = LevelSigilRepository.open({ path: join(file, 'db') });
      await expect(failure).rejects.toThrow(file);
      await expect(failure).rejects.not.toBeInstanceOf(StoreLockedError);
    });
  });

  describe('counts', () => {
    it('counts a store written before counts existed once, at open, and keeps it exact after', async () => {
      const repo = await open(false);
      const records = Array.from({ length: 7 }, () => makeSigilRecord({ tenantId: tenant }));
      for (const r of records) await repo.create(tenant, r);
      await repo.create('tenant-b', makeSigilRecord({ tenantId: 'tenant-b' }));
      await repo.close();
      // Back to the layout of an older release: no count keys, no marker.
      const db = new ClassicLevel<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      const stale: string[] = [];
      for await (const key of db.keys())
        if (key.startsWith('n!') || key.startsWith('~counts')) stale.push(key);
      expect(stale.length).toBe(3);
      await db.batch(stale.map((key) => ({ type: 'del' as const, key })));
      await db.close();

      const upgraded = await open(false);
      await expect(upgraded.count(tenant)).resolves.toBe(7);
      await expect(upgraded.count('tenant-b')).resolves.toBe(1);
      await upgraded.delete(tenant, records[0].id);
      await expect(upgraded.count(tenant)).resolves.toBe(6);
      await upgraded.close();
      const again = await open(false);
      await expect(again.count(tenant)).resolves.toBe(6);
    });

    it('leaves a count unchanged when the batch carrying it fails', async () => {
      const repo = await open(false);
      await repo.create(tenant, makeSigilRecord({ tenantId: tenant }));
      const batch = vi.spyOn(ClassicLevel.prototype, 'batch').mockRejectedValueOnce(new Error('EIO: boom'));
      await expect(repo.create(tenant, makeSigilRecord({ tenantId: tenant }))).rejects.toThrow();
      batch.mockRestore();
      await expect(repo.count(tenant)).resolves.toBe(1);
      await repo.create(tenant, makeSigilRecord({ tenantId: tenant }));
      await expect(repo.count(tenant)).resolves.toBe(2);
    });
  });

  describe('tenant registry', () => {
    /** The `t!` keys each `db.batch` call the spy saw wrote. */
    const registryPuts = (spy: { mock: { calls: unknown[][] } }) =>
      spy.mock.calls.map((call) =>
        (call[0] as { type: string; key: string }[])
          .filter((op) => op.type === 'put' && op.key.startsWith('t!'))
          .map((op) => op.key),
      );

    it('writes a tenant into the registry with its first committed create only', async () => {
      const repo = await open(false);
      const batch = vi.spyOn(ClassicLevel.prototype, 'batch');
      // The first create's batch fails: nothing was registered, so the next one writes the key again.
      batch.mockRejectedValueOnce(new Error('EIO: boom'));
      await expect(repo.create(tenant, makeSigilRecord({ tenantId: tenant }))).rejects.toThrow();
      for (let i = 0; i < 3; i++) await repo.create(tenant, makeSigilRecord({ tenantId: tenant }));
      await repo.create('tenant-b', makeSigilRecord({ tenantId: 'tenant-b' }));
      await repo.create(tenant, makeSigilRecord({ tenantId: tenant }));
      expect(registryPuts(batch)).toEqual([['t!tenant-a'], ['t!tenant-a'], [], [], ['t!tenant-b'], []]);
      await expect(collect(repo.tenants()).then((t) => t.sort())).resolves.toEqual(['tenant-a', 'tenant-b']);

      // A new process writes it once more (a put of the same empty value) and lists it throughout.
      await repo.close();
      const again = await open(false);
      await expect(collect(again.tenants()).then((t) => t.sort())).resolves.toEqual(['tenant-a', 'tenant-b']);
      batch.mockClear();
      await again.create(tenant, makeSigilRecord({ tenantId: tenant }));
      await again.create(tenant, makeSigilRecord({ tenantId: tenant }));
      expect(registryPuts(batch)).toEqual([['t!tenant-a'], []]);
    });
  });

  describe('group commit', () => {
    it('commits a lone write in its own fsynced batch', async () => {
      const repo = await open();
      const batch = vi.spyOn(ClassicLevel.prototype, 'batch');
      await repo.create(tenant, makeSigilRecord({ tenantId: tenant }));
      expect(batchOptions(batch)).toEqual([{ sync: true }]);
    });

    it('commits 100 concurrent writes in fewer batches than writes, all durable', async () => {
      const repo = await open();
      const batch = vi.spyOn(ClassicLevel.prototype, 'batch');
      const records = Array.from({ length: 100 }, () => makeSigilRecord({ tenantId: tenant }));

      await Promise.all(records.map((record) => repo.create(tenant, record)));

      expect(batch.mock.calls.length).toBeGreaterThan(0);
      expect(batch.mock.calls.length).toBeLessThan(records.length);
      for (const options of batchOptions(batch)) expect(options).toEqual({ sync: true });
      await repo.close();
      const reopened = await open();
      const page = await reopened.listPage(tenant, { limit: 200 });
      expect(page.items).toHaveLength(100);
    });

    it('skips fsync only when asked to', async () => {
      const repo = await open(false);
      const batch = vi.spyOn(ClassicLevel.prototype, 'batch');
      await repo.ping();
      expect(batchOptions(batch)).toEqual([{ sync: false }, { sync: false }]);
    });
  });

  describe('close', () => {
    it('lets writes already started finish before closing', async () => {
      const repo = await open();
      const records = Array.from({ length: 20 }, () => makeSigilRecord({ tenantId: tenant }));
      const writes = records.map((record) => repo.create(tenant, record));
      const closed = repo.close();
      await expect(repo.findById(tenant, records[0].id)).rejects.toThrow(StorageUnavailableError);
      await Promise.all(writes);
      await closed;

      const reopened = await open();
      const page = await reopened.listPage(tenant, { limit: 50 });
      expect(page.items).toHaveLength(20);
    });
  });

  describe('stored records', () => {
    it('keeps a sigil at s!<tenant>!<id>, where a hand edit is seen after reopen', async () => {
      const record = makeSigilRecord({ tenantId: tenant });
      const repo = await open();
      await repo.create(tenant, record);
      await repo.close();

      const key = levelRecordKey(tenant, record.id);
      expect(key).toBe(`s!${tenant}!${record.id}`);
      const db = new ClassicLevel<string, string>(path);
      await db.open();
      const stored = JSON.parse((await db.get(key)) ?? 'null') as SigilRecord;
      await db.put(key, JSON.stringify({ ...stored, data: { subject: 'tampered' } }));
      await db.close();

      const reopened = await open();
      await expect(reopened.findById(tenant, record.id)).resolves.toEqual({
        ...record,
        data: { subject: 'tampered' },
      });
    });

    it('writes the documented keys and removes every index entry on delete', async () => {
      const record = makeSigilRecord({
        tenantId: tenant,
        metadata: { tags: ['a!b', 'a!b', 'ż'], source: 's 1' },
      });
      const repo = await open();
      await repo.create(tenant, record, {
        principal: 'user!1',
        key: 'k',
        fingerprint: 'fp',
        expiresAt: '2999-01-01T00:00:00.000Z',
      });
      await repo.revoke(tenant, record.id, {
        revokedAt: '2025-01-01T00:00:00.000Z',
        revokedBy: 'a',
        reason: null,
      });
      await repo.close();
      const keysNow = async () => {
        const db = new ClassicLevel<string, string>(path);
        await db.open();
        const keys = await db.keys().all();
        await db.close();
        return keys;
      };

      const id = record.id;
      const claimKey = `i!${tenant}!user%00211!k`;
      const registryKey = `t!${tenant}`;
      const countKeys = [`n!${tenant}`, '~counts!v1'];
      await expect(keysNow()).resolves.toEqual(
        [
          claimKey,
          ...countKeys,
          `s!${tenant}!${id}`,
          registryKey,
          `x!rev!${tenant}!${id}`,
          `x!src!${tenant}!s%00201!${id}`,
          `x!tag!${tenant}!%017c!${id}`,
          `x!tag!${tenant}!a%0021b!${id}`,
        ].sort(),
      );

      const reopened = await open();
      await expect(reopened.delete(tenant, id)).resolves.toBe(true);
      await reopened.close();
      // The claim stays (it stops counting once its sigil is gone); so do the registry entry and the count.
      await expect(keysNow()).resolves.toEqual([claimKey, ...countKeys, registryKey].sort());
    });

    it('reports a corrupt stored value without echoing its content', async () => {
      const record = makeSigilRecord({ tenantId: tenant });
      const repo = await open();
      await repo.create(tenant, record);
      await repo.close();

      const db = new ClassicLevel<string, string>(path);
      await db.open();
      await db.put(levelRecordKey(tenant, record.id), '{"secret-sigil-content": ');
      await db.close();

      const reopened = await open();
      const err: unknown = await reopened.findById(tenant, record.id).then(
        () => new Error('read unexpectedly succeeded'),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(record.id);
      expect((err as Error).message).not.toContain('secret-sigil-content');
    });
  });

  describe('match index', () => {
    const q: MatchQuery = { pattern: Array<number>(16).fill(0.5), threshold: 0, topN: 10 };
    const ramp = (k: number) => Array.from({ length: 16 }, (_, i) => ((i * k) % 17) / 16);

    async function seed(repo: LevelSigilRepository, tenantId: string, count: number): Promise<void> {
      for (let k = 0; k < count; k++) await repo.create(tenantId, withPattern(tenantId, ramp(k + 1)));
    }

    it('loads a tenant with one scan, shared by concurrent first matches, then reads nothing', async () => {
      const repo = await open();
      await seed(repo, tenant, 30);
      await seed(repo, 'tenant-b', 5);
      const iterator = vi.spyOn(ClassicLevel.prototype, 'iterator');
      const get = vi.spyOn(ClassicLevel.prototype, 'get');
      const getMany = vi.spyOn(ClassicLevel.prototype, 'getMany');

      const first = await Promise.all(Array.from({ length: 10 }, () => repo.match(tenant, q)));
      expect(recordScans(iterator, tenant)).toBe(1);
      expect(recordScans(iterator, 'tenant-b')).toBe(0);
      expect(repo.hasMatchIndex(tenant)).toBe(true);
      expect(repo.hasMatchIndex('tenant-b')).toBe(false);

      const again = await Promise.all(Array.from({ length: 10 }, () => repo.match(tenant, q)));
      expect(recordScans(iterator, tenant)).toBe(1);
      expect(get).not.toHaveBeenCalled();
      expect(getMany).not.toHaveBeenCalled();
      const expected = await reference(repo, tenant, q);
      expect(expected).toHaveLength(10);
      for (const hits of [...first, ...again]) expect(hits).toEqual(expected);
    });

    it('drops its indexes on close; a reopened store is indexed afresh, hand edits included', async () => {
      const repo = await open();
      const record = withPattern(tenant, ramp(3));
      await repo.create(tenant, record);
      await expect(repo.match(tenant, q)).resolves.toHaveLength(1);
      expect(repo.hasMatchIndex(tenant)).toBe(true);
      await repo.close();
      expect(repo.hasMatchIndex(tenant)).toBe(false);

      const db = new ClassicLevel<string, string>(path);
      await db.open();
      const key = levelRecordKey(tenant, record.id);
      const edited = { ...record, dna: { ...record.dna, resonancePattern: Array<number>(16).fill(0.25) } };
      await db.put(key, JSON.stringify(edited));
      await db.close();

      const reopened = await open();
      await expect(reopened.match(tenant, q)).resolves.toEqual([{ id: record.id, similarity: 1 }]);
    });

    it('keeps within matchIndexMaxSigils by dropping the least recently matched tenants', async () => {
      const repo = await LevelSigilRepository.open({ path, matchIndexMaxSigils: 4 });
      opened.push(repo);
      await seed(repo, 't1', 2);
      await seed(repo, 't2', 2);
      await seed(repo, 't3', 1);
      const indexed = () => ['t1', 't2', 't3'].filter((t) => repo.hasMatchIndex(t));
      const check = async (tenantId: string) => {
        await expect(repo.match(tenantId, q)).resolves.toEqual(await reference(repo, tenantId, q));
      };

      await check('t1');
      await check('t2'); // 4 fits
      expect(indexed()).toEqual(['t1', 't2']);
      await check('t3'); // 5 > 4: t1, the least recently matched, goes
      expect(indexed()).toEqual(['t2', 't3']);
      await check('t2'); // used again: now t3 is the least recent
      await check('t1'); // 5 > 4: t3 goes, which is enough
      expect(indexed()).toEqual(['t1', 't2']);
      // A tenant larger than the whole budget is still kept once built: rebuilding per match is worse.
      await seed(repo, 't3', 5);
      await check('t3');
      expect(indexed()).toEqual(['t3']);
      await expect(LevelSigilRepository.open({ path: `${path}-x`, matchIndexMaxSigils: -1 })).rejects.toThrow(
        RangeError,
      );
    });

    it('tries a failed load again on the next match', async () => {
      const repo = await open();
      await seed(repo, tenant, 3);
      const failure = Object.assign(new Error('IO error: injected'), { code: 'LEVEL_IO_ERROR' });
      vi.spyOn(ClassicLevel.prototype, 'iterator').mockImplementationOnce(() => {
        throw failure;
      });
      await expect(repo.match(tenant, q)).rejects.toThrow(StorageUnavailableError);
      expect(repo.hasMatchIndex(tenant)).toBe(false);
      await expect(repo.match(tenant, q)).resolves.toEqual(await reference(repo, tenant, q));
      expect(repo.hasMatchIndex(tenant)).toBe(true);
    });

    it('scores hand-edited patterns exactly as the reference scan does', async () => {
      const repo = await open();
      const odd: unknown[][] = [
        [null, ...Array<number>(15).fill(0.5)],
        [0.5, 0.5],
        Array<string>(16).fill('0.5'),
        [...Array<number>(16).fill(0.5), 0.9],
        [true, ...Array<number>(15).fill(0)],
      ];
      const records = [...odd.map(() => withPattern(tenant, ramp(2))), withPattern(tenant, ramp(5))];
      for (const record of records) await repo.create(tenant, record);
      const notArray = withPattern(tenant, ramp(7));
      await repo.create(tenant, notArray);
      await repo.close();

      const db = new ClassicLevel<string, string>(path);
      await db.open();
      const rewrite = async (record: SigilRecord, resonancePattern: unknown) => {
        const key = levelRecordKey(tenant, record.id);
        await db.put(key, JSON.stringify({ ...record, dna: { ...record.dna, resonancePattern } }));
      };
      for (const [i, resonancePattern] of odd.entries()) await rewrite(records[i], resonancePattern);
      await rewrite(notArray, { not: 'an array' });
      await db.close();

      const reopened = await open();
      const stored = (await collect(reopened.patterns(tenant))).filter((p) => p.id !== notArray.id);
      for (const pattern of [Array<number>(16).fill(0.5), [1, ...Array<number>(15).fill(0)], ramp(3)]) {
        const query: MatchQuery = { pattern, threshold: -1, topN: 50 };
        const expected = rankMatches(stored, query);
        await expect(reopened.match(tenant, query)).resolves.toEqual(expected);
      }
      // A pattern that is not an array at all never matches, and does not stop the others matching.
      const hits = await reopened.match(tenant, { pattern: ramp(7), threshold: -1, topN: 50 });
      expect(hits.map((h) => h.id)).not.toContain(notArray.id);
      expect(hits.length).toBeGreaterThan(0);
    });
  });

  describe('record cache', () => {
    const revocation = { revokedAt: '2025-02-01T00:00:00.000Z', revokedBy: 'admin-1', reason: 'test' };

    it('answers repeated point reads with one LevelDB get', async () => {
      const repo = await open();
      const record = makeSigilRecord({ tenantId: tenant });
      await repo.create(tenant, record);
      const get = vi.spyOn(ClassicLevel.prototype, 'get');
      await expect(repo.findById(tenant, record.id)).resolves.toEqual(record);
      const read = await repo.findById(tenant, record.id);
      read!.data.changed = true; // a caller's change reaches no other caller
      await expect(repo.findById(tenant, record.id)).resolves.toEqual(record);
      expect(get).toHaveBeenCalledTimes(1);
    });

    it('never lets a read that overlapped a revoke bring the old text back', async () => {
      const record = makeSigilRecord({ tenantId: tenant });
      await (await open()).create(tenant, record);
      await opened.pop()!.close();
      const repo = await open(); // nothing cached
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its store below
      const originalGet = ClassicLevel.prototype.get;
      const original = (key: string, db: ClassicLevel<string, string>) =>
        Reflect.apply(originalGet, db, [key]) as Promise<string | undefined>;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const get = vi.spyOn(ClassicLevel.prototype, 'get').mockImplementationOnce(async function (
        this: ClassicLevel<string, string>,
        key: string,
      ) {
        const text = await original(key, this);
        await held; // the read has the old text; a revoke commits before it returns
        return text;
      } as never);

      const slowRead = repo.findById(tenant, record.id);
      await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(1));
      await expect(repo.revoke(tenant, record.id, revocation)).resolves.toMatchObject({
        revokedBy: 'admin-1',
      });
      release();
      await expect(slowRead).resolves.toMatchObject({ id: record.id, revokedAt: null });
      await expect(repo.findById(tenant, record.id)).resolves.toMatchObject({ revokedBy: 'admin-1' });
      await expect(repo.findById(tenant, record.id)).resolves.toMatchObject({ revokedBy: 'admin-1' });
    });

    it('forgets everything when a batch fails', async () => {
      const repo = await open();
      const record = makeSigilRecord({ tenantId: tenant });
      await repo.create(tenant, record);
      await repo.findById(tenant, record.id);
      const get = vi.spyOn(ClassicLevel.prototype, 'get');
      await repo.findById(tenant, record.id);
      expect(get).not.toHaveBeenCalled();
      const io = Object.assign(new Error('IO error: disk full'), { code: 'LEVEL_IO_ERROR' });
      vi.spyOn(ClassicLevel.prototype, 'batch').mockRejectedValueOnce(io);
      await expect(repo.revoke(tenant, record.id, revocation)).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
      await expect(repo.findById(tenant, record.id)).resolves.toMatchObject({ revokedAt: null });
      expect(get).toHaveBeenCalled();
    });

    it('serves deletes and revokes from the cache at once', async () => {
      const repo = await open();
      const [kept, gone] = [makeSigilRecord({ tenantId: tenant }), makeSigilRecord({ tenantId: tenant })];
      await Promise.all([repo.create(tenant, kept), repo.create(tenant, gone)]);
      await repo.findById(tenant, kept.id);
      await repo.findById(tenant, gone.id);
      await repo.revoke(tenant, kept.id, revocation);
      await repo.delete(tenant, gone.id);
      await expect(repo.findById(tenant, kept.id)).resolves.toMatchObject({ revokedBy: 'admin-1' });
      await expect(repo.findById(tenant, gone.id)).resolves.toBeNull();
    });
  });

  describe('error mapping', () => {
    it('turns I/O-class LevelDB errors into StorageUnavailableError with a safe message', () => {
      const io = Object.assign(new Error('IO error: /data/000005.log: No space left; value={"data":1}'), {
        code: 'LEVEL_IO_ERROR',
      });
      const mapped = toStorageError(io, 'write');
      expect(mapped).toBeInstanceOf(StorageUnavailableError);
      expect((mapped as Error).message).toBe('LevelDB write failed (LEVEL_IO_ERROR)');
      expect((mapped as Error).cause).toBe(io);

      const full = new Error('wrapped', { cause: Object.assign(new Error('disk'), { code: 'ENOSPC' }) });
      expect(toStorageError(full, 'write')).toBeInstanceOf(StorageUnavailableError);
    });

    it('leaves programming errors alone', () => {
      const bug = new TypeError('x is undefined');
      expect(toStorageError(bug, 'read')).toBe(bug);
    });
  });
});
