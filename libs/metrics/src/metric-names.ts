/**
 * Every metric this service exports (besides prom-client's process/Node defaults), in one place:
 * code, the Grafana dashboard and the alert rules refer to the same strings. Labels are bounded:
 * route templates, never raw URLs; no tenant or sigil ids.
 */
export const METRICS = {
  // HTTP, recorded for every request (route = Fastify's route template, "unmatched" for 404s)
  httpRequests: 'http_requests_total', // counter {method, route, status}
  httpDuration: 'http_request_duration_seconds', // histogram {method, route}
  // Domain
  encodes: 'sigil_encode_total', // counter
  encodeDuration: 'sigil_encode_duration_seconds', // histogram
  verifies: 'sigil_verify_total', // counter {result: ok, not_found, unknown_key, tampered, …}
  verifyDuration: 'sigil_verify_duration_seconds', // histogram
  revokes: 'sigil_revoke_total', // counter
  errors: 'sigil_error_total', // counter {operation, code}: every problem response
  legacyRequests: 'sigil_legacy_requests_total', // counter {method, route}: calls to the deprecated paths
  storageWrite: 'sigil_storage_write_seconds', // histogram {operation: create, revoke, delete, restore, rewrap}
  storageRead: 'sigil_storage_read_seconds', // histogram {operation: find, count, list, match}
  // Access
  authFailures: 'auth_failures_total', // counter {reason}
  rateLimited: 'sigil_rate_limited_total', // counter {scope: principal, anonymous}
  rateLimitBackend: 'sigil_rate_limit_backend', // gauge {backend: redis, memory}
  rateLimitBackendChanges: 'sigil_rate_limit_backend_changes_total', // counter {to}
  // Readiness and capacity (what the alerts need)
  ready: 'sigil_ready', // gauge: 1 when /readyz last answered 200
  readinessCheck: 'sigil_readiness_check', // gauge {check}: 1 up, 0.5 degraded, 0 down
  diskFreeRatio: 'sigil_disk_free_ratio', // gauge: free / total on the SIGIL_DB_PATH volume
  memoryLimit: 'sigil_memory_limit_bytes', // gauge: cgroup memory limit, else total RAM
} as const;

/** Latency buckets (seconds) shared by the duration histograms: 1 ms … 10 s, around the runbook's budgets. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10];
/** Storage is faster: 50 µs … 1 s. */
export const STORAGE_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
