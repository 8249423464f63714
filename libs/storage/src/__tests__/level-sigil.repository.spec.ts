import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { LevelSigilRepository } from '../adapters/level/level-sigil.repository.js';
import { toStorageError } from '../adapters/level/level.errors.js';
import type { SigilRecord } from '../sigil-record.js';
import { StorageUnavailableError, StoreLockedError } from '../storage.errors.js';
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

      const key = LevelSigilRepository.recordKey(tenant, record.id);
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
      await expect(keysNow()).resolves.toEqual(
        [
          claimKey,
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
      // The claim stays (it stops counting once its sigil is gone); so does the registry entry.
      await expect(keysNow()).resolves.toEqual([claimKey, registryKey]);
    });

    it('reports a corrupt stored value without echoing its content', async () => {
      const record = makeSigilRecord({ tenantId: tenant });
      const repo = await open();
      await repo.create(tenant, record);
      await repo.close();

      const db = new ClassicLevel<string, string>(path);
      await db.open();
      await db.put(LevelSigilRepository.recordKey(tenant, record.id), '{"secret-sigil-content": ');
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
