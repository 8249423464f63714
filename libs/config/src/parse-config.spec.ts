import { availableParallelism } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from './config.errors.js';
import { DEV_ISSUER, parseConfig, parseOpsConfig, type DevMaterial } from './parse-config.js';

const HEX_A = '0123456789abcdef'.repeat(4);
const HEX_B = 'fedcba9876543210'.repeat(4);
const HEX_DEV = 'a1b2c3d4e5f60718'.repeat(4);
const ISSUER = 'https://auth.example.com/';
const JWKS = 'https://auth.example.com/.well-known/jwks.json';

/** A complete JWKS + secret setup: parseConfig needs nothing from `.sigil-dev/`. */
const FULL = { JWT_ISSUER: ISSUER, JWT_JWKS_URI: JWKS, SPIRAL_EVENT_SECRET: HEX_A };
const PRODUCTION = { NODE_ENV: 'production', ...FULL };

type Env = Record<string, string | undefined>;

function devMaterialMock() {
  return vi.fn((_devDir: string): DevMaterial => ({
    secretHex: HEX_DEV.toUpperCase(),
    publicKeyPem: 'DEV-PUBLIC-KEY-PEM',
  }));
}

/** The ConfigError parseConfig throws for `env` (fails the test if it returns). */
function configError(env: Env, devMaterial?: (devDir: string) => DevMaterial): ConfigError {
  try {
    parseConfig(env, devMaterial);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(Object.keys(env))}`);
}

/** The problems naming `variable` (each problem starts with the variable it is about). */
function problemsFor(error: ConfigError, variable: string): string[] {
  return error.problems.filter((p) => p.startsWith(`${variable}:`));
}

describe('parseConfig: defaults', () => {
  it('fills every default around a complete JWKS setup', () => {
    const devMaterial = devMaterialMock();
    const config = parseConfig({ NODE_ENV: 'test', ...FULL }, devMaterial);
    expect(devMaterial).not.toHaveBeenCalled();
    expect(config.nodeEnv).toBe('test');
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 3000,
      bodyLimitBytes: 1_048_576,
      shutdownGraceMs: 10_000,
      shutdownDelayMs: 0,
      requestTimeoutMs: 30_000,
      maxJsonDepth: 32,
      maxJsonKeys: 10_000,
      corsOrigins: null,
      trustProxy: false,
    });
    expect(config.auth).toEqual({ mode: 'jwks', issuer: ISSUER, audience: 'sigil-dna', jwksUri: JWKS });
    expect(config.tenancy).toEqual({ claim: null, defaultTenant: 'public' });
    expect(config.secrets).toEqual({ active: HEX_A, previous: [], origin: 'env' });
    expect(config.storage).toEqual({ kind: 'leveldb', path: './sigil-leveldb', sync: true });
    expect(config.sigil).toEqual({ maxDataBytes: 65_536 });
    expect(config.rateLimit).toEqual({ limit: 200, windowSeconds: 10, anonymousLimit: 60 });
    expect(config.redisUrl).toBeNull();
    expect(config.dnastoreUrl).toBeNull();
    expect(config.metricsToken).toBeNull();
    expect(config.logLevel).toBe('warn');
    expect(config.devDir).toBe('.sigil-dev');
  });

  it('defaults NODE_ENV to development', () => {
    const config = parseConfig({}, devMaterialMock());
    expect(config.nodeEnv).toBe('development');
    expect(config.logLevel).toBe('info');
    expect(config.http.port).toBe(3000);
    expect(config.auth.audience).toBe('sigil-dna');
    expect(config.tenancy.defaultTenant).toBe('public');
    expect(config.rateLimit).toEqual({ limit: 200, windowSeconds: 10, anonymousLimit: 60 });
    expect(config.sigil.maxDataBytes).toBe(65_536);
    expect(config.storage).toEqual({ kind: 'leveldb', path: './sigil-leveldb', sync: true });
  });

  it('listens on all interfaces in production and on loopback otherwise', () => {
    expect(parseConfig(PRODUCTION).http.host).toBe('0.0.0.0');
    expect(parseConfig({ NODE_ENV: 'development', ...FULL }).http.host).toBe('127.0.0.1');
    expect(parseConfig({ ...PRODUCTION, SIGIL_HOST: '10.0.0.5' }).http.host).toBe('10.0.0.5');
  });

  it('takes explicit values over the defaults', () => {
    const config = parseConfig({
      ...FULL,
      SIGIL_PORT: '8080',
      JWT_AUDIENCE: 'other-audience',
      DEFAULT_TENANT: 'acme',
      SIGIL_TENANT_CLAIM: 'org',
      SIGIL_RATE_LIMIT: '50',
      SIGIL_RATE_WINDOW: '60',
      SIGIL_MAX_DATA_BYTES: '1048576',
      SIGIL_DB_PATH: '/var/lib/sigil',
      SIGIL_DB_SYNC: 'false',
      REDIS_URL: 'rediss://cache.internal:6380',
      LOG_LEVEL: 'debug',
    });
    expect(config.http.port).toBe(8080);
    expect(config.http.bodyLimitBytes).toBe(4 * 1_048_576);
    expect(config.auth.audience).toBe('other-audience');
    expect(config.tenancy).toEqual({ claim: 'org', defaultTenant: 'acme' });
    expect(config.rateLimit).toEqual({ limit: 50, windowSeconds: 60, anonymousLimit: 60 });
    expect(config.sigil.maxDataBytes).toBe(1_048_576);
    expect(config.storage).toEqual({ kind: 'leveldb', path: '/var/lib/sigil', sync: false });
    expect(config.redisUrl).toBe('rediss://cache.internal:6380');
    expect(config.logLevel).toBe('debug');
  });
});

describe('parseConfig: production requirements', () => {
  it('names JWT_ISSUER, JWT_JWKS_URI and SPIRAL_EVENT_SECRET at once when nothing is set', () => {
    const devMaterial = devMaterialMock();
    const error = configError({ NODE_ENV: 'production' }, devMaterial);
    expect(devMaterial).not.toHaveBeenCalled();
    expect(error.name).toBe('ConfigError');
    for (const variable of ['JWT_ISSUER', 'JWT_JWKS_URI', 'SPIRAL_EVENT_SECRET']) {
      expect(problemsFor(error, variable)).toHaveLength(1);
      expect(error.message).toContain(variable);
    }
    expect(error.problems).toHaveLength(3);
    expect(error.message).toContain('3 problems');
  });

  it('names only what is missing', () => {
    const error = configError({ ...PRODUCTION, SPIRAL_EVENT_SECRET: undefined });
    expect(error.problems).toHaveLength(1);
    expect(problemsFor(error, 'SPIRAL_EVENT_SECRET')).toHaveLength(1);
    expect(error.message).toContain('1 problem');
  });

  it('treats blank values as unset', () => {
    const error = configError({
      NODE_ENV: 'production',
      JWT_ISSUER: '  ',
      JWT_JWKS_URI: '',
      SPIRAL_EVENT_SECRET: ' ',
    });
    for (const variable of ['JWT_ISSUER', 'JWT_JWKS_URI', 'SPIRAL_EVENT_SECRET']) {
      expect(problemsFor(error, variable)).toHaveLength(1);
    }
  });

  it('accepts a complete production setup without touching dev material', () => {
    const devMaterial = devMaterialMock();
    const config = parseConfig(PRODUCTION, devMaterial);
    expect(devMaterial).not.toHaveBeenCalled();
    expect(config.nodeEnv).toBe('production');
    expect(config.auth).toEqual({ mode: 'jwks', issuer: ISSUER, audience: 'sigil-dna', jwksUri: JWKS });
    expect(config.secrets.origin).toBe('env');
  });
});

describe('parseConfig: signing secrets', () => {
  it('names a 10-character SPIRAL_EVENT_SECRET with its length and never echoes it', () => {
    const secret = 'Zq7pW2xKv9';
    expect(secret).toHaveLength(10);
    for (const env of [{ ...PRODUCTION, SPIRAL_EVENT_SECRET: secret }, { SPIRAL_EVENT_SECRET: secret }]) {
      const error = configError(env, devMaterialMock());
      const problems = problemsFor(error, 'SPIRAL_EVENT_SECRET');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/\b10 characters\b/);
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.problems)).not.toContain(secret);
      expect(String(error)).not.toContain(secret);
    }
  });

  it('refuses a secret one hex digit too long or with a non-hex character, without echoing it', () => {
    for (const secret of [`${HEX_A}0`, `${HEX_A.slice(0, 63)}g`]) {
      const error = configError({ ...PRODUCTION, SPIRAL_EVENT_SECRET: secret });
      const problems = problemsFor(error, 'SPIRAL_EVENT_SECRET');
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`${secret.length} characters`);
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(secret.slice(0, 32));
    }
  });

  it('names each malformed SPIRAL_EVENT_SECRET_PREVIOUS entry by position, without echoing it', () => {
    const error = configError({
      ...PRODUCTION,
      SPIRAL_EVENT_SECRET_PREVIOUS: `${HEX_B},not-a-secret-value,${HEX_B.slice(0, 40)}`,
    });
    const problems = problemsFor(error, 'SPIRAL_EVENT_SECRET_PREVIOUS');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/entry 2\b/);
    expect(problems[1]).toMatch(/entry 3\b/);
    expect(error.message).not.toMatch(/entry 1\b/);
    expect(error.message).not.toContain('not-a-secret-value');
    expect(error.message).not.toContain(HEX_B.slice(0, 40));
  });

  it('lower-cases the active and previous secrets', () => {
    const config = parseConfig({
      ...PRODUCTION,
      SPIRAL_EVENT_SECRET: HEX_A.toUpperCase(),
      SPIRAL_EVENT_SECRET_PREVIOUS: HEX_B.toUpperCase(),
    });
    expect(config.secrets).toEqual({ active: HEX_A, previous: [HEX_B], origin: 'env' });
  });

  it('parses the previous list across spaces, empty entries and trailing commas', () => {
    const config = parseConfig({
      ...PRODUCTION,
      SPIRAL_EVENT_SECRET_PREVIOUS: `  ${HEX_B.toUpperCase()} , ,${HEX_DEV},, `,
    });
    expect(config.secrets.previous).toEqual([HEX_B, HEX_DEV]);
    expect(parseConfig({ ...PRODUCTION, SPIRAL_EVENT_SECRET_PREVIOUS: ' , ' }).secrets.previous).toEqual([]);
    expect(parseConfig({ ...PRODUCTION, SPIRAL_EVENT_SECRET_PREVIOUS: '' }).secrets.previous).toEqual([]);
  });
});

describe('parseConfig: numbers', () => {
  it('names SIGIL_PORT=abc and SIGIL_RATE_LIMIT=0 in one error', () => {
    const error = configError({ ...FULL, SIGIL_PORT: 'abc', SIGIL_RATE_LIMIT: '0' });
    expect(problemsFor(error, 'SIGIL_PORT')).toHaveLength(1);
    expect(problemsFor(error, 'SIGIL_RATE_LIMIT')).toHaveLength(1);
    expect(problemsFor(error, 'SIGIL_RATE_LIMIT')[0]).toContain('at least 1');
  });

  it.each([
    ['SIGIL_PORT', '70000'],
    ['SIGIL_PORT', '-1'],
    ['SIGIL_PORT', '80.5'],
    ['SIGIL_RATE_LIMIT', '-5'],
    ['SIGIL_RATE_WINDOW', '0'],
    ['SIGIL_RATE_WINDOW', '86401'],
    ['SIGIL_MAX_DATA_BYTES', '10'],
    ['SIGIL_MAX_DATA_BYTES', 'lots'],
    ['SIGIL_SHUTDOWN_GRACE_MS', '600001'],
  ])('refuses %s=%s', (variable, value) => {
    const error = configError({ ...FULL, [variable]: value });
    expect(problemsFor(error, variable)).toHaveLength(1);
    expect(error.problems).toHaveLength(1);
  });

  it('reports schema problems together with production requirements', () => {
    const error = configError({ NODE_ENV: 'production', SIGIL_PORT: 'abc' });
    for (const variable of ['SIGIL_PORT', 'JWT_ISSUER', 'JWT_JWKS_URI', 'SPIRAL_EVENT_SECRET']) {
      expect(problemsFor(error, variable)).toHaveLength(1);
    }
  });
});

describe('parseConfig: URLs', () => {
  it.each([
    ['JWT_JWKS_URI', 'ftp://auth.example.com/jwks.json'],
    ['JWT_JWKS_URI', 'not a url'],
    ['REDIS_URL', 'http://cache.internal:6379'],
    ['DATABASE_URL', 'mysql://db.internal/sigil'],
    ['DNASTORE_URL', 'file:///etc/passwd'],
  ])('refuses %s=%s', (variable, value) => {
    const error = configError({ ...FULL, [variable]: value });
    expect(problemsFor(error, variable)).toHaveLength(1);
    expect(problemsFor(error, variable)[0]).toMatch(/URL/);
  });

  it('names every bad URL at once', () => {
    const error = configError({
      ...FULL,
      JWT_JWKS_URI: 'jwks',
      REDIS_URL: 'redis',
      DATABASE_URL: 'postgres',
      DNASTORE_URL: 'dnastore',
    });
    for (const variable of ['JWT_JWKS_URI', 'REDIS_URL', 'DATABASE_URL', 'DNASTORE_URL']) {
      expect(problemsFor(error, variable)).toHaveLength(1);
    }
  });

  it('accepts the allowed schemes', () => {
    const config = parseConfig({
      ...FULL,
      JWT_JWKS_URI: 'http://localhost:8080/jwks',
      REDIS_URL: 'redis://cache:6379/0',
      DATABASE_URL: 'postgresql://sigil@db:5432/sigil',
      DNASTORE_URL: 'https://dnastore.example.com',
    });
    expect(config.auth).toMatchObject({ mode: 'jwks', jwksUri: 'http://localhost:8080/jwks' });
    expect(config.redisUrl).toBe('redis://cache:6379/0');
    expect(config.dnastoreUrl).toBe('https://dnastore.example.com');
  });
});

describe('parseConfig: storage', () => {
  const DATABASE_URL = 'postgres://sigil:pw@db.internal:5432/sigil';

  it('uses postgres when DATABASE_URL is set and SIGIL_STORAGE is not', () => {
    const defaults = { poolSize: 10, connectTimeoutMs: 5_000, statementTimeoutMs: 5_000, migrate: true };
    expect(parseConfig({ ...FULL, DATABASE_URL }).storage).toEqual({
      kind: 'postgres',
      url: DATABASE_URL,
      ...defaults,
    });
    expect(parseConfig({ ...PRODUCTION, DATABASE_URL }).storage).toEqual({
      kind: 'postgres',
      url: DATABASE_URL,
      ...defaults,
    });
  });

  it('takes the Postgres pool, timeouts and migration flag from the environment', () => {
    const storage = parseConfig({
      ...FULL,
      DATABASE_URL,
      SIGIL_PG_POOL_SIZE: '25',
      SIGIL_PG_CONNECT_TIMEOUT_MS: '2000',
      SIGIL_PG_STATEMENT_TIMEOUT_MS: '1500',
      SIGIL_DB_MIGRATE: 'false',
    }).storage;
    expect(storage).toMatchObject({
      poolSize: 25,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 1500,
      migrate: false,
    });
    expect(
      problemsFor(configError({ ...FULL, DATABASE_URL, SIGIL_PG_POOL_SIZE: '0' }), 'SIGIL_PG_POOL_SIZE'),
    ).toHaveLength(1);
  });

  it('lets SIGIL_STORAGE override the choice', () => {
    expect(parseConfig({ ...FULL, DATABASE_URL, SIGIL_STORAGE: 'leveldb' }).storage).toEqual({
      kind: 'leveldb',
      path: './sigil-leveldb',
      sync: true,
    });
    expect(parseConfig({ ...FULL, SIGIL_STORAGE: 'memory' }).storage).toEqual({ kind: 'memory' });
  });

  it('requires DATABASE_URL for SIGIL_STORAGE=postgres', () => {
    const error = configError({ ...FULL, SIGIL_STORAGE: 'postgres' });
    expect(problemsFor(error, 'DATABASE_URL')).toHaveLength(1);
  });

  it('refuses SIGIL_STORAGE=memory in production only', () => {
    const error = configError({ ...PRODUCTION, SIGIL_STORAGE: 'memory' });
    expect(error.problems).toHaveLength(1);
    expect(problemsFor(error, 'SIGIL_STORAGE')).toHaveLength(1);
    expect(parseConfig({ NODE_ENV: 'test', ...FULL, SIGIL_STORAGE: 'memory' }).storage).toEqual({
      kind: 'memory',
    });
  });

  it('refuses an unknown SIGIL_STORAGE', () => {
    expect(problemsFor(configError({ ...FULL, SIGIL_STORAGE: 'sqlite' }), 'SIGIL_STORAGE')).toHaveLength(1);
  });
});

describe('parseConfig: workers', () => {
  const DATABASE_URL = 'postgres://sigil:pw@db.internal:5432/sigil';

  it('defaults to the available parallelism with Postgres and to one process otherwise', () => {
    expect(parseConfig({ ...FULL, DATABASE_URL }).workers).toBe(availableParallelism());
    expect(parseConfig(FULL).workers).toBe(1);
    expect(parseConfig({ ...FULL, SIGIL_STORAGE: 'memory' }).workers).toBe(1);
    expect(parseConfig({ ...FULL, DATABASE_URL, SIGIL_WORKERS: ' ' }).workers).toBe(availableParallelism());
  });

  it('takes SIGIL_WORKERS from 1 to 256, and 1 on any store', () => {
    expect(parseConfig({ ...FULL, DATABASE_URL, SIGIL_WORKERS: '3' }).workers).toBe(3);
    expect(parseConfig({ ...FULL, DATABASE_URL, SIGIL_WORKERS: '256' }).workers).toBe(256);
    expect(parseConfig({ ...FULL, SIGIL_WORKERS: '1' }).workers).toBe(1);
    for (const bad of ['0', '257', '1.5', 'two']) {
      expect(
        problemsFor(configError({ ...FULL, DATABASE_URL, SIGIL_WORKERS: bad }), 'SIGIL_WORKERS'),
      ).toHaveLength(1);
    }
  });

  it('refuses more than one worker on LevelDB or memory, saying why', () => {
    const [level] = problemsFor(configError({ ...FULL, SIGIL_WORKERS: '2' }), 'SIGIL_WORKERS');
    expect(level).toMatch(/needs SIGIL_STORAGE=postgres.*LevelDB/);
    const [memory] = problemsFor(
      configError({ ...FULL, SIGIL_STORAGE: 'memory', SIGIL_WORKERS: '2' }),
      'SIGIL_WORKERS',
    );
    expect(memory).toMatch(/memory store lives in one process/);
  });
});

describe('parseConfig: development material', () => {
  it('calls devMaterial once, with the dev folder, when both JWKS and the secret are missing', () => {
    const devMaterial = devMaterialMock();
    const config = parseConfig({}, devMaterial);
    expect(devMaterial).toHaveBeenCalledTimes(1);
    expect(devMaterial).toHaveBeenCalledWith('.sigil-dev', { keys: true, secret: true });
    expect(config.auth).toEqual({
      mode: 'dev',
      issuer: DEV_ISSUER,
      audience: 'sigil-dna',
      publicKeyPem: 'DEV-PUBLIC-KEY-PEM',
    });
    expect(config.secrets).toEqual({ active: HEX_DEV, previous: [], origin: 'dev-file' });
  });

  it('passes SIGIL_DEV_DIR through', () => {
    const devMaterial = devMaterialMock();
    const config = parseConfig({ SIGIL_DEV_DIR: '/tmp/sigil-dev-test' }, devMaterial);
    expect(devMaterial).toHaveBeenCalledExactlyOnceWith('/tmp/sigil-dev-test', { keys: true, secret: true });
    expect(config.devDir).toBe('/tmp/sigil-dev-test');
  });

  it('uses the dev key but the env secret when only JWKS is missing', () => {
    const devMaterial = devMaterialMock();
    const config = parseConfig({ SPIRAL_EVENT_SECRET: HEX_A }, devMaterial);
    expect(devMaterial).toHaveBeenCalledExactlyOnceWith('.sigil-dev', { keys: true, secret: false });
    expect(config.auth).toMatchObject({ mode: 'dev', publicKeyPem: 'DEV-PUBLIC-KEY-PEM' });
    expect(config.secrets).toEqual({ active: HEX_A, previous: [], origin: 'env' });
  });

  it('uses JWKS but the dev secret when only the secret is missing', () => {
    const devMaterial = devMaterialMock();
    const config = parseConfig({ JWT_ISSUER: ISSUER, JWT_JWKS_URI: JWKS }, devMaterial);
    expect(devMaterial).toHaveBeenCalledExactlyOnceWith('.sigil-dev', { keys: false, secret: true });
    expect(config.auth).toEqual({ mode: 'jwks', issuer: ISSUER, audience: 'sigil-dna', jwksUri: JWKS });
    expect(config.secrets).toEqual({ active: HEX_DEV, previous: [], origin: 'dev-file' });
  });

  it('does not call devMaterial when JWKS and the secret are both set', () => {
    const devMaterial = devMaterialMock();
    parseConfig(FULL, devMaterial);
    parseConfig({ NODE_ENV: 'test', ...FULL }, devMaterial);
    expect(devMaterial).not.toHaveBeenCalled();
  });

  it('does not call devMaterial when the configuration is invalid anyway', () => {
    const devMaterial = devMaterialMock();
    expect(problemsFor(configError({ JWT_ISSUER: ISSUER }, devMaterial), 'JWT_JWKS_URI')).toHaveLength(1);
    expect(problemsFor(configError({ JWT_JWKS_URI: JWKS }, devMaterial), 'JWT_ISSUER')).toHaveLength(1);
    expect(problemsFor(configError({ SIGIL_PORT: 'abc' }, devMaterial), 'SIGIL_PORT')).toHaveLength(1);
    expect(devMaterial).not.toHaveBeenCalled();
  });

  it('fails when dev material is needed but not provided', () => {
    expect(configError({}).problems.join('\n')).toMatch(/JWT_JWKS_URI/);
    expect(configError({ SPIRAL_EVENT_SECRET: HEX_A }).problems.join('\n')).toMatch(/JWT_JWKS_URI/);
    expect(configError({ JWT_ISSUER: ISSUER, JWT_JWKS_URI: JWKS }).problems.join('\n')).toMatch(
      /SPIRAL_EVENT_SECRET/,
    );
  });
});

describe('parseConfig: blanks, every problem at once, the dev secret', () => {
  it('treats blank numeric and enum variables as unset, not as 0', () => {
    const config = parseConfig({
      ...FULL,
      SIGIL_PORT: '',
      SIGIL_SHUTDOWN_GRACE_MS: ' ',
      SIGIL_RATE_LIMIT: '',
      LOG_LEVEL: '',
    });
    expect(config.http.port).toBe(3000);
    expect(config.http.shutdownGraceMs).toBe(10_000);
    expect(config.rateLimit.limit).toBe(200);
    expect(config.logLevel).toBe('info');
  });

  it('reports storage problems together with schema problems', () => {
    const error = configError({ ...PRODUCTION, SIGIL_STORAGE: 'memory', SIGIL_PORT: 'abc' });
    expect(problemsFor(error, 'SIGIL_PORT')).toHaveLength(1);
    expect(problemsFor(error, 'SIGIL_STORAGE')).toHaveLength(1);
    const postgres = configError({ ...FULL, SIGIL_STORAGE: 'postgres', SIGIL_PORT: 'abc' });
    expect(problemsFor(postgres, 'DATABASE_URL')).toHaveLength(1);
    expect(problemsFor(postgres, 'SIGIL_PORT')).toHaveLength(1);
  });

  it('refuses a malformed development secret file instead of failing later', () => {
    const error = configError({}, () => ({ secretHex: 'not-hex', publicKeyPem: 'pem' }));
    expect(error.message).toContain('spiral-secret.hex');
    expect(error.message).not.toContain('not-hex');
  });
});

describe('parseConfig: HTTP hardening settings', () => {
  it('parses CORS origins, refusing anything that is not an origin', () => {
    expect(parseConfig({ ...FULL, SIGIL_CORS_ORIGINS: '*' }).http.corsOrigins).toBe('*');
    expect(
      parseConfig({ ...FULL, SIGIL_CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).http
        .corsOrigins,
    ).toEqual(['https://a.example.com', 'http://localhost:5173']);
    const error = configError({ ...FULL, SIGIL_CORS_ORIGINS: 'https://a.example.com/path,ftp://x' });
    expect(problemsFor(error, 'SIGIL_CORS_ORIGINS')).toHaveLength(2);
  });

  it('parses SIGIL_TRUST_PROXY as a flag, a hop count or addresses', () => {
    expect(parseConfig({ ...FULL, SIGIL_TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(parseConfig({ ...FULL, SIGIL_TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(parseConfig({ ...FULL, SIGIL_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(
      problemsFor(configError({ ...FULL, SIGIL_TRUST_PROXY: 'ingress' }), 'SIGIL_TRUST_PROXY'),
    ).toHaveLength(1);
  });

  it('takes the anonymous limit, JSON limits and request timeout from the environment', () => {
    const config = parseConfig({
      ...FULL,
      SIGIL_ANON_RATE_LIMIT: '5',
      SIGIL_MAX_JSON_DEPTH: '8',
      SIGIL_MAX_JSON_KEYS: '100',
      SIGIL_REQUEST_TIMEOUT_MS: '5000',
    });
    expect(config.rateLimit.anonymousLimit).toBe(5);
    expect(config.http).toMatchObject({ maxJsonDepth: 8, maxJsonKeys: 100, requestTimeoutMs: 5000 });
    expect(
      problemsFor(configError({ ...FULL, SIGIL_MAX_JSON_DEPTH: '1' }), 'SIGIL_MAX_JSON_DEPTH'),
    ).toHaveLength(1);
  });
});

describe('parseConfig: readiness and shutdown', () => {
  it('defaults the drain delay to 5 s in production and 0 elsewhere, and reads the thresholds', () => {
    expect(parseConfig(PRODUCTION).http.shutdownDelayMs).toBe(5_000);
    expect(parseConfig(FULL).http.shutdownDelayMs).toBe(0);
    expect(parseConfig({ ...FULL, SIGIL_SHUTDOWN_DELAY_MS: '1500' }).http.shutdownDelayMs).toBe(1500);
    expect(parseConfig(FULL).readiness).toEqual({ diskMinFreeRatio: 0.1, heapMaxRatio: 0.9 });
    expect(
      parseConfig({ ...FULL, SIGIL_DISK_MIN_FREE_PERCENT: '25', SIGIL_HEAP_MAX_PERCENT: '75' }).readiness,
    ).toEqual({ diskMinFreeRatio: 0.25, heapMaxRatio: 0.75 });
  });
});

describe('parseConfig: SIGIL_BACKUP_DIR', () => {
  it('accepts an absolute path and refuses a relative one', () => {
    expect(parseConfig(FULL).backupDir).toBeNull();
    expect(parseConfig({ ...FULL, SIGIL_BACKUP_DIR: '/var/backups/sigil' }).backupDir).toBe(
      '/var/backups/sigil',
    );
    expect(
      problemsFor(configError({ ...FULL, SIGIL_BACKUP_DIR: 'backups' }), 'SIGIL_BACKUP_DIR'),
    ).toHaveLength(1);
  });
});

describe('parseOpsConfig: only what an operations command uses', () => {
  const STORE_ONLY = { NODE_ENV: 'production', SIGIL_DB_PATH: '/var/lib/sigil' };

  it('runs in production with a secret and no JWT settings, which parseConfig refuses', () => {
    const env = { NODE_ENV: 'production', SPIRAL_EVENT_SECRET: HEX_A };
    const devMaterial = devMaterialMock();
    const config = parseOpsConfig(env, { secrets: true, devMaterial });
    expect(devMaterial).not.toHaveBeenCalled();
    expect(config.secrets).toEqual({ active: HEX_A, previous: [], origin: 'env' });
    expect(config).not.toHaveProperty('auth');
    const api = configError(env);
    expect(api.problems.map((p) => p.split(':')[0])).toEqual(['JWT_ISSUER', 'JWT_JWKS_URI']);
  });

  it('neither validates nor requires the auth variables', () => {
    const config = parseOpsConfig({ ...STORE_ONLY, JWT_ISSUER: ISSUER, JWT_JWKS_URI: 'not a url' });
    expect(config.storage).toEqual({ kind: 'leveldb', path: '/var/lib/sigil', sync: true });
    expect(problemsFor(configError({ ...FULL, JWT_JWKS_URI: 'not a url' }), 'JWT_JWKS_URI')).toHaveLength(1);
  });

  it('still requires the secret in production when the command signs or verifies', () => {
    expect(() => parseOpsConfig({ NODE_ENV: 'production' }, { secrets: true })).toThrow(
      /SPIRAL_EVENT_SECRET: required in production/,
    );
    expect(() => parseOpsConfig({ ...STORE_ONLY, SPIRAL_EVENT_SECRET: 'short' }, { secrets: true })).toThrow(
      /SPIRAL_EVENT_SECRET: must be 64 hex characters/,
    );
  });

  it('without `secrets`, reads no secret setting at all', () => {
    const config = parseOpsConfig({
      ...STORE_ONLY,
      SPIRAL_EVENT_SECRET: 'not-a-secret',
      SIGIL_SECRETS_FILE: '/nonexistent/secrets.env',
    });
    expect(config).not.toHaveProperty('secrets');
    expect(config.nodeEnv).toBe('production');
  });

  it('asks development material for the secret only, never for dev-auth keys', () => {
    const devMaterial = devMaterialMock();
    const config = parseOpsConfig({ SIGIL_DEV_DIR: '/tmp/ops-dev' }, { secrets: true, devMaterial });
    expect(devMaterial).toHaveBeenCalledExactlyOnceWith('/tmp/ops-dev', { keys: false, secret: true });
    expect(config.secrets).toEqual({ active: HEX_DEV, previous: [], origin: 'dev-file' });
    parseOpsConfig({ SPIRAL_EVENT_SECRET: HEX_A }, { secrets: true, devMaterial });
    parseOpsConfig({}, { secrets: false });
    expect(devMaterial).toHaveBeenCalledTimes(1);
  });

  it('names only the secret when development material is needed but not provided', () => {
    expect(() => parseOpsConfig({}, { secrets: true })).toThrow(
      expect.objectContaining({
        problems: ['SPIRAL_EVENT_SECRET: required when dev-auth material is unavailable'],
      }),
    );
  });

  it('validates everything else exactly like parseConfig', () => {
    expect(() => parseOpsConfig({ ...STORE_ONLY, SIGIL_PORT: 'abc' })).toThrow(/SIGIL_PORT/);
    expect(() => parseOpsConfig({ NODE_ENV: 'production', SIGIL_STORAGE: 'memory' })).toThrow(
      /SIGIL_STORAGE: memory/,
    );
    const env = {
      ...FULL,
      SIGIL_BACKUP_DIR: '/srv/backups',
      DEFAULT_TENANT: 'acme',
      SIGIL_MAX_DATA_BYTES: '1024',
    };
    const { auth: _auth, ...api } = parseConfig(env);
    const { storeSettings: _settings, ...ops } = parseOpsConfig(env, { secrets: true });
    expect(ops).toEqual(api);
  });

  it("carries every store kind's settings, whichever kind is configured", () => {
    const config = parseOpsConfig({
      SIGIL_DB_SYNC: 'false',
      SIGIL_PG_POOL_SIZE: '4',
      SIGIL_PG_CONNECT_TIMEOUT_MS: '2000',
      SIGIL_PG_STATEMENT_TIMEOUT_MS: '9000',
      SIGIL_DB_MIGRATE: 'false',
    });
    expect(config.storage.kind).toBe('leveldb');
    expect(config.storeSettings).toEqual({
      leveldb: { sync: false },
      postgres: { poolSize: 4, connectTimeoutMs: 2000, statementTimeoutMs: 9000, migrate: false },
    });
    const postgres = parseOpsConfig({ DATABASE_URL: 'postgres://db/sigil', SIGIL_PG_POOL_SIZE: '4' });
    expect(postgres.storage).toEqual({
      kind: 'postgres',
      url: 'postgres://db/sigil',
      ...postgres.storeSettings.postgres,
    });
  });
});
