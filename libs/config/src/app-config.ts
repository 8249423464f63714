/**
 * The validated, typed configuration. Code asks this object, never `process.env`.
 * An abstract class so Nest can inject it by type; the value is the plain object parseConfig returns.
 */
export abstract class AppConfig {
  abstract readonly nodeEnv: 'development' | 'production' | 'test';
  abstract readonly http: {
    host: string;
    port: number;
    /** Fastify body limit in bytes (raw request); data size proper is `sigil.maxDataBytes`. */
    bodyLimitBytes: number;
    /** How long SIGTERM waits for in-flight requests before closing anyway. */
    shutdownGraceMs: number;
    /** After SIGTERM, how long /readyz answers 503 (while still serving) before the server stops accepting. */
    shutdownDelayMs: number;
    /** A request that has not been fully received and answered by then gets a 408. */
    requestTimeoutMs: number;
    /** Limits on any JSON body, checked right after parsing, before validation touches it. */
    maxJsonDepth: number;
    maxJsonKeys: number;
    /** Allowed CORS origins; null disables CORS. */
    corsOrigins: string[] | '*' | null;
    /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe for the client address. */
    trustProxy: boolean | number | string[];
  };
  abstract readonly auth: JwksAuthConfig | DevAuthConfig;
  abstract readonly tenancy: {
    /** Explicit claim name (SIGIL_TENANT_CLAIM); otherwise tenant_id, tenantId, tenant are tried. */
    claim: string | null;
    defaultTenant: string;
  };
  abstract readonly secrets: {
    /** 64 hex chars. In development it may come from `.sigil-dev/` (see resolveDevMaterial). */
    active: string;
    previous: string[];
    /** Where the active secret came from, for the startup log (never the value). */
    origin: 'env' | 'dev-file' | 'secrets-file';
    /** SIGIL_SECRETS_FILE: env-format file the secrets were read from (re-read on SIGHUP); absent if unset. */
    file?: string;
  };
  abstract readonly storage:
    | { kind: 'leveldb'; path: string; sync: boolean }
    | { kind: 'memory' }
    | {
        kind: 'postgres';
        /** postgres://user:pass@host:5432/db; TLS from the URL (sslmode=verify-full&sslrootcert=/path/ca.pem). */
        url: string;
        poolSize: number;
        connectTimeoutMs: number;
        /** Server-side statement_timeout: a stuck query fails (503) instead of holding a request. */
        statementTimeoutMs: number;
        /** Apply pending migrations at start, under an advisory lock (SIGIL_DB_MIGRATE=false to manage them separately). */
        migrate: boolean;
      };
  /**
   * SIGIL_WORKERS: HTTP worker processes sharing the port (node:cluster). 1 is one process and no
   * primary. Unset: the available parallelism with Postgres, 1 otherwise: an embedded store belongs
   * to one process (LevelDB's LOCK), and the memory store would be one store per worker.
   */
  abstract readonly workers: number;
  abstract readonly sigil: { maxDataBytes: number };
  abstract readonly rateLimit: {
    /** Requests per window per principal (tenant + sub). */
    limit: number;
    windowSeconds: number;
    /** Requests per window per client address for requests that fail authentication. */
    anonymousLimit: number;
  };
  abstract readonly redisUrl: string | null;
  abstract readonly dnastoreUrl: string | null;
  abstract readonly metricsToken: string | null;
  /** Where POST /api/v1/admin/backups writes LevelDB snapshots (absolute); null disables the endpoint. */
  abstract readonly backupDir: string | null;
  /** The legacy /api/consciousness paths: the Sunset date they announce (SIGIL_LEGACY_SUNSET, ISO). */
  abstract readonly legacy: { sunset: string };
  abstract readonly readiness: {
    /** Not ready below this free fraction of the SIGIL_DB_PATH volume (SIGIL_DISK_MIN_FREE_PERCENT). */
    diskMinFreeRatio: number;
    /** Not ready above this fraction of V8's heap limit (SIGIL_HEAP_MAX_PERCENT). */
    heapMaxRatio: number;
  };
  abstract readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  abstract readonly devDir: string;
}

export interface JwksAuthConfig {
  mode: 'jwks';
  issuer: string;
  audience: string;
  jwksUri: string;
}

/** Development only: tokens signed by a local key pair kept under `.sigil-dev/`. */
export interface DevAuthConfig {
  mode: 'dev';
  issuer: string;
  audience: string;
  /** PEM of the dev public key the server trusts. */
  publicKeyPem: string;
}

type StorageOf<Kind> = Extract<AppConfig['storage'], { kind: Kind }>;

/** Every store kind's settings, whichever kind is configured: how any store of that kind is opened. */
export interface StoreSettings {
  readonly leveldb: Omit<StorageOf<'leveldb'>, 'kind' | 'path'>;
  readonly postgres: Omit<StorageOf<'postgres'>, 'kind' | 'url'>;
}

/**
 * What an operations command reads (parseOpsConfig): the service's configuration without the HTTP
 * auth settings, which only the API serves with, and without the secrets, which only commands that
 * sign or verify need (SigningOpsConfig). `storeSettings` lets a command open a store a flag names
 * (a backup, a migration target) the way the configured store would be opened.
 */
export type OpsConfig = Omit<AppConfig, 'auth' | 'secrets'> & { readonly storeSettings: StoreSettings };

/** The configuration of an operations command that signs or verifies sigils. */
export type SigningOpsConfig = OpsConfig & Pick<AppConfig, 'secrets'>;
