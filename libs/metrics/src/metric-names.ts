/** Metric names in one place: code, dashboards and alert rules refer to the same strings. */
export const METRICS = {
  authFailures: 'auth_failures_total',
  rateLimited: 'sigil_rate_limited_total',
  rateLimitBackend: 'sigil_rate_limit_backend',
  rateLimitBackendChanges: 'sigil_rate_limit_backend_changes_total',
} as const;
