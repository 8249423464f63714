import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelSigilRepository } from '../adapters/level/level-sigil.repository.js';
import { levelRecordKey } from '../testing.js';
import { CorruptRecordError, recordsOf } from '#sigil';
import { makeSigilRecord } from './sigil-record.fixture.js';

describe('recordsOf over a store with damaged records', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  /** 450 records in one tenant, then the bytes of some records replaced by garbage on disk. */
  async function damagedStore(damage: (ids: string[]) => string[]) {
    const dir = await mkdtemp(join(tmpdir(), 'sigil-records-'));
    dirs.push(dir);
    const path = join(dir, 'db');
    let repo = await LevelSigilRepository.open({ path, sync: false });
    const ids: string[] = [];
    for (let i = 0; i < 450; i++) {
      const record = makeSigilRecord({ tenantId: 'acme' });
      await repo.create('acme', record);
      ids.push(record.id);
    }
    await repo.close();
    const damaged = damage(ids);
    const db = new ClassicLevel<string, string>(path);
    for (const id of damaged) await db.put(levelRecordKey('acme', id), '{"truncated');
    await db.close();
    repo = await LevelSigilRepository.open({ path, sync: false });
    return { repo, ids, damaged };
  }

  it('by default stops with a CorruptRecordError naming the record', async () => {
    const { repo, ids } = await damagedStore((ids) => [ids[100]]);
    try {
      const read = async () => {
        for await (const _ of recordsOf(repo, 'acme')) void _;
      };
      await expect(read()).rejects.toMatchObject({ name: 'CorruptRecordError', id: ids[100] });
      await expect(read()).rejects.toBeInstanceOf(CorruptRecordError);
    } finally {
      await repo.close();
    }
  });

  it("with 'yield', reports each damaged record and reads on past it, in list order", async () => {
    // The newest record (first page), one in the middle, and the oldest (last page).
    const { repo, ids, damaged } = await damagedStore((ids) => [ids[449], ids[200], ids[0]]);
    try {
      const seen: { id: string; unreadable: boolean }[] = [];
      for await (const entry of recordsOf(repo, 'acme', 200, 'yield')) {
        seen.push({ id: entry.id, unreadable: 'unreadable' in entry });
      }
      expect(seen.map((s) => s.id)).toEqual([...ids].reverse());
      expect(seen.filter((s) => s.unreadable).map((s) => s.id)).toEqual(damaged);
    } finally {
      await repo.close();
    }
  });
});
