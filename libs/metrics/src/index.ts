// Prometheus metrics (SPEC §7) arrive with the observability issue; this lib is their home.
export {};
