/** How the primary answers a worker that died on its own (not during a shutdown). */
export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'give-up'; crashes: number };

export interface RestartPolicyOptions {
  /** Crashes counted within this window (ms)… */
  windowMs: number;
  /** …beyond which the instance is crash-looping: the primary stops everything and exits non-zero. */
  maxCrashes: number;
  /** The first replacement waits this long; each further crash in the window doubles it… */
  initialDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  windowMs: 60_000,
  maxCrashes: 5,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
};

/**
 * Exponential backoff over the crashes of the last `windowMs`, across all workers: one worker killed
 * by the OOM killer now and then is replaced at once; a worker that cannot start (Postgres gone, a
 * bad deploy) makes the whole instance exit, so the orchestrator sees a failing pod instead of a
 * primary that forks forever.
 */
export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  crashed(): RestartDecision {
    const now = this.now();
    this.crashes = [...this.crashes.filter((t) => now - t < this.options.windowMs), now];
    const recent = this.crashes.length;
    if (recent > this.options.maxCrashes) return { action: 'give-up', crashes: recent };
    const delayMs = Math.min(this.options.initialDelayMs * 2 ** (recent - 1), this.options.maxDelayMs);
    return { action: 'restart', delayMs };
  }
}
