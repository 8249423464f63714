// Sigil-DNA match benchmark: POST /api/v1/sigils/match over one tenant holding MATCH_SIGILS sigils.
//
// What it does, all on 127.0.0.1 (run `npm run build` first; it uses dist/):
//   1. makes a temp dir and seeds MATCH_SIGILS sigils (default 100 000) into one fresh tenant,
//      straight through the built storage adapter (no HTTP, fsync off): LevelDB in the temp dir, or
//      Postgres when DATABASE_URL is set. Records are real-shaped (digest and resonance pattern from
//      the built #sigil functions, random consciousness states); signatures are random, since
//      matching never checks them;
//   2. starts the built API on that store (dev-auth material in the temp dir, rate limit lifted),
//      waits for GET /readyz 200 and mints dev tokens in-process;
//   3. times one match on an empty tenant (warms the HTTP path without loading anything), then the
//      first match on the seeded tenant, which loads its match index: reported on its own;
//   4. after MATCH_WARMUP more matches, times MATCH_REQUESTS matches one after another, then
//      MATCH_REQUESTS more from MATCH_CONCURRENCY concurrent clients: random dnaPattern, topN 10,
//      threshold 0.5; prints p50/p95/p99 against the runbook's P95 < 100 ms, writes JSON to
//      bench-results/match-<timestamp>.json;
//   5. SIGTERMs the service, deletes the seeded Postgres tenant (unless MATCH_KEEP=1) and the temp
//      dir. Any failure: exit code 1, temp dir kept for its server log.
//
// Plain ESM JavaScript like run.mjs, whose helpers it mirrors (run.mjs runs on import, so they
// cannot be shared without changing it).

import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import jwt from 'jsonwebtoken';
import { monotonicFactory } from 'ulid';
import { freePort, HOST, request } from './http.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const API_MAIN = path.join(ROOT, 'dist/apps/sigil-api/src/main.js');
const STORAGE_INDEX = path.join(ROOT, 'dist/libs/storage/src/index.js');
const SIGIL_INDEX = path.join(ROOT, 'dist/libs/sigil/src/index.js');
const CONFIG_INDEX = path.join(ROOT, 'dist/libs/config/src/index.js');
const RESULTS_DIR = path.join(ROOT, 'bench-results');
const RUNBOOK = { maxP95Ms: 100, source: 'runbook verify budget' };

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
  return {
    sigils: envInt('MATCH_SIGILS', 100_000, { max: 5_000_000 }),
    requests: envInt('MATCH_REQUESTS', 200, { max: 1_000_000 }),
    warmup: envInt('MATCH_WARMUP', 20, { min: 0, max: 100_000 }),
    concurrency: envInt('MATCH_CONCURRENCY', 10, { max: 1000 }),
    store: databaseUrl ? 'postgres' : 'leveldb',
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

/** Opens the adapter the service will use. Only seeding and cleanup go through this handle. */
async function openStore(storage, config, levelPath) {
  if (config.store === 'leveldb') {
    // fsync off while seeding: the store is closed cleanly before the service opens it.
    return (await storage.openStore({ kind: 'leveldb', path: levelPath, sync: false })).repository;
  }
  const store = await storage.openStore({
    kind: 'postgres',
    url: config.databaseUrl,
    poolSize: 10,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 5000,
    migrate: true,
  });
  return store.repository;
}

/** A plausible stored sigil: real digest and pattern for its data, a random state and signature. */
function makeRecord(sigil, ulid, tenantId, n) {
  const data = {
    invoice: `INV-${String(n).padStart(8, '0')}`,
    customer: `cust-${(n * 7919) % 100_000}`,
    amount: Math.round(Math.random() * 1e7) / 100,
    note: 'match benchmark payload',
  };
  const consciousnessState = {
    phi: round6(Math.random()),
    coherence: round6(Math.random()),
    awareness: round6(Math.random()),
  };
  const canonical = sigil.canonicalJson(data);
  const signature = randomBytes(32).toString('hex');
  const id = `sigil_${ulid()}`;
  return {
    id,
    tenantId,
    kid: 'bench000',
    signature,
    authHash: randomBytes(8).toString('hex'),
    dna: {
      digest: sigil.dataDigest(canonical),
      resonancePattern: sigil.resonancePattern(canonical, consciousnessState),
    },
    data,
    consciousnessState,
    metadata: { source: 'bench', tags: [n % 2 === 0 ? 'even' : 'odd'] },
    createdAt: new Date().toISOString(),
    createdBy: 'bench-seeder',
    expiresAt: null,
    revokedAt: null,
    revokedBy: null,
    revocationReason: null,
    version: 1,
  };
}

/** Creates `count` records in chunks; the LevelDB adapter's group commit batches each chunk. */
async function seed(repo, sigil, tenantId, count, chunk) {
  // Monotonic, as the service mints them: ids sort by creation order.
  const ulid = monotonicFactory();
  const ids = [];
  const started = performance.now();
  let lastReport = started;
  for (let done = 0; done < count;) {
    const records = Array.from({ length: Math.min(chunk, count - done) }, (_, i) =>
      makeRecord(sigil, ulid, tenantId, done + i),
    );
    const outcomes = await Promise.all(records.map((record) => repo.create(tenantId, record)));
    const failed = outcomes.find((o) => o.status !== 'created');
    if (failed) throw new BenchError(`seeding: create answered ${JSON.stringify(failed)}`);
    ids.push(...records.map((r) => r.id));
    done += records.length;
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      log(`  … ${done} / ${count}`);
    }
  }
  return { ids, ms: performance.now() - started };
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

function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

function randomPattern() {
  return Array.from({ length: 16 }, () => round6(Math.random()));
}

/** One timed match; throws on anything but a well-formed 200. */
async function timedMatch(service, token) {
  const body = JSON.stringify({ dnaPattern: randomPattern(), topN: 10, threshold: 0.5 });
  const started = performance.now();
  const res = await request(`${service.url}/api/v1/sigils/match`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    timeoutMs: 30_000,
  });
  const ms = performance.now() - started;
  if (res.status !== 200) throw new BenchError(`match: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const { matches } = JSON.parse(res.text);
  if (!Array.isArray(matches) || matches.length > 10)
    throw new BenchError(`match: odd body ${res.text.slice(0, 300)}`);
  return { ms, hits: matches.length };
}

/** `total` matches from `clients` concurrent clients; every response time in ms. */
async function timedRun(service, token, total, clients) {
  const latencies = [];
  let hits = 0;
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < total) {
      next++;
      const result = await timedMatch(service, token);
      latencies.push(result.ms);
      hits += result.hits;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const wallMs = performance.now() - started;
  return summarise(latencies, { clients, wallMs, meanHits: hits / total });
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

    log(`\nseeding ${config.sigils} sigils…`);
    const repo = await openStore(storage, config, levelPath);
    let seeded;
    try {
      seeded = await seed(repo, sigil, tenantId, config.sigils, config.store === 'leveldb' ? 2000 : 50);
    } finally {
      await repo.close();
    }
    log(
      `  seeded in ${(seeded.ms / 1000).toFixed(1)} s (${Math.round(config.sigils / (seeded.ms / 1000))}/s)`,
    );
    if (config.store === 'postgres' && !config.keep) {
      cleanup = async () => {
        log(`deleting the ${seeded.ids.length} seeded sigils of ${tenantId}…`);
        const store = await openStore(storage, config, levelPath);
        try {
          let next = 0;
          const worker = async () => {
            while (next < seeded.ids.length) await store.delete(tenantId, seeded.ids[next++]);
          };
          await Promise.all(Array.from({ length: 10 }, worker));
        } finally {
          await store.close();
        }
      };
    }
    checkInterrupt();

    log('\nstarting the service…');
    const storeEnv =
      config.store === 'leveldb'
        ? { SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: levelPath, SIGIL_DB_SYNC: 'true' }
        : { SIGIL_STORAGE: 'postgres', DATABASE_URL: config.databaseUrl };
    const service = await startService(ctx, storeEnv);
    const token = devToken(configLib, service.env, tenantId);
    const emptyToken = devToken(configLib, service.env, `${tenantId}-empty`);

    const emptyTenant = await timedMatch(service, emptyToken);
    const memoryBefore = await serviceMemory(service);
    const firstCall = await timedMatch(service, token);
    const memoryAfter = await serviceMemory(service);
    log(`  first match on an empty tenant: ${emptyTenant.ms.toFixed(1)} ms`);
    log(`  first match on the seeded tenant (loads its index): ${firstCall.ms.toFixed(1)} ms`);
    for (let i = 0; i < config.warmup; i++) await timedMatch(service, token);
    checkInterrupt();

    log(`\nmeasuring ${config.requests} sequential matches…`);
    const sequential = await timedRun(service, token, config.requests, 1);
    checkInterrupt();
    log(`measuring ${config.requests} matches from ${config.concurrency} concurrent clients…`);
    const concurrent = await timedRun(service, token, config.requests, config.concurrency);
    assertAlive(service);
    const exit = await stopService(service);
    await cleanup();
    cleanup = async () => {};

    const report = {
      startedAt: startedAt.toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown' },
      config: { ...config, databaseUrl: config.databaseUrl ? '(set)' : undefined, tenantId },
      seeding: { sigils: config.sigils, seconds: fixed(seeded.ms / 1000, 1) },
      emptyTenantFirstMatchMs: fixed(emptyTenant.ms),
      firstMatchMs: fixed(firstCall.ms),
      serviceMemory: { beforeFirstMatch: memoryBefore, afterFirstMatch: memoryAfter },
      sequential,
      concurrent,
      runbook: RUNBOOK,
      exit,
    };
    printReport(report);
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `match-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`\nresults: ${path.relative(process.cwd(), file)}`);
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
    `first match (index load + query): ${r.firstMatchMs} ms; first match on an empty tenant: ${r.emptyTenantFirstMatchMs} ms`,
  );
  const { beforeFirstMatch: before, afterFirstMatch: after } = r.serviceMemory;
  log(
    `service heap used ${before.heapUsedMiB} → ${after.heapUsedMiB} MiB, RSS ${before.rssMiB} → ${after.rssMiB} MiB across the first match`,
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
    const pass = s.latencyMs.p95 < r.runbook.maxP95Ms;
    log(
      `${name}: P95 ${s.latencyMs.p95} ms vs < ${r.runbook.maxP95Ms} ms (${r.runbook.source}): ${pass ? 'PASS' : 'MISS'}`,
    );
  }
}

await main();
