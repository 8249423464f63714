import { describe, expect, it } from 'vitest';

import { GroupCommitQueue } from '../adapters/level/group-commit.queue.js';

/** A commit the test releases by hand, so grouping is observed without any timing. */
function gatedCommits() {
  const batches: number[][] = [];
  const gates: { open: () => void; fail: (err: Error) => void }[] = [];
  const commit = (ops: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(ops);
      gates.push({ open: resolve, fail: reject });
    });
  return { batches, gates, commit };
}

describe('GroupCommitQueue', () => {
  it('commits a lone write at once and groups the writes that arrive meanwhile', async () => {
    const { batches, gates, commit } = gatedCommits();
    const queue = new GroupCommitQueue<number>(commit);

    const first = queue.write([1]);
    expect(batches).toEqual([[1]]);
    const rest = [queue.write([2, 3]), queue.write([4]), queue.write([5])];
    expect(batches).toHaveLength(1);

    gates[0].open();
    await first;
    await Promise.resolve();
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
    gates[1].open();
    await Promise.all(rest);
    await queue.drain();
  });

  it('fails every write of a failed batch, and only those', async () => {
    const { batches, gates, commit } = gatedCommits();
    const queue = new GroupCommitQueue<number>(commit);

    const first = queue.write([1]);
    const grouped = [queue.write([2]), queue.write([3])];
    gates[0].open();
    await first;
    await Promise.resolve();
    const later = queue.write([4]);
    gates[1].fail(new Error('disk full'));
    await Promise.all(grouped.map((write) => expect(write).rejects.toThrow('disk full')));
    await Promise.resolve();
    expect(batches).toEqual([[1], [2, 3], [4]]);
    gates[2].open();
    await expect(later).resolves.toBeUndefined();
  });

  it('keeps working after a commit that throws synchronously', async () => {
    let calls = 0;
    const queue = new GroupCommitQueue<number>((ops) => {
      calls++;
      if (ops.includes(0)) throw new Error('bad op');
      return Promise.resolve();
    });
    await expect(queue.write([0])).rejects.toThrow('bad op');
    await expect(queue.write([1])).resolves.toBeUndefined();
    await queue.drain();
    expect(calls).toBe(2);
  });
});
