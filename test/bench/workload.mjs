// What the throughput benchmarks (run.mjs, ab.mjs) send and how they start the service, in one place
// so that their numbers describe the same thing.
import { HOST } from './http.mjs';

/** A ~200-byte data object (serialised), different for every n. */
export function sampleData(n) {
  return {
    invoice: `INV-${String(n).padStart(8, '0')}`,
    customer: `cust-${(n * 7919) % 100_000}`,
    amount: Math.round(((n * 37) % 100_000) + 0.5) / 100,
    currency: 'EUR',
    issuedAt: '2025-01-15T10:00:00.000Z',
    lines: [
      { sku: 'SKU-ALPHA-001', qty: (n % 5) + 1 },
      { sku: 'SKU-BETA-002', qty: (n % 3) + 1 },
    ],
    note: 'benchmark payload',
  };
}

/**
 * The service's environment: the default production configuration (JWT verified against a real JWKS
 * on loopback, info-level request logging, rate limiting on), with a per-user limit high enough that
 * the limiter counts every request but never refuses one.
 */
export function serviceEnv({ jwks, secret }, port, extraEnv = {}) {
  return {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info', // request logging is part of the full stack being measured
    SIGIL_HOST: HOST,
    SIGIL_PORT: String(port),
    JWT_ISSUER: jwks.issuer,
    JWT_AUDIENCE: jwks.audience,
    JWT_JWKS_URI: jwks.url,
    SPIRAL_EVENT_SECRET: secret,
    SIGIL_RATE_LIMIT: '1000000',
    ...extraEnv,
  };
}
