// Sigil-DNA match benchmark: POST /api/v1/sigils/match over one tenant holding MATCH_SIGILS
// realistic sigils, on LevelDB or Postgres (MATCH_STORE), through the full HTTP stack.
//
// What it does, all on 127.0.0.1 (run `npm run build` first; it uses dist/):
//   1. makes a temp dir; for Postgres without DATABASE_URL starts a throwaway server
//      (test/support/postgres-server.ts: Debian's binaries, fsync off);
//   2. seeds MATCH_SIGILS sigils (default 100 000) into one fresh tenant, minted by the real built
//      `mintSigil` (canonical JSON, digest, resonance pattern, HMAC signature under the service's
//      own secret) from realistic payloads (match-data.mjs: ~80 % default consciousness state, many
//      payloads sharing their first 16 canonical characters, so many sigils share a pattern).
//      LevelDB: through the built adapter's group commit, fsync off. Postgres: multi-row INSERTs
//      of the adapter's own entity mapping (toSigilEntity), then VACUUM ANALYZE;
//   3. starts the built API on that store (dev-auth material in the temp dir, rate limit lifted),
//      waits for GET /readyz 200 and mints dev tokens in-process;
//   4. times one match on an empty tenant (warms the HTTP path), then the first match on the seeded
//      tenant, which builds its in-process match index: reported on its own, with the service's
//      heap and RSS before and after;
//   5. after MATCH_WARMUP more (from MATCH_CONCURRENCY clients, so that every worker of a
//      Postgres service has built its index), times MATCH_REQUESTS matches one after another, then MATCH_REQUESTS
//      more from MATCH_CONCURRENCY concurrent clients. Queries, topN 10, threshold 0.5: 40 % a
//      stored sigil's pattern nudged slightly, 30 % by `sigilId`, 30 % random patterns. Prints
//      p50/p95/p99, the store's disk bytes (LevelDB directory; Postgres pg_total_relation_size of
//      the sigil tables with their indexes), and writes bench-results/match-<timestamp>.json;
//   6. SIGTERMs the service, drops what it seeded (the temp dir, the Postgres tenant or server)
//      unless MATCH_KEEP=1. Any failure: exit code 1, temp dir kept for its server log.
//
// Plain ESM JavaScript like run.mjs, whose helpers it mirrors (run.mjs runs on import, so they
// cannot be shared without changing it).

import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { monotonicFactory } from 'ulid';
import { freePort, HOST, request } from './http.mjs';
import { queryMaker, realisticInputs } from './match-data.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const API_MAIN = path.join(ROOT, 'dist/apps/sigil-api/src/main.js');
const STORAGE_INDEX = path.join(ROOT, 'dist/libs/storage/src/index.js');
const SIGIL_INDEX = path.join(ROOT, 'dist/libs/sigil/src/index.js');
const CONFIG_INDEX = path.join(ROOT, 'dist/libs/config/src/index.js');
// The Postgres adapter's own schema mapping, for bulk seeding (a bench may reach into dist/).
const PG_DIR = path.join(ROOT, 'dist/libs/storage/src/adapters/postgres');
const RESULTS_DIR = path.join(ROOT, 'bench-results');
const BUDGET = { sequentialP95Ms: 20, concurrentP95Ms: 100, source: 'issue 14' };
/** Tables (with their indexes and TOAST) the Postgres adapter stores sigils in. */
const PG_TABLES = ['sigils', 'sigil_idempotency', 'sigil_counts', 'sigil_changes', 'sigil_changes_pruned'];

class BenchError extends Error {}

/** Reads a positive integer env var, or the default; anything else is a usage error. */
function envInt(name, fallback, { min = 1, max = 10_000_000 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function readConfig() {
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  const store = process.env.MATCH_STORE?.trim() || (databaseUrl ? 'postgres' : 'leveldb');
  if (store !== 'leveldb' && store !== 'postgres') {
    throw new BenchError(`MATCH_STORE must be leveldb or postgres, got "${store}"`);
  }
  return {
    sigils: envInt('MATCH_SIGILS', 100_000, { max: 5_000_000 }),
    requests: envInt('MATCH_REQUESTS', 200, { max: 1_000_000 }),
    warmup: envInt('MATCH_WARMUP', 20, { min: 0, max: 100_000 }),
    concurrency: envInt('MATCH_CONCURRENCY', 10, { max: 1000 }),
    store,
    databaseUrl,
    keep: process.env.MATCH_KEEP === '1',
  };
}

function log(message) {
  process.stdout.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Built modules
// ---------------------------------------------------------------------------------------------

async function importBuilt(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    throw new BenchError(
      `cannot load ${path.relative(ROOT, file)} (run \`npm run build\` first): ${error.message}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding, straight through the adapter
// ---------------------------------------------------------------------------------------------

/** A realistic sigil, minted by the service's own rule and key. */
function mintRecord(sigil, keys, next, ulid, tenantId, n) {
  const { data, consciousnessState } = next(n);
  return sigil.mintSigil(
    {
      id: `sigil_${ulid()}`,
      tenantId,
      createdAt: new Date().toISOString(),
      createdBy: 'bench-seeder',
      data,
      ...(consciousnessState ? { consciousnessState } : {}),
      metadata: { source: 'bench', tags: [n % 2 === 0 ? 'even' : 'odd'] },
      expiresAt: null,
    },
    keys,
  );
}

/**
 * Mints `count` records in chunks and hands each chunk to `write`. Keeps every 97th record's id and
 * pattern as query material, and counts distinct patterns.
 */
async function seed({ sigil, keys, tenantId, count, chunk, write }) {
  // Monotonic, as the service mints them: ids sort by creation order.
  const ulid = monotonicFactory();
  const next = realisticInputs(14);
  const samples = [];
  const distinct = new Set();
  const started = performance.now();
  let lastReport = started;
  for (let done = 0; done < count;) {
    const records = [];
    for (let i = 0; i < Math.min(chunk, count - done); i++) {
      const record = mintRecord(sigil, keys, next, ulid, tenantId, done + i);
      distinct.add(record.dna.resonancePattern.join(','));
      if ((done + i) % 97 === 0) samples.push({ id: record.id, pattern: record.dna.resonancePattern });
      records.push(record);
    }
    await write(records);
    done += records.length;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      log(`  … ${done} / ${count}`);
    }
  }
  return { samples, distinctPatterns: distinct.size, ms: performance.now() - started };
}

/** LevelDB: creates through the built adapter (group commit batches each chunk), fsync off. */
async function seedLevel(storage, levelPath, options) {
  const { repository } = await storage.openStore({ kind: 'leveldb', path: levelPath, sync: false });
  try {
    return await seed({
      ...options,
      chunk: 2000,
      write: async (records) => {
        const outcomes = await Promise.all(records.map((r) => repository.create(options.tenantId, r)));
        const failed = outcomes.find((o) => o.status !== 'created');
        if (failed) throw new BenchError(`seeding: create answered ${JSON.stringify(failed)}`);
      },
    });
  } finally {
    await repository.close();
  }
}

/**
 * Postgres: migrates through the built adapter, then multi-row INSERTs of the adapter's entity
 * mapping (the triggers keep counts and the change log as for any write). The seeding change log
 * is then emptied (the service prunes it within minutes anyway) and the table vacuumed, as
 * autovacuum would, so index-only scans see an all-visible table.
 */
async function seedPostgres(storage, url, options) {
  const migrated = await storage.openStore({
    kind: 'postgres',
    url,
    poolSize: 2,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
    migrate: true,
  });
  await migrated.close();
  const [{ createSigilDataSource }, { toSigilEntity }, { SigilEntity }] = await Promise.all([
    importBuilt(path.join(PG_DIR, 'postgres.data-source.js')),
    importBuilt(path.join(PG_DIR, 'sigil-row.mapper.js')),
    importBuilt(path.join(PG_DIR, 'sigil.entity.js')),
  ]);
  const dataSource = createSigilDataSource({
    url,
    poolSize: 4,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 120_000,
  });
  await dataSource.initialize();
  try {
    const inFlight = new Set();
    const seeded = await seed({
      ...options,
      chunk: 1000,
      write: async (records) => {
        // Two INSERTs in flight overlap minting with Postgres' work.
        const insert = dataSource
          .createQueryBuilder()
          .insert()
          .into(SigilEntity)
          .values(records.map(toSigilEntity))
          .execute()
          .finally(() => inFlight.delete(insert));
        inFlight.add(insert);
        if (inFlight.size >= 2) await Promise.race(inFlight);
      },
    });
    await Promise.all(inFlight);
    await dataSource.query('DELETE FROM sigil_changes');
    await dataSource.query('VACUUM ANALYZE');
    return seeded;
  } finally {
    await dataSource.destroy();
  }
}

/** Bytes on disk: the LevelDB directory, or the Postgres tables with indexes and TOAST. */
async function diskBytes(config, levelPath, databaseUrl) {
  if (config.store === 'leveldb') {
    let total = 0;
    for (const name of await readdir(levelPath)) total += (await stat(path.join(levelPath, name))).size;
    return total;
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c
       WHERE c.relname = ANY($1) AND c.relkind = 'r'`,
      [PG_TABLES],
    );
    return Number(rows[0].bytes);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Service and HTTP (as in run.mjs)
// ---------------------------------------------------------------------------------------------

function assertAlive(service) {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) {
    throw new BenchError(
      `service exited unexpectedly (code ${child.exitCode}, signal ${child.signalCode}); see ${service.logPath}`,
    );
  }
}

/** The service's environment: dev-auth in the temp dir, the store chosen, rate limiting out of the way. */
function serviceEnv(ctx, port, storeEnv) {
  return {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info', // request logging is part of the full stack being measured
    SIGIL_HOST: HOST,
    SIGIL_PORT: String(port),
    SIGIL_DEV_DIR: ctx.devDir,
    SPIRAL_EVENT_SECRET: ctx.secret,
    SIGIL_RATE_LIMIT: '1000000',
    ...storeEnv,
  };
}

async function startService(ctx, storeEnv, readyTimeoutMs = 60_000) {
  const port = await freePort();
  const env = serviceEnv(ctx, port, storeEnv);
  const logPath = path.join(ctx.tmpDir, 'sigil-api.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, ['--enable-source-maps', API_MAIN], {
    cwd: ctx.tmpDir,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const service = { child, logPath, env, url: `http://${HOST}:${port}` };
  service.exited = new Promise((resolve) => child.once('exit', resolve));
  ctx.service = service;
  log(`  started sigil-api (pid ${child.pid}) on ${service.url}; log: ${logPath}`);

  const deadline = Date.now() + readyTimeoutMs;
  let last;
  for (;;) {
    assertAlive(service);
    try {
      const res = await request(`${service.url}/readyz`, { timeoutMs: 2000 });
      if (res.status === 200) return service;
      last = `HTTP ${res.status} ${res.text.slice(0, 200)}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    if (Date.now() > deadline) {
      throw new BenchError(`service not ready after ${readyTimeoutMs} ms (last: ${last}); see ${logPath}`);
    }
    await sleep(200);
  }
}

/**
 * A dev token for `tenantId`, signed exactly as `sigil-cli token` signs it (same key pair, claims and
 * config), minted here so the bench needs no CLI process and no CLI command beyond the libs.
 */
function devToken(configLib, env, tenantId) {
  const config = configLib.parseConfig(env, configLib.ensureDevMaterial);
  if (config.auth.mode !== 'dev') throw new BenchError('the bench needs dev-auth (unset JWT_JWKS_URI)');
  const { privateKeyPem } = configLib.ensureDevMaterial(config.devDir, { keys: true, secret: false });
  return jwt.sign({ scope: 'sigil:read', [config.tenancy.claim ?? 'tenant_id']: tenantId }, privateKeyPem, {
    algorithm: 'RS256',
    keyid: configLib.DEV_KEY_ID,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    subject: 'bench-user',
    expiresIn: 3600,
  });
}

async function stopService(service, timeoutMs = 15_000) {
  if (!service) return null;
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) {
    return { code: child.exitCode, signal: child.signalCode, alreadyExited: true };
  }
  child.kill('SIGTERM');
  const timedOut = await Promise.race([service.exited.then(() => false), sleep(timeoutMs).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await service.exited;
  }
  return { code: child.exitCode, signal: child.signalCode, killed: timedOut };
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

/** One timed match; throws on anything but a well-formed 200. */
async function timedMatch(service, token, query) {
  const body = JSON.stringify(query.body);
  const started = performance.now();
  const res = await request(`${service.url}/api/v1/sigils/match`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    timeoutMs: 60_000,
  });
  const ms = performance.now() - started;
  if (res.status !== 200) throw new BenchError(`match: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const { matches } = JSON.parse(res.text);
  if (!Array.isArray(matches) || matches.length > 10)
    throw new BenchError(`match: odd body ${res.text.slice(0, 300)}`);
  return { ms, hits: matches.length };
}

/** `total` matches from `clients` concurrent clients; every response time in ms. */
async function timedRun(service, token, nextQuery, total, clients) {
  const latencies = [];
  const byKind = {};
  let hits = 0;
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < total) {
      next++;
      const query = nextQuery();
      const result = await timedMatch(service, token, query);
      latencies.push(result.ms);
      (byKind[query.kind] ??= []).push(result.ms);
      hits += result.hits;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const wallMs = performance.now() - started;
  const kinds = Object.fromEntries(
    Object.entries(byKind).map(([kind, ms]) => {
      const sorted = Float64Array.from(ms).sort();
      return [
        kind,
        { n: sorted.length, p50: fixed(percentile(sorted, 50)), p95: fixed(percentile(sorted, 95)) },
      ];
    }),
  );
  return { ...summarise(latencies, { clients, wallMs, meanHits: hits / total }), kinds };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const fixed = (x, digits = 2) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

function summarise(latencies, extra) {
  const sorted = Float64Array.from(latencies).sort();
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    requests: sorted.length,
    clients: extra.clients,
    rps: fixed((sorted.length / extra.wallMs) * 1000, 1),
    meanHits: fixed(extra.meanHits, 2),
    latencyMs: {
      mean: fixed(mean),
      p50: fixed(percentile(sorted, 50)),
      p95: fixed(percentile(sorted, 95)),
      p99: fixed(percentile(sorted, 99)),
      max: fixed(sorted[sorted.length - 1]),
    },
  };
}

/** Heap and RSS of the service from GET /metrics (prom-client's default process metrics). */
async function serviceMemory(service) {
  const res = await request(`${service.url}/metrics`, { timeoutMs: 30_000 });
  const read = (name) => {
    const line = res.text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
  };
  const mib = (bytes) => (bytes === null ? null : fixed(bytes / 2 ** 20, 1));
  return {
    rssMiB: mib(read('process_resident_memory_bytes')),
    heapUsedMiB: mib(read('nodejs_heap_size_used_bytes')),
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const ctx = { tmpDir: '', devDir: '', secret: randomBytes(32).toString('hex'), service: null };
  let failed = false;
  let config;
  let cleanup = async () => {};
  const startedAt = new Date();
  const interrupt = (signal) => {
    log(`\n${signal}: stopping…`);
    ctx.interrupted = signal;
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const checkInterrupt = () => {
    if (ctx.interrupted) throw new BenchError(`interrupted by ${ctx.interrupted}`);
  };

  try {
    config = readConfig();
    ctx.tmpDir = await mkdtemp(path.join(os.tmpdir(), 'sigil-match-bench-'));
    ctx.devDir = path.join(ctx.tmpDir, 'sigil-dev');
    const levelPath = path.join(ctx.tmpDir, 'leveldb');
    // A fresh tenant per run, so a shared Postgres database never mixes runs.
    const tenantId = `bench-match-${randomBytes(4).toString('hex')}`;
    log(`temp dir: ${ctx.tmpDir}`);
    log(
      `node ${process.version}, os.cpus().length = ${os.cpus().length}; store: ${config.store}; tenant ${tenantId}`,
    );

    const [storage, sigil, configLib] = await Promise.all([
      importBuilt(STORAGE_INDEX),
      importBuilt(SIGIL_INDEX),
      importBuilt(CONFIG_INDEX),
    ]);

    let databaseUrl = config.databaseUrl;
    if (config.store === 'postgres' && databaseUrl === undefined) {
      const { startPostgres } = await import('../support/postgres-server.ts');
      const server = await startPostgres();
      databaseUrl = await server.createDatabase('sigil_match_bench');
      const stopServer = () => server.destroy();
      cleanup = config.keep ? async () => {} : stopServer;
      log(`  started a throwaway Postgres for this run`);
    }

    log(`\nseeding ${config.sigils} sigils…`);
    const keys = new sigil.KeyRing(ctx.secret);
    const options = { sigil, keys, tenantId, count: config.sigils };
    const seeded =
      config.store === 'leveldb'
        ? await seedLevel(storage, levelPath, options)
        : await seedPostgres(storage, databaseUrl, options);
    log(
      `  seeded in ${(seeded.ms / 1000).toFixed(1)} s (${Math.round(config.sigils / (seeded.ms / 1000))}/s); ` +
        `${seeded.distinctPatterns} distinct patterns`,
    );
    if (config.store === 'postgres' && config.databaseUrl !== undefined && !config.keep) {
      cleanup = async () => {
        log(`deleting the seeded sigils of ${tenantId}…`);
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await client.query('DELETE FROM sigils WHERE tenant_id = $1', [tenantId]);
        } finally {
          await client.end();
        }
      };
    }
    const disk = await diskBytes(config, levelPath, databaseUrl);
    checkInterrupt();

    log('\nstarting the service…');
    const storeEnv =
      config.store === 'leveldb'
        ? { SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: levelPath, SIGIL_DB_SYNC: 'true' }
        : { SIGIL_STORAGE: 'postgres', DATABASE_URL: databaseUrl };
    const service = await startService(ctx, storeEnv);
    const token = devToken(configLib, service.env, tenantId);
    const emptyToken = devToken(configLib, service.env, `${tenantId}-empty`);
    const nextQuery = queryMaker(seeded.samples, 20261201);

    const emptyTenant = await timedMatch(service, emptyToken, nextQuery());
    const memoryBefore = await serviceMemory(service);
    const firstCall = await timedMatch(service, token, nextQuery());
    const memoryAfter = await serviceMemory(service);
    log(`  first match on an empty tenant: ${emptyTenant.ms.toFixed(1)} ms`);
    log(`  first match on the seeded tenant (builds its index): ${firstCall.ms.toFixed(1)} ms`);
    // From the concurrent clients: each of a Postgres service's workers builds its own index on its
    // first match, and one keep-alive connection reaches only one of them.
    await timedRun(service, token, nextQuery, config.warmup, config.concurrency);
    checkInterrupt();

    log(`\nmeasuring ${config.requests} sequential matches…`);
    const sequential = await timedRun(service, token, nextQuery, config.requests, 1);
    checkInterrupt();
    log(`measuring ${config.requests} matches from ${config.concurrency} concurrent clients…`);
    const concurrent = await timedRun(service, token, nextQuery, config.requests, config.concurrency);
    const memoryEnd = await serviceMemory(service);
    assertAlive(service);
    const exit = await stopService(service);

    const report = {
      startedAt: startedAt.toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown' },
      config: { ...config, databaseUrl: config.databaseUrl ? '(set)' : undefined, tenantId },
      seeding: {
        sigils: config.sigils,
        distinctPatterns: seeded.distinctPatterns,
        seconds: fixed(seeded.ms / 1000, 1),
      },
      diskBytes: disk,
      emptyTenantFirstMatchMs: fixed(emptyTenant.ms),
      firstMatchMs: fixed(firstCall.ms),
      serviceMemory: { beforeFirstMatch: memoryBefore, afterFirstMatch: memoryAfter, atEnd: memoryEnd },
      sequential,
      concurrent,
      budget: BUDGET,
      exit,
    };
    printReport(report);
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `match-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`\nresults: ${path.relative(process.cwd(), file)}`);
    if (process.env.MATCH_RESULT_FILE) await writeFile(process.env.MATCH_RESULT_FILE, JSON.stringify(report));
    if (exit?.alreadyExited) throw new BenchError('the service exited before the end');
  } catch (error) {
    failed = true;
    process.stderr.write(
      `\nmatch bench FAILED: ${error instanceof BenchError ? error.message : (error?.stack ?? String(error))}\n`,
    );
  } finally {
    await stopService(ctx.service).catch(() => {});
    await cleanup().catch((error) => process.stderr.write(`cleanup failed: ${error.message}\n`));
    if (ctx.tmpDir) {
      if (failed || config?.keep)
        process.stderr.write(`temp dir kept (server log, LevelDB): ${ctx.tmpDir}\n`);
      else await rm(ctx.tmpDir, { recursive: true, force: true });
    }
  }
  process.exitCode = failed ? 1 : 0;
}

function printReport(r) {
  log(`\n=== match bench: ${r.seeding.sigils} sigils in one tenant, ${r.config.store} ===`);
  log(
    `node ${r.machine.node} | os.cpus().length = ${r.machine.cpus} (${r.machine.cpuModel}); client and service share them`,
  );
  log(
    `${r.seeding.distinctPatterns} distinct patterns; disk ${fixed(r.diskBytes / 2 ** 20, 1)} MiB (${Math.round(r.diskBytes / r.seeding.sigils)} B/sigil)`,
  );
  log(
    `first match (index build + query): ${r.firstMatchMs} ms; first match on an empty tenant: ${r.emptyTenantFirstMatchMs} ms`,
  );
  const { beforeFirstMatch: before, afterFirstMatch: after, atEnd: end } = r.serviceMemory;
  const perSigil = Math.round(((after.heapUsedMiB - before.heapUsedMiB) * 2 ** 20) / r.seeding.sigils);
  log(
    `service heap used ${before.heapUsedMiB} → ${after.heapUsedMiB} MiB (~${perSigil} B/sigil), ` +
      `RSS ${before.rssMiB} → ${after.rssMiB} MiB across the first match, ${end.rssMiB} MiB at the end`,
  );
  const rows = [
    ['sequential', r.sequential],
    [`${r.concurrent.clients} clients`, r.concurrent],
  ];
  log('\nrun           requests   req/s   mean   p50 ms   p95 ms   p99 ms   max ms   hits/match');
  for (const [name, s] of rows) {
    const l = s.latencyMs;
    log(
      `${name.padEnd(12)}  ${String(s.requests).padStart(8)}  ${String(s.rps).padStart(6)}  ${String(l.mean).padStart(5)}  ` +
        `${String(l.p50).padStart(7)}  ${String(l.p95).padStart(7)}  ${String(l.p99).padStart(7)}  ${String(l.max).padStart(7)}  ${String(s.meanHits).padStart(10)}`,
    );
  }
  for (const [name, s] of rows) {
    log(
      `${name} by query kind: ${Object.entries(s.kinds)
        .map(([k, v]) => `${k} p50 ${v.p50} / p95 ${v.p95} ms`)
        .join('; ')}`,
    );
  }
  for (const [name, s, budget] of [
    ['sequential', r.sequential, r.budget.sequentialP95Ms],
    [`${r.concurrent.clients} clients`, r.concurrent, r.budget.concurrentP95Ms],
  ]) {
    const pass = s.latencyMs.p95 < budget;
    log(
      `${name}: P95 ${s.latencyMs.p95} ms vs < ${budget} ms (${r.budget.source}): ${pass ? 'PASS' : 'MISS'}`,
    );
  }
}

await main();
