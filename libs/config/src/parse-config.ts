import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AppConfig, OpsConfig, SigningOpsConfig, StoreSettings } from './app-config.js';
import { ConfigError } from './config.errors.js';

const HEX64 = /^[0-9a-fA-F]{64}$/;
/** Tenant ids become storage key prefixes: keep them to a safe, bounded alphabet. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** When the legacy /api/consciousness paths go away, unless SIGIL_LEGACY_SUNSET says otherwise. */
export const DEFAULT_LEGACY_SUNSET = '2027-12-31T00:00:00Z';
export const DEV_ISSUER = 'sigil-dna-dev';

/** What dev-auth mode needs from `.sigil-dev/`; produced lazily, only when the config calls for it. */
export interface DevMaterial {
  /** Empty when not asked for. */
  secretHex: string;
  /** Empty when not asked for. */
  publicKeyPem: string;
}

/** Which parts of the dev material the config needs, so nothing unused is created on disk. */
export interface DevNeeds {
  keys: boolean;
  secret: boolean;
}

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
/** A blank variable (`FOO=` in an env file) means "unset", never 0 or "". */
const blankAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
const url = (protocols: RegExp, what: string) =>
  optionalString.refine((v) => v === undefined || isUrl(v, protocols), { error: `must be a ${what} URL` });

const envSchema = z.object({
  NODE_ENV: blankAsUnset(z.enum(['development', 'production', 'test']).default('development')),
  SIGIL_HOST: optionalString,
  SIGIL_PORT: blankAsUnset(int(0, 65535).default(3000)),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  JWT_JWKS_URI: url(/^https?:$/, 'http(s)'),
  SPIRAL_EVENT_SECRET: optionalString,
  SPIRAL_EVENT_SECRET_PREVIOUS: optionalString,
  SIGIL_SECRETS_FILE: optionalString,
  DEFAULT_TENANT: optionalString.refine((v) => v === undefined || TENANT_ID_PATTERN.test(v), {
    error: 'must be 1-64 characters of A-Z a-z 0-9 . _ -',
  }),
  SIGIL_TENANT_CLAIM: optionalString,
  SIGIL_RATE_LIMIT: blankAsUnset(int(1, 1_000_000).default(200)),
  SIGIL_RATE_WINDOW: blankAsUnset(int(1, 86_400).default(10)),
  SIGIL_ANON_RATE_LIMIT: blankAsUnset(int(1, 1_000_000).default(60)),
  SIGIL_CORS_ORIGINS: optionalString,
  SIGIL_TRUST_PROXY: optionalString,
  SIGIL_MAX_JSON_DEPTH: blankAsUnset(int(2, 1000).default(32)),
  SIGIL_MAX_JSON_KEYS: blankAsUnset(int(1, 1_000_000).default(10_000)),
  SIGIL_REQUEST_TIMEOUT_MS: blankAsUnset(int(1000, 600_000).default(30_000)),
  SIGIL_DISK_MIN_FREE_PERCENT: blankAsUnset(int(0, 99).default(10)),
  SIGIL_HEAP_MAX_PERCENT: blankAsUnset(int(10, 100).default(90)),
  REDIS_URL: url(/^rediss?:$/, 'redis:// or rediss://'),
  DATABASE_URL: url(/^postgres(ql)?:$/, 'postgres:// or postgresql://'),
  DNASTORE_URL: url(/^https?:$/, 'http(s)'),
  SIGIL_STORAGE: blankAsUnset(z.enum(['leveldb', 'postgres', 'memory']).optional()),
  SIGIL_DB_PATH: optionalString,
  SIGIL_DB_SYNC: blankAsUnset(z.enum(['true', 'false']).default('true')),
  SIGIL_PG_POOL_SIZE: blankAsUnset(int(1, 200).default(10)),
  SIGIL_PG_CONNECT_TIMEOUT_MS: blankAsUnset(int(100, 120_000).default(5_000)),
  SIGIL_PG_STATEMENT_TIMEOUT_MS: blankAsUnset(int(100, 600_000).default(5_000)),
  SIGIL_DB_MIGRATE: blankAsUnset(z.enum(['true', 'false']).default('true')),
  SIGIL_MAX_DATA_BYTES: blankAsUnset(int(64, 16 * 1024 * 1024).default(65_536)),
  SIGIL_WORKERS: blankAsUnset(int(1, 256).optional()),
  SIGIL_SHUTDOWN_GRACE_MS: blankAsUnset(int(0, 600_000).default(10_000)),
  SIGIL_SHUTDOWN_DELAY_MS: blankAsUnset(int(0, 600_000).optional()),
  METRICS_TOKEN: optionalString,
  LOG_LEVEL: blankAsUnset(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  SIGIL_DEV_DIR: optionalString,
  SIGIL_BACKUP_DIR: optionalString.refine((v) => v === undefined || isAbsolute(v), {
    error: 'must be an absolute path',
  }),
  SIGIL_LEGACY_SUNSET: blankAsUnset(
    z.iso.datetime({ offset: true }).or(z.iso.date()).default(DEFAULT_LEGACY_SUNSET),
  ),
});

/**
 * Validates the environment into an AppConfig. Throws one ConfigError naming every problem; secret
 * values are never echoed. `devMaterial` is called only in development without a full JWT setup or
 * without a secret, so tests and production never touch `.sigil-dev/`.
 */
export function parseConfig(
  processEnv: Record<string, string | undefined>,
  devMaterial?: (devDir: string, needs: DevNeeds) => DevMaterial,
): AppConfig {
  const {
    storeSettings: _storeSettings,
    auth,
    secrets,
    ...config
  } = parseEnvironment(processEnv, { auth: true, secrets: true }, devMaterial);
  return { ...config, auth: auth!, secrets: secrets! };
}

/**
 * The configuration of an operations command: validated exactly like parseConfig, but the HTTP auth
 * settings (JWT_*) are neither read nor required, so dev-auth keys are never created; the secrets
 * (SPIRAL_EVENT_SECRET[_PREVIOUS], SIGIL_SECRETS_FILE) only with `secrets: true`, for commands that
 * sign or verify — required in production, from `devMaterial` in development, as for the service.
 */
export function parseOpsConfig(
  processEnv: Record<string, string | undefined>,
  options: { secrets: true; devMaterial?: (devDir: string, needs: DevNeeds) => DevMaterial },
): SigningOpsConfig;
export function parseOpsConfig(
  processEnv: Record<string, string | undefined>,
  options?: { secrets: false },
): OpsConfig;
export function parseOpsConfig(
  processEnv: Record<string, string | undefined>,
  options: { secrets: boolean; devMaterial?: (devDir: string, needs: DevNeeds) => DevMaterial } = {
    secrets: false,
  },
): OpsConfig | SigningOpsConfig {
  const {
    auth: _auth,
    secrets,
    ...config
  } = parseEnvironment(processEnv, { auth: false, secrets: options.secrets }, options.devMaterial);
  return secrets ? { ...config, secrets } : config;
}

/** Which settings a caller uses. Variables of a group it does not use are ignored, never validated. */
interface Reads {
  auth: boolean;
  secrets: boolean;
}

const AUTH_VARIABLES = ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_JWKS_URI'];
const SECRET_VARIABLES = ['SPIRAL_EVENT_SECRET', 'SPIRAL_EVENT_SECRET_PREVIOUS', 'SIGIL_SECRETS_FILE'];

type Parsed = OpsConfig & { auth?: AppConfig['auth']; secrets?: AppConfig['secrets'] };

function parseEnvironment(
  processEnv: Record<string, string | undefined>,
  reads: Reads,
  devMaterial?: (devDir: string, needs: DevNeeds) => DevMaterial,
): Parsed {
  const unread = new Set([...(reads.auth ? [] : AUTH_VARIABLES), ...(reads.secrets ? [] : SECRET_VARIABLES)]);
  const used = Object.fromEntries(Object.entries(processEnv).filter(([name]) => !unread.has(name)));
  // SIGIL_SECRETS_FILE: the two secrets come from that file instead of the environment.
  const secretsFile = used.SIGIL_SECRETS_FILE?.trim() || undefined;
  const fromFile = secretsFile ? readSecretsFile(secretsFile) : undefined;
  const env = fromFile
    ? {
        ...used,
        SPIRAL_EVENT_SECRET: fromFile.values.SPIRAL_EVENT_SECRET ?? '',
        SPIRAL_EVENT_SECRET_PREVIOUS: fromFile.values.SPIRAL_EVENT_SECRET_PREVIOUS ?? '',
      }
    : used;
  // Schema problems and cross-field problems are collected together, so one message names them all.
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const raw = (name: string) => (env[name]?.trim() ? env[name].trim() : undefined);
  const production = raw('NODE_ENV') === 'production';
  const secret = raw('SPIRAL_EVENT_SECRET');
  if (fromFile) problems.push(...fromFile.problems);
  const previous = checkSecrets(secret, raw('SPIRAL_EVENT_SECRET_PREVIOUS'), problems, secretsFile);
  if (reads.auth && (production || raw('JWT_ISSUER') !== undefined || raw('JWT_JWKS_URI') !== undefined)) {
    const why = production ? ' in production' : ' when either JWT_ISSUER or JWT_JWKS_URI is set';
    if (raw('JWT_ISSUER') === undefined) problems.push(`JWT_ISSUER: required${why}`);
    if (raw('JWT_JWKS_URI') === undefined) problems.push(`JWT_JWKS_URI: required${why}`);
  }
  if (reads.secrets && production && secret === undefined) {
    problems.push('SPIRAL_EVENT_SECRET: required in production (64 hex characters)');
  }
  const storageKind = raw('SIGIL_STORAGE') ?? (raw('DATABASE_URL') ? 'postgres' : 'leveldb');
  if (storageKind === 'postgres' && raw('DATABASE_URL') === undefined) {
    problems.push('DATABASE_URL: required when SIGIL_STORAGE=postgres');
  }
  if (storageKind === 'memory' && production) {
    problems.push('SIGIL_STORAGE: memory loses every sigil on restart and is not allowed in production');
  }
  const workers = raw('SIGIL_WORKERS');
  if (storageKind !== 'postgres' && workers !== undefined && Number(workers) > 1) {
    problems.push(
      `SIGIL_WORKERS: more than 1 worker needs SIGIL_STORAGE=postgres (${storageKind === 'memory' ? 'the memory store lives in one process' : 'one process owns a LevelDB store (its LOCK)'}); unset it or set 1`,
    );
  }
  const corsOrigins = parseCorsOrigins(raw('SIGIL_CORS_ORIGINS'), problems);
  const trustProxy = parseTrustProxy(raw('SIGIL_TRUST_PROXY'), problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const devDir = e.SIGIL_DEV_DIR ?? '.sigil-dev';

  const audience = e.JWT_AUDIENCE ?? 'sigil-dna';
  const needs: DevNeeds = {
    keys: reads.auth && !e.JWT_JWKS_URI,
    secret: reads.secrets && e.SPIRAL_EVENT_SECRET === undefined,
  };
  const dev = (needs.keys || needs.secret) && devMaterial ? devMaterial(devDir, needs) : undefined;
  if ((needs.keys || needs.secret) && !dev) {
    const missing = [needs.keys && 'JWT_JWKS_URI', needs.secret && 'SPIRAL_EVENT_SECRET'].filter(Boolean);
    throw new ConfigError([`${missing.join(' and ')}: required when dev-auth material is unavailable`]);
  }
  if (needs.secret && !HEX64.test(dev!.secretHex)) {
    throw new ConfigError([
      `${devDir}/spiral-secret.hex: must hold 64 hex characters; delete it to get a new one`,
    ]);
  }

  const storeSettings: StoreSettings = {
    leveldb: { sync: e.SIGIL_DB_SYNC === 'true' },
    postgres: {
      poolSize: e.SIGIL_PG_POOL_SIZE,
      connectTimeoutMs: e.SIGIL_PG_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.SIGIL_PG_STATEMENT_TIMEOUT_MS,
      migrate: e.SIGIL_DB_MIGRATE === 'true',
    },
  };
  return {
    nodeEnv: e.NODE_ENV,
    http: {
      host: e.SIGIL_HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
      port: e.SIGIL_PORT,
      // Room for the data limit plus the envelope and JSON escaping; the exact data check is later.
      bodyLimitBytes: Math.max(1_048_576, e.SIGIL_MAX_DATA_BYTES * 4),
      shutdownGraceMs: e.SIGIL_SHUTDOWN_GRACE_MS,
      // Behind a load balancer, readiness must fail for a few probe periods before the port closes.
      shutdownDelayMs: e.SIGIL_SHUTDOWN_DELAY_MS ?? (production ? 5_000 : 0),
      requestTimeoutMs: e.SIGIL_REQUEST_TIMEOUT_MS,
      maxJsonDepth: e.SIGIL_MAX_JSON_DEPTH,
      maxJsonKeys: e.SIGIL_MAX_JSON_KEYS,
      corsOrigins,
      trustProxy,
    },
    ...(reads.auth && {
      auth: e.JWT_JWKS_URI
        ? { mode: 'jwks', issuer: e.JWT_ISSUER!, audience, jwksUri: e.JWT_JWKS_URI }
        : { mode: 'dev', issuer: DEV_ISSUER, audience, publicKeyPem: dev!.publicKeyPem },
    }),
    tenancy: { claim: e.SIGIL_TENANT_CLAIM ?? null, defaultTenant: e.DEFAULT_TENANT ?? 'public' },
    ...(reads.secrets && {
      secrets: {
        active: (e.SPIRAL_EVENT_SECRET ?? dev!.secretHex).toLowerCase(),
        previous: previous.map((s) => s.toLowerCase()),
        origin: secretsFile ? 'secrets-file' : e.SPIRAL_EVENT_SECRET !== undefined ? 'env' : 'dev-file',
        ...(secretsFile ? { file: secretsFile } : {}),
      },
    }),
    storage:
      storageKind === 'memory'
        ? { kind: 'memory' }
        : storageKind === 'postgres'
          ? { kind: 'postgres', url: e.DATABASE_URL!, ...storeSettings.postgres }
          : { kind: 'leveldb', path: e.SIGIL_DB_PATH ?? './sigil-leveldb', ...storeSettings.leveldb },
    storeSettings,
    workers: e.SIGIL_WORKERS ?? (storageKind === 'postgres' ? availableParallelism() : 1),
    sigil: { maxDataBytes: e.SIGIL_MAX_DATA_BYTES },
    rateLimit: {
      limit: e.SIGIL_RATE_LIMIT,
      windowSeconds: e.SIGIL_RATE_WINDOW,
      anonymousLimit: e.SIGIL_ANON_RATE_LIMIT,
    },
    redisUrl: e.REDIS_URL ?? null,
    dnastoreUrl: e.DNASTORE_URL ?? null,
    metricsToken: e.METRICS_TOKEN ?? null,
    backupDir: e.SIGIL_BACKUP_DIR ?? null,
    legacy: { sunset: new Date(e.SIGIL_LEGACY_SUNSET).toISOString() },
    readiness: {
      diskMinFreeRatio: e.SIGIL_DISK_MIN_FREE_PERCENT / 100,
      heapMaxRatio: e.SIGIL_HEAP_MAX_PERCENT / 100,
    },
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'warn' : 'info'),
    devDir,
  };
}

/**
 * Validates the active secret and the comma-separated previous ones (problems never quote a value);
 * returns the previous ones as a list. `file` names the secrets file they came from, if any.
 */
function checkSecrets(
  secret: string | undefined,
  previousRaw: string | undefined,
  problems: string[],
  file?: string,
): string[] {
  const where = file ? ` (in ${file})` : '';
  if (secret !== undefined && !HEX64.test(secret)) {
    problems.push(
      `SPIRAL_EVENT_SECRET${where}: must be 64 hex characters (32 bytes), got ${secret.length} characters` +
        ' (generate one with `openssl rand -hex 32`)',
    );
  }
  const previous = (previousRaw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  previous.forEach((s, i) => {
    if (!HEX64.test(s)) {
      problems.push(
        `SPIRAL_EVENT_SECRET_PREVIOUS${where}: entry ${i + 1} must be 64 hex characters (32 bytes)`,
      );
    }
  });
  return previous;
}

/**
 * Parses an env-format file (`NAME=value` lines, `#` comments, optional `export ` and quotes).
 * Problems name the file and line, never a value. A file without SPIRAL_EVENT_SECRET is a problem.
 */
export function readSecretsFile(path: string): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { values, problems: [`SIGIL_SECRETS_FILE: cannot read ${path} (${code})`] };
  }
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) {
      problems.push(`SIGIL_SECRETS_FILE: ${path} line ${i + 1} is not NAME=value`);
      return;
    }
    values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2').trim();
  });
  if (!values.SPIRAL_EVENT_SECRET && problems.length === 0) {
    problems.push(`SIGIL_SECRETS_FILE: ${path} must set SPIRAL_EVENT_SECRET`);
  }
  return { values, problems };
}

/**
 * The signing secrets from a secrets file, validated exactly as at start (for a SIGHUP reload).
 * Throws a ConfigError naming every problem; values are never echoed.
 */
export function loadSecretsFile(path: string): { active: string; previous: string[] } {
  const { values, problems } = readSecretsFile(path);
  const active = values.SPIRAL_EVENT_SECRET?.trim() || undefined;
  const previous = checkSecrets(active, values.SPIRAL_EVENT_SECRET_PREVIOUS, problems, path);
  if (problems.length > 0 || active === undefined) throw new ConfigError(problems);
  return { active: active.toLowerCase(), previous: previous.map((s) => s.toLowerCase()) };
}

function isOrigin(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && new URL(value).origin === value;
}

function isUrl(value: string, protocols: RegExp): boolean {
  try {
    return protocols.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** `*` or a comma-separated list of exact origins (scheme://host[:port]); unset means no CORS at all. */
function parseCorsOrigins(value: string | undefined, problems: string[]): string[] | '*' | null {
  if (value === undefined) return null;
  if (value === '*') return '*';
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    if (!isOrigin(origin))
      problems.push(`SIGIL_CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com`);
  }
  return origins;
}

/**
 * Which proxies may set X-Forwarded-For: `false` (default; the socket address is the client),
 * `true` (any: only behind a proxy that overwrites the header), a hop count, or comma-separated
 * addresses/CIDRs of the ingress.
 */
function parseTrustProxy(value: string | undefined, problems: string[]): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const entry of entries) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry)) {
      problems.push(`SIGIL_TRUST_PROXY: "${entry}" is not true, false, a hop count, or an address/CIDR`);
    }
  }
  return entries;
}
