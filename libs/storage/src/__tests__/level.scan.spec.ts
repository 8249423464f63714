import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { prefixRange } from '../adapters/level/level.keys.js';
import { hasAnyKey, scanRange } from '../adapters/level/level.scan.js';

async function collect<T>(chunks: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('scanRange (a real LevelDB in a temp dir)', () => {
  let path: string;
  let db: ClassicLevel<string, string>;
  // a!00 … a!09, with b! keys on both sides of the range in sort order.
  const aKeys = Array.from({ length: 10 }, (_, i) => `a!${String(i).padStart(2, '0')}`);

  beforeEach(async () => {
    path = await mkdtemp(join(tmpdir(), 'sigil-scan-'));
    db = new ClassicLevel<string, string>(path);
    await db.open();
    await db.batch(
      ['a', ...aKeys, 'a!', 'b!0', 'a"'].map((key) => ({ type: 'put' as const, key, value: `v:${key}` })),
    );
  });

  afterEach(async () => {
    await db.close();
    await rm(path, { recursive: true, force: true });
  });

  it('reads exactly the range, in key order, in chunks of at most `chunk` and never an empty one', async () => {
    const range = prefixRange('a!');
    const chunks = await collect(scanRange(db, { range, chunk: 4 }));
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 3]);
    expect(chunks.flat()).toEqual(['a!', ...aKeys].map((key) => [key, `v:${key}`]));

    await expect(collect(scanRange(db, { range: prefixRange('zz!'), chunk: 4 }))).resolves.toEqual([]);
  });

  it('reads the whole store without a range', async () => {
    const chunks = await collect(scanRange(db, { chunk: 100, keysOnly: true }));
    expect(chunks).toEqual([['a', 'a!', ...aKeys, 'a"', 'b!0']]);
  });

  it('reads backwards, keys only, within a limit, and below a cursor', async () => {
    const range = prefixRange('a!', '05');
    const chunks = await collect(scanRange(db, { range, chunk: 2, reverse: true, limit: 3, keysOnly: true }));
    expect(chunks).toEqual([['a!04', 'a!03'], ['a!02']]);
  });

  it('reads from an explicit snapshot, not from writes made after it', async () => {
    const snapshot = db.snapshot();
    try {
      await db.put('a!99', 'late');
      await db.del('a!00');
      const range = prefixRange('a!');
      const seen = (await collect(scanRange(db, { range, chunk: 50, keysOnly: true, snapshot }))).flat();
      expect(seen).toEqual(['a!', ...aKeys]);
      const live = (await collect(scanRange(db, { range, chunk: 50, keysOnly: true }))).flat();
      expect(live).toEqual(['a!', ...aKeys.slice(1), 'a!99']);
    } finally {
      await snapshot.close();
    }
  });

  it('reads one implicit snapshot, taken at its first step, across all its chunks', async () => {
    const scan = scanRange(db, { range: prefixRange('a!'), chunk: 2, keysOnly: true });
    const first = await scan.next();
    expect(first.value).toEqual(['a!', 'a!00']);
    await db.put('a!05x', 'late');
    await db.del('a!09');
    const rest = (await collect({ [Symbol.asyncIterator]: () => scan })).flat();
    expect(rest).toEqual(aKeys.slice(1));
  });

  it('closes its iterator when the loop breaks or throws', async () => {
    const iterators = vi.spyOn(ClassicLevel.prototype, 'iterator');
    for await (const chunk of scanRange(db, { range: prefixRange('a!'), chunk: 2 })) {
      expect(chunk).toHaveLength(2);
      break;
    }
    const failing = async () => {
      for await (const _ of scanRange(db, { range: prefixRange('a!'), chunk: 2 }))
        throw new Error('consumer');
    };
    await expect(failing()).rejects.toThrow('consumer');

    expect(iterators).toHaveBeenCalledTimes(2);
    for (const { value } of iterators.mock.results) {
      const iterator = value as ReturnType<typeof db.iterator>;
      await expect(iterator.nextv(1)).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
    }
  });

  it('hasAnyKey: whether a range holds a key', async () => {
    await expect(hasAnyKey(db, prefixRange('a!'))).resolves.toBe(true);
    await expect(hasAnyKey(db, prefixRange('b!'))).resolves.toBe(true);
    await expect(hasAnyKey(db, prefixRange('c!'))).resolves.toBe(false);
    await expect(hasAnyKey(db, prefixRange('a!0', '0'))).resolves.toBe(false);
  });
});
