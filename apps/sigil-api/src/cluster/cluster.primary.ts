import { fork } from 'node:child_process';
import { once } from 'node:events';
import { pino } from 'pino';
import { serveRateLimitCounters } from '#auth/cluster';
import type { AppConfig } from '#config';
import { createPrimaryMetrics, serveClusterMetrics } from '#metrics/cluster';
import { WorkerSupervisor } from './worker.supervisor.js';

/**
 * The primary of SIGIL_WORKERS > 1 (Postgres only; the config refuses it otherwise). It serves no
 * HTTP itself and loads no Nest: it applies migrations once (in a child), forks the workers (which
 * share the port through node:cluster, each with its own pool, migrations off), holds the
 * instance's rate-limit counters and merges its /metrics, replaces a worker that dies, and relays
 * SIGTERM/SIGINT/SIGHUP.
 */
export async function runPrimary(config: AppConfig): Promise<void> {
  const logger = pino({ level: config.logLevel }).child({ context: 'Cluster' });
  if (config.storage.kind === 'postgres' && config.storage.migrate) {
    // Once, before any worker exists; the workers then open the store with migrations off.
    await runMigrations();
    logger.info('migrations: up to date');
  }

  const metrics = createPrimaryMetrics();
  serveRateLimitCounters();
  serveClusterMetrics(metrics);
  const supervisor = new WorkerSupervisor(
    config,
    logger,
    (count) => metrics.workersAlive(count),
    () => metrics.workerRestarted(),
  );
  supervisor.start();
  process.on('SIGTERM', () => supervisor.stop('SIGTERM'));
  process.on('SIGINT', () => supervisor.stop('SIGINT'));
  process.on('SIGHUP', () => supervisor.relay('SIGHUP'));
  logger.info(`primary ${process.pid}: ${config.workers} workers on port ${config.http.port}`);
}

/** Runs migrate.main.js as a child with this environment; its stderr says why if it fails. */
async function runMigrations(): Promise<void> {
  const child = fork(new URL('./migrate.main.js', import.meta.url), { stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`migrations did not complete (exit ${code})`);
}
