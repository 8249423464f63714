/**
 * The change-log pruner on its own, with a fake clock: it prunes only below a horizon sampled at
 * least the retention ago, so a replica that caught up within the retention never loses a change.
 */
import { describe, expect, it } from 'vitest';

import { ChangeLogPruner } from '../adapters/postgres/change-log.pruner.js';

describe('ChangeLogPruner', () => {
  it('prunes below the newest sample at least the retention old, never a younger one', async () => {
    let now = 0;
    let horizon = 100n;
    const pruned: bigint[] = [];
    const pruner = new ChangeLogPruner(
      async () => horizon,
      async (below) => {
        pruned.push(below);
      },
      5 * 60_000,
      () => now,
    );
    for (let minute = 0; minute <= 7; minute++) {
      now = minute * 60_000;
      horizon = 100n + BigInt(minute) * 10n;
      await pruner.tick();
    }
    // Samples at minutes 0..7; at minute 5 the minute-0 sample is old enough, then one per minute.
    expect(pruned).toEqual([100n, 110n, 120n]);
  });

  it('with no retention prunes below the horizon it just sampled', async () => {
    const pruned: bigint[] = [];
    const pruner = new ChangeLogPruner(
      async () => 42n,
      async (below) => {
        pruned.push(below);
      },
      0,
      () => 1000,
    );
    await pruner.tick();
    expect(pruned).toEqual([42n]);
  });
});
