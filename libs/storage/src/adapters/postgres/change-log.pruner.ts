/**
 * Keeps the match change log (sigil_changes) short: every replica samples the change horizon once
 * per tick and prunes below the newest sample at least `retentionMs` old. A replica whose index
 * has not caught up for longer than that finds the log pruned past its horizon and rebuilds it
 * (match-index.cache.ts), so pruning never costs exactness, only a rebuild for an idle tenant.
 * Every replica prunes, so the log stays bounded (about `retentionMs` of writes) whether or not
 * anything matches.
 */
export class ChangeLogPruner {
  private readonly samples: { at: number; horizon: bigint }[] = [];

  constructor(
    private readonly horizon: () => Promise<bigint>,
    private readonly prune: (below: bigint) => Promise<void>,
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** One sample and, when one is old enough, one prune. */
  async tick(): Promise<void> {
    this.samples.push({ at: this.now(), horizon: await this.horizon() });
    const cutoff = this.now() - this.retentionMs;
    let below: bigint | undefined;
    while (this.samples.length > 0 && this.samples[0].at <= cutoff) below = this.samples.shift()!.horizon;
    if (below !== undefined) await this.prune(below);
  }
}
