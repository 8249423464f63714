import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { AppConfig } from '#config';
import { RestartPolicy } from './restart.policy.js';

/** Beyond the workers' own drain deadline, how long the primary waits before it kills what is left. */
const KILL_MARGIN_MS = 1_000;

/** Forks SIGIL_WORKERS workers and keeps that many alive until a signal stops the instance. */
export class WorkerSupervisor {
  private readonly policy = new RestartPolicy();
  private stopping = false;
  private failed = false;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: Logger,
    private readonly alive: (count: number) => void,
    private readonly restarted: () => void,
  ) {}

  start(): void {
    cluster.on('exit', (worker, code, signal) => this.exited(worker, code, signal));
    cluster.on('online', () => this.alive(this.workers().length));
    for (let i = 0; i < this.config.workers; i++) this.fork();
  }

  /** SIGHUP (secrets reload) reaches every worker, which reloads its own key ring. */
  relay(signal: NodeJS.Signals): void {
    this.logger.info(`${signal} received: relayed to ${this.workers().length} workers`);
    for (const worker of this.workers()) worker.process.kill(signal);
  }

  /**
   * Every worker drains as a single process does (readiness 503, then close); the primary exits
   * once all are gone: 0 if each exited 0, else 1. Whatever outlives the workers' own deadline is
   * killed.
   */
  stop(signal: NodeJS.Signals): void {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info(`${signal} received: draining ${this.workers().length} workers`);
    const deadline = this.config.http.shutdownDelayMs + this.config.http.shutdownGraceMs + KILL_MARGIN_MS;
    setTimeout(() => {
      this.logger.error(`workers still running ${deadline} ms after ${signal}; killing them`);
      for (const worker of this.workers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, deadline).unref();
    for (const worker of this.workers()) worker.process.kill(signal);
    this.exitWhenAllGone();
  }

  private fork(): void {
    // A worker re-reads the same environment (so no secret travels over IPC) with migrations off.
    cluster.fork({ SIGIL_DB_MIGRATE: 'false' });
  }

  private exited(worker: Worker, code: number | null, signal: string | null): void {
    this.alive(this.workers().length);
    if (this.stopping) {
      // A worker still starting when the signal came dies of it (no handler yet): nothing to drain.
      const stoppedBySignal = signal === 'SIGTERM' || signal === 'SIGINT';
      if (code !== 0 && !stoppedBySignal) this.failed = true;
      this.exitWhenAllGone();
      return;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const decision = this.policy.crashed();
    if (decision.action === 'give-up') {
      this.logger.error(
        `worker ${worker.process.pid} exited (${how}): ${decision.crashes} crashes within a minute; stopping the instance`,
      );
      this.failed = true;
      this.stop('SIGTERM');
      return;
    }
    this.logger.error(`worker ${worker.process.pid} exited (${how}); replacing it in ${decision.delayMs} ms`);
    this.restarted();
    // Not unref'd: with every worker gone, this timer is what keeps the primary alive to fork again.
    setTimeout(() => {
      if (!this.stopping) this.fork();
    }, decision.delayMs);
  }

  private exitWhenAllGone(): void {
    if (this.workers().length > 0) return;
    this.logger.info(`all workers exited; primary exits ${this.failed ? 1 : 0}`);
    process.exit(this.failed ? 1 : 0);
  }

  private workers(): Worker[] {
    return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  }
}
