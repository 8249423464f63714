/**
 * The cluster primary's entry into this lib: only node:cluster and prom-client behind it, no Nest,
 * so the primary (SIGIL_WORKERS > 1) stays a small process. Workers use the main index.
 */
export { answerWorkers, PrimaryChannel, PrimaryUnavailableError } from './cluster/cluster-channel.js';
export {
  CLUSTER_METRICS,
  createPrimaryMetrics,
  serveClusterMetrics,
  type PrimaryMetrics,
} from './cluster/cluster-metrics.js';
