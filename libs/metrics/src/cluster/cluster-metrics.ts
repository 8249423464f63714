import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, register, Registry } from 'prom-client';
import { answerWorkers, PrimaryChannel } from './cluster-channel.js';

/**
 * Series that exist only when the service runs as a cluster (SIGIL_WORKERS > 1); kept apart from
 * METRICS, whose every name a single process exports.
 */
export const CLUSTER_METRICS = {
  workers: 'sigil_workers', // gauge: worker processes alive now (primary)
  workerRestarts: 'sigil_worker_restarts_total', // counter: workers that died and were replaced (primary)
  workerRequests: 'sigil_worker_requests_total', // counter {worker}: requests answered per worker
} as const;

const TOPIC = 'metrics';
/** prom-client's own aggregation gives up after 5 s; the worker waits a little longer for its reply. */
const ASK_TIMEOUT_MS = 6_000;

/** The primary's own series: how many workers are up and how often one was replaced. */
export interface PrimaryMetrics {
  readonly registry: Registry;
  workersAlive(count: number): void;
  workerRestarted(): void;
}

export function createPrimaryMetrics(): PrimaryMetrics {
  const registry = new Registry();
  const alive = new Gauge({
    name: CLUSTER_METRICS.workers,
    help: 'Worker processes alive (node:cluster), as the primary sees them',
    registers: [registry],
  });
  const restarts = new Counter({
    name: CLUSTER_METRICS.workerRestarts,
    help: 'Workers that exited unexpectedly and were replaced by the primary',
    registers: [registry],
  });
  return {
    registry,
    workersAlive: (count) => alive.set(count),
    workerRestarted: () => restarts.inc(),
  };
}

/**
 * The primary answers a worker's /metrics with the whole instance: prom-client's AggregatorRegistry
 * asks every live worker for its registry over IPC and merges them (counters and histograms summed,
 * each gauge by the aggregator it declares), then the primary's own series are appended.
 */
export function serveClusterMetrics(primary: PrimaryMetrics): void {
  const aggregator = new AggregatorRegistry();
  answerWorkers<null, string>(TOPIC, async () => {
    const [workers, own] = await Promise.all([aggregator.clusterMetrics(), primary.registry.metrics()]);
    return `${workers}${workers.endsWith('\n') || workers === '' ? '' : '\n'}${own}`;
  });
}

let channel: PrimaryChannel<null, string> | undefined;

/**
 * What GET /metrics answers: in a cluster worker, the instance's metrics from the primary; in a
 * single process, this process's registry.
 */
export async function instanceMetrics(): Promise<string> {
  if (!PrimaryChannel.available()) return register.metrics();
  channel ??= new PrimaryChannel<null, string>(TOPIC, ASK_TIMEOUT_MS);
  return channel.ask(null);
}

/**
 * In a worker, answers the primary's requests for this process's registry (prom-client installs its
 * listener when an AggregatorRegistry is made). Idempotent; does nothing outside a cluster.
 */
export function answerPrimaryMetricsRequests(): void {
  if (cluster.isWorker) new AggregatorRegistry();
}

/**
 * Per-worker request count in a cluster worker (undefined otherwise): the one labelled series that
 * survives aggregation per worker, so an operator (and the e2e test) sees the kernel spread the load.
 */
export function workerRequestCounter(): Counter.Internal | undefined {
  if (!cluster.isWorker) return undefined;
  const counter =
    (register.getSingleMetric(CLUSTER_METRICS.workerRequests) as Counter<'worker'> | undefined) ??
    new Counter({
      name: CLUSTER_METRICS.workerRequests,
      help: 'HTTP requests answered, by cluster worker id (node:cluster), while SIGIL_WORKERS > 1',
      labelNames: ['worker'],
    });
  return counter.labels({ worker: String(cluster.worker!.id) });
}
