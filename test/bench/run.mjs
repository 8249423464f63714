// Sigil-DNA load benchmark (`npm run bench`).
//
// What it does, all on 127.0.0.1 and every step bounded in time:
//   1. makes a temp dir and a JWKS server on loopback (the identity provider); starts the built API
//      (dist/) as a child process on a free port in its production configuration (NODE_ENV=production,
//      JWT from that JWKS, rate limiting on, info logging) with its LevelDB store (fsync on) in that
//      dir; waits for GET /readyz 200; signs a bearer token with the JWKS's key;
//   2. starts a bare Node `http` server (bare-server.mjs) doing comparable trivial work: the baseline;
//   3. drives each scenario with autocannon for BENCH_DURATION seconds after a BENCH_WARMUP warm-up,
//      then the bare server again for BENCH_BARE_CHECK seconds (the ratio's denominator is the mean
//      of the bare runs around the scenario);
//   4. prints a table, the ratios to the bare server and the SPEC §8 / runbook targets, and writes
//      everything as JSON to bench-results/bench-<timestamp>.json;
//   5. SIGTERMs the children, waits for them, removes the temp dir. Any failure: exit code 1.
//
// Adding a scenario (e.g. a Postgres store): add a target to TARGETS whose start() calls
// startService(ctx, { name, env }) with the extra env, then add entries to SCENARIOS that name it.
// Targets start lazily, once, the first time a selected scenario needs them.
//
// Plain ESM JavaScript on purpose: it runs the built service and needs no compile step of its own.

import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { freePort, HOST, request } from './http.mjs';
import { sampleData, serviceEnv } from './workload.mjs';

// ---------------------------------------------------------------------------------------------
// Configuration (environment knobs)
// ---------------------------------------------------------------------------------------------

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// BENCH_API_MAIN runs another build's main.js instead (an older checkout's, to compare two builds).
const API_MAIN = process.env.BENCH_API_MAIN
  ? path.resolve(process.env.BENCH_API_MAIN)
  : path.join(ROOT, 'dist/apps/sigil-api/src/main.js');
const BARE_SERVER = path.join(import.meta.dirname, 'bare-server.mjs');
const RESULTS_DIR = path.join(ROOT, 'bench-results');

/** Reads a positive integer env var, or the default; anything else is a usage error. */
function envInt(name, fallback, { min = 1, max = 3600 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

class BenchError extends Error {}

// Filled in main() so that a bad knob is reported like any other failure.
let CONFIG;
function readConfig() {
  return {
    durationS: envInt('BENCH_DURATION', 10),
    warmupS: envInt('BENCH_WARMUP', 2, { min: 0 }),
    connections: envInt('BENCH_CONNECTIONS', 50, { max: 10_000 }),
    seedSigils: envInt('BENCH_SEED_SIGILS', 1000, { max: 100_000 }),
    bareCheckS: envInt('BENCH_BARE_CHECK', 5, { min: 0 }),
    // Comma-separated scenario names to run (the baseline always runs); empty = all.
    only: (process.env.BENCH_SCENARIOS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    // Keep the temp dir (server logs, LevelDB) after a successful run too.
    keepTmp: process.env.BENCH_KEEP_TMP === '1' || process.env.BENCH_CPU_PROF === '1',
    cpuProfile: process.env.BENCH_CPU_PROF === '1',
  };
}

// ---------------------------------------------------------------------------------------------
// Targets: the servers under test. Each start() returns { name, url, child, logPath, token? }.
// ---------------------------------------------------------------------------------------------

const TARGETS = {
  bare: {
    description: 'bare Node http server (baseline)',
    start: (ctx) => startBareServer(ctx),
  },
  'sigil-leveldb': {
    description: 'Sigil-DNA API, LevelDB store, fsync on',
    start: (ctx) =>
      startService(ctx, {
        name: 'sigil-leveldb',
        env: {
          SIGIL_STORAGE: 'leveldb',
          SIGIL_DB_PATH: path.join(ctx.tmpDir, 'leveldb'),
          SIGIL_DB_SYNC: 'true',
        },
      }),
  },
  // BENCH_DATABASE_URL points at an existing database; otherwise a throwaway PostgreSQL is started
  // from Debian's binaries (test/support/postgres-server.ts, run with Node 24's type stripping).
  'sigil-postgres': {
    description: 'Sigil-DNA API, Postgres store (pool 10)',
    start: async (ctx) => {
      let url = process.env.BENCH_DATABASE_URL;
      if (!url) {
        const { startPostgres } = await import('../support/postgres-server.ts');
        ctx.postgres = await startPostgres();
        url = await ctx.postgres.createDatabase('bench');
      }
      return startService(ctx, {
        name: 'sigil-postgres',
        env: { SIGIL_STORAGE: 'postgres', DATABASE_URL: url },
      });
    },
  },
  // Scaling 1 → N worker processes (node:cluster, SIGIL_WORKERS) on one Postgres, each with its own
  // pool of 10. The plain sigil-postgres target runs the default (the available parallelism).
  // The LevelDB multi-process design as a prototype (leveldb-workers.mjs): a store owner and N HTTP
  // workers over cluster IPC, with the same environment as sigil-leveldb.
  'sigil-leveldb-workers': {
    description: `LevelDB store owner + ${os.availableParallelism()} HTTP workers over cluster IPC (prototype)`,
    start: (ctx) =>
      startService(ctx, {
        name: 'sigil-leveldb-workers',
        main: path.join(import.meta.dirname, 'leveldb-workers.mjs'),
        env: {
          SIGIL_STORAGE: 'leveldb',
          SIGIL_DB_PATH: path.join(ctx.tmpDir, 'leveldb-workers'),
          SIGIL_DB_SYNC: 'true',
          SIGIL_BENCH_WORKERS: String(os.availableParallelism()),
        },
      }),
  },
  'sigil-postgres-1w': {
    description: 'Sigil-DNA API, Postgres store, SIGIL_WORKERS=1 (one process)',
    start: (ctx) => startPostgresWorkers(ctx, 'sigil-postgres-1w', 1),
  },
  'sigil-postgres-workers': {
    description: `Sigil-DNA API, Postgres store, SIGIL_WORKERS=${os.availableParallelism()} (node:cluster)`,
    start: (ctx) => startPostgresWorkers(ctx, 'sigil-postgres-workers', os.availableParallelism()),
  },
};

/**
 * The service on Postgres with `workers` processes, in a database of its own (on BENCH_DATABASE_URL's
 * server as is, or on the throwaway server, started here unless another target already has).
 */
async function startPostgresWorkers(ctx, name, workers) {
  let url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    if (!ctx.postgres) {
      const { startPostgres } = await import('../support/postgres-server.ts');
      ctx.postgres = await startPostgres();
    }
    url = await ctx.postgres.createDatabase(name.replace(/-/g, '_'));
  }
  return startService(ctx, {
    name,
    env: { SIGIL_STORAGE: 'postgres', DATABASE_URL: url, SIGIL_WORKERS: String(workers) },
  });
}

// ---------------------------------------------------------------------------------------------
// Scenarios. prepare(target, ctx) returns the autocannon options for the scenario (url, method,
// headers, body or requests...) and may seed data first. `targets` are the goals it is judged by.
// ---------------------------------------------------------------------------------------------

const SCENARIOS = [
  {
    name: 'bare',
    baseline: true,
    target: 'bare',
    description: 'POST / on the bare Node server: read body, JSON.parse, 200 small JSON',
    prepare: async (target) => ({
      url: `${target.url}/`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Same body shape and size as the encode scenario.
      body: JSON.stringify({ data: sampleData(0) }),
    }),
  },
  encodeScenario('encode', 'sigil-leveldb'),
  verifyScenario('verify', 'sigil-leveldb'),
  encodeScenario('encode-pg', 'sigil-postgres'),
  verifyScenario('verify-pg', 'sigil-postgres'),
  encodeScenario('encode-workers', 'sigil-leveldb-workers'),
  verifyScenario('verify-workers', 'sigil-leveldb-workers'),
  encodeScenario('encode-pg-1w', 'sigil-postgres-1w'),
  verifyScenario('verify-pg-1w', 'sigil-postgres-1w'),
  encodeScenario('encode-pg-workers', 'sigil-postgres-workers'),
  verifyScenario('verify-pg-workers', 'sigil-postgres-workers'),
];

/** Encode through the full stack on a given target. */
function encodeScenario(name, target) {
  return {
    name,
    target,
    description: 'POST /api/v1/sigils, ~200-byte data object, a different body per request',
    targets: { minRps: 3000, rpsSource: 'SPEC §8', maxP95Ms: 500, maxP99Ms: 1000, latencySource: 'runbook' },
    prepare: async (target) => {
      let n = 0;
      return {
        url: `${target.url}/api/v1/sigils`,
        method: 'POST',
        headers: authHeaders(target.token),
        requests: [
          {
            // Called before every request: a fresh data object each time (ids are server-made anyway).
            setupRequest: (request) => {
              request.body = JSON.stringify({ data: sampleData(++n) });
              return request;
            },
          },
        ],
      };
    },
  };
}

/** Verify through the full stack on a given target. */
function verifyScenario(name, target) {
  return {
    name,
    target,
    description: 'POST /api/v1/sigils/verify, cycling through pre-created sigil ids',
    targets: { minRps: 5000, rpsSource: 'SPEC §8', maxP95Ms: 100, maxP99Ms: 200, latencySource: 'runbook' },
    prepare: async (target, ctx, scenarioState) => {
      const ids = await seedSigils(target, CONFIG.seedSigils);
      log(`  seeded ${ids.length} sigils for verify`);
      let n = 0;
      return {
        url: `${target.url}/api/v1/sigils/verify`,
        method: 'POST',
        headers: authHeaders(target.token),
        requests: [
          {
            setupRequest: (request) => {
              request.body = JSON.stringify({ id: ids[n++ % ids.length] });
              return request;
            },
            // A 200 with valid:false means the service failed to verify its own sigil: count it.
            onResponse: (status, body) => {
              if (status === 200 && !body.includes('"valid":true')) scenarioState.invalid++;
            },
          },
        ],
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers: data, HTTP, processes
// ---------------------------------------------------------------------------------------------

function log(message) {
  process.stdout.write(`${message}\n`);
}

function authHeaders(token) {
  return { 'content-type': 'application/json', authorization: `Bearer ${token}` };
}

/** Throws if a child process has already exited (the service crashed or never started). */
function assertAlive(target) {
  if (target.child.exitCode !== null || target.child.signalCode !== null) {
    throw new BenchError(
      `${target.name} exited unexpectedly (code ${target.child.exitCode}, signal ${target.child.signalCode}); ` +
        `see ${target.logPath}`,
    );
  }
}

/** Registers a child for cleanup and remembers how it ended. */
function track(ctx, child, name, logPath) {
  const entry = { name, child, logPath, exited: new Promise((resolve) => child.once('exit', resolve)) };
  ctx.children.push(entry);
  return entry;
}

/**
 * Starts the built API with extra env (storage choice etc.) the way the image runs it (`node
 * dist/.../main.js`), waits for GET /readyz 200, and signs a token for it. stdout/stderr (JSON log
 * lines) go to <tmp>/<name>.log, never to the terminal. BENCH_CPU_PROF=1 writes a V8 CPU profile
 * per service process to <tmp>/profiles/ (open it in Chrome DevTools or speedscope).
 */
async function startService(ctx, { name, env: extraEnv = {}, main = API_MAIN, readyTimeoutMs = 30_000 }) {
  const port = await freePort();
  const env = serviceEnv(ctx, port, extraEnv);
  const logPath = path.join(ctx.tmpDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const nodeArgs = CONFIG.cpuProfile
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ctx.tmpDir, 'profiles')}`]
    : [];
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: ctx.tmpDir,
    env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd); // the child has its own copy
  const entry = track(ctx, child, name, logPath);
  const url = `http://${HOST}:${port}`;
  log(`  started ${name} (pid ${child.pid}) on ${url}; log: ${logPath}`);

  // Poll /readyz until 200, the child dies, or the deadline passes.
  const deadline = Date.now() + readyTimeoutMs;
  let last;
  for (;;) {
    assertAlive(entry);
    try {
      const res = await request(`${url}/readyz`, { timeoutMs: 2000 });
      if (res.status === 200) break;
      last = `HTTP ${res.status} ${res.text.slice(0, 200)}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    if (Date.now() > deadline) {
      throw new BenchError(`${name} not ready after ${readyTimeoutMs} ms (last: ${last}); see ${logPath}`);
    }
    await sleep(200);
  }

  // A token from the identity provider the service trusts: tenant "bench", read and write.
  const token = ctx.jwks.token({ tenant: 'bench', sub: 'bench-client', expiresIn: 3600 });
  return { ...entry, url, port, token };
}

/** Forks bare-server.mjs and waits for it to report its port over IPC. */
async function startBareServer(ctx) {
  const logPath = path.join(ctx.tmpDir, 'bare.log');
  const fd = openSync(logPath, 'a');
  const child = fork(BARE_SERVER, [], { stdio: ['ignore', fd, fd, 'ipc'] });
  closeSync(fd);
  const entry = track(ctx, child, 'bare', logPath);
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new BenchError(`bare server did not start in 10 s; see ${logPath}`)),
      10_000,
    );
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new BenchError(`bare server exited (code ${code}); see ${logPath}`));
    });
  });
  child.disconnect(); // IPC no longer needed; lets the child be stopped by signal alone
  const url = `http://${HOST}:${port}`;
  log(`  started bare (pid ${child.pid}) on ${url}`);
  return { ...entry, url, port };
}

/** Creates `count` sigils through the API (bounded concurrency) and returns their ids. */
async function seedSigils(target, count, concurrency = 16) {
  const ids = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await request(`${target.url}/api/v1/sigils`, {
        method: 'POST',
        headers: authHeaders(target.token),
        body: JSON.stringify({ data: sampleData(1_000_000 + i) }),
      });
      if (res.status !== 201)
        throw new BenchError(`seeding sigil ${i}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
      ids.push(JSON.parse(res.text).id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ids;
}

/**
 * User + system CPU time (ms) of a process and all its descendants (cluster workers), threads
 * included, from /proc; null where /proc is not available. Throughput on a shared machine moves with
 * whatever else runs; CPU per request moves much less, so it is reported next to RPS.
 */
async function processTreeCpuMs(rootPid) {
  let entries;
  try {
    entries = await readdir('/proc');
  } catch {
    return null;
  }
  const stats = new Map();
  await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (pid) => {
        try {
          const text = await readFile(`/proc/${pid}/stat`, 'utf8');
          // Fields after the parenthesised command name: state ppid … utime(14) stime(15).
          const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
          stats.set(Number(pid), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
        } catch {
          // The process exited while we looked.
        }
      }),
  );
  const tree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, s] of stats) {
      if (!tree.has(pid) && tree.has(s.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of tree) ticks += stats.get(pid)?.ticks ?? 0;
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * The service's garbage-collection totals from its /metrics (prom-client's
 * nodejs_gc_duration_seconds, summed over kinds and, behind node:cluster, over workers): seconds of
 * pauses and the number of major collections. Null for a target without them (the bare server).
 */
async function gcTotals(target) {
  let text;
  try {
    const res = await request(`${target.url}/metrics`, { timeoutMs: 5_000 });
    if (res.status !== 200) return null;
    text = res.text;
  } catch {
    return null;
  }
  let seconds = 0;
  let major = 0;
  let seen = false;
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
    seen = true;
    if (m[1] === 'sum') seconds += Number(m[3]);
    else if (/kind="major"/.test(m[2])) major += Number(m[3]);
  }
  return seen ? { seconds, major } : null;
}

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every Linux architecture Node runs on). */
const CLOCK_TICKS_PER_SECOND = 100;

/** SIGTERM a child and wait up to `timeoutMs`, then SIGKILL. Returns how it ended. */
async function stopChild(entry, timeoutMs = 15_000) {
  const { child } = entry;
  if (child.exitCode !== null || child.signalCode !== null) {
    return { name: entry.name, code: child.exitCode, signal: child.signalCode, alreadyExited: true };
  }
  child.kill('SIGTERM');
  const timedOut = await Promise.race([entry.exited.then(() => false), sleep(timeoutMs).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await entry.exited;
  }
  return { name: entry.name, code: child.exitCode, signal: child.signalCode, killed: timedOut };
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

let currentInstance = null; // so a Ctrl-C can stop a running autocannon

/**
 * One autocannon run. Besides autocannon's own result it keeps every response time (autocannon's
 * histogram has no p95) and the kinds of transport errors.
 */
async function cannon(options, durationS) {
  const latencies = [];
  const errorKinds = {};
  const instance = autocannon({
    ...options,
    connections: CONFIG.connections,
    duration: durationS,
    timeout: 10,
  });
  currentInstance = instance;
  instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  instance.on('reqError', (error) => {
    const key = error.code ?? error.message;
    errorKinds[key] = (errorKinds[key] ?? 0) + 1;
  });
  try {
    const result = await instance;
    return { result, latencies, errorKinds };
  } finally {
    currentInstance = null;
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (x, digits = 2) => (x === null || x === undefined ? null : Number(x.toFixed(digits)));

async function runScenario(scenario, target, ctx, durationS = CONFIG.durationS) {
  const state = { invalid: 0 };
  log(`\n▶ ${scenario.name}: ${scenario.description}`);
  const options = await scenario.prepare(target, ctx, state);

  if (CONFIG.warmupS > 0) {
    log(`  warm-up ${CONFIG.warmupS} s…`);
    await cannon(options, CONFIG.warmupS);
    assertAlive(target);
  }
  state.invalid = 0; // count only the measured run
  log(`  measuring ${durationS} s with ${CONFIG.connections} connections…`);
  const gcBefore = await gcTotals(target);
  const cpuBefore = await processTreeCpuMs(target.child.pid);
  const { result, latencies, errorKinds } = await cannon(options, durationS);
  const cpuMs = (await processTreeCpuMs(target.child.pid)) - cpuBefore;
  const gcAfter = await gcTotals(target);
  assertAlive(target);
  const gcMs = gcBefore && gcAfter ? (gcAfter.seconds - gcBefore.seconds) * 1000 : null;

  const sorted = Float64Array.from(latencies).sort();
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, v]) => [code, v.count]),
  );
  return {
    name: scenario.name,
    target: scenario.target,
    description: scenario.description,
    durationS,
    connections: CONFIG.connections,
    rps: round(result.requests.mean, 1), // mean of per-second samples (all responses)
    rpsStddev: round(result.requests.stddev, 1),
    responses: sorted.length,
    // CPU the server's processes (and their threads) spent per answered request, in µs.
    cpuUsPerRequest: sorted.length && cpuMs !== null ? round((cpuMs * 1000) / sorted.length, 1) : null,
    // The service's garbage-collector pauses during the run, from its own /metrics (null for bare):
    // their share of its CPU time, and how many were full (major) collections.
    gc:
      gcMs === null
        ? null
        : {
            ms: round(gcMs, 1),
            shareOfCpu: cpuMs ? round(gcMs / cpuMs, 4) : null,
            major: gcAfter.major - gcBefore.major,
          },
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    errorKinds,
    statusCodes,
    // Response times of every answered request (2xx or not), in ms.
    latencyMs: {
      mean: round(mean),
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.length ? sorted[sorted.length - 1] : null),
    },
    ...(scenario.name === 'verify' ? { verifyInvalid: state.invalid } : {}),
    targets: scenario.targets ?? null,
  };
}

/** Judges a result against its targets: [{ what, goal, actual, pass }]. */
function judge(r) {
  const t = r.targets;
  if (!t) return [];
  const checks = [];
  if (t.minRps !== undefined) {
    checks.push({
      what: `${r.name} RPS (${t.rpsSource})`,
      goal: `≥ ${t.minRps}`,
      actual: r.rps,
      pass: r.rps >= t.minRps,
    });
  }
  if (t.maxP95Ms !== undefined) {
    const v = r.latencyMs.p95;
    checks.push({
      what: `${r.name} P95 (${t.latencySource})`,
      goal: `< ${t.maxP95Ms} ms`,
      actual: v,
      pass: v !== null && v < t.maxP95Ms,
    });
  }
  if (t.maxP99Ms !== undefined) {
    const v = r.latencyMs.p99;
    checks.push({
      what: `${r.name} P99 (${t.latencySource})`,
      goal: `< ${t.maxP99Ms} ms`,
      actual: v,
      pass: v !== null && v < t.maxP99Ms,
    });
  }
  if (r.non2xx > 0 || r.errors > 0) {
    checks.push({
      what: `${r.name} failures`,
      goal: '0 non-2xx, 0 errors',
      actual: `${r.non2xx} / ${r.errors}`,
      pass: false,
    });
  }
  if (r.verifyInvalid > 0) {
    checks.push({ what: `${r.name} valid:false answers`, goal: '0', actual: r.verifyInvalid, pass: false });
  }
  return checks;
}

/** Scans a service log (JSON lines) for warn/error/fatal lines: counts plus a few samples. */
async function summariseLog(logPath) {
  const summary = {
    path: logPath,
    lines: 0,
    byLevel: {},
    byStatus: {},
    aborted: 0,
    nonJsonLines: 0,
    samples: [],
  };
  const levelName = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  try {
    const rl = readline.createInterface({ input: createReadStream(logPath), crlfDelay: Infinity });
    for await (const line of rl) {
      if (line === '') continue;
      summary.lines++;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        summary.nonJsonLines++;
        if (summary.samples.length < 5) summary.samples.push(line.slice(0, 300));
        continue;
      }
      const level = levelName[entry.level] ?? String(entry.level);
      summary.byLevel[level] = (summary.byLevel[level] ?? 0) + 1;
      // pino-http writes one line per request with res.statusCode: tally them.
      // "request aborted" (statusCode null): requests still in flight when autocannon closes its
      // connections at the end of each run (warm-up included). Expected, so counted apart.
      if (entry.msg === 'request aborted') {
        summary.aborted++;
      } else if (entry.res?.statusCode !== undefined) {
        const code = String(entry.res.statusCode);
        summary.byStatus[code] = (summary.byStatus[code] ?? 0) + 1;
      }
      // Samples: errors, and warnings about requests (startup warnings such as DEV-AUTH are expected).
      if ((entry.level >= 50 || (entry.level >= 40 && entry.res)) && summary.samples.length < 5) {
        const status = entry.res
          ? ` (HTTP ${entry.res.statusCode} ${entry.req?.method ?? ''} ${entry.req?.url ?? ''})`
          : '';
        summary.samples.push(
          `${level}: ${entry.msg ?? ''}${entry.err?.message ? ` ${entry.err.message}` : ''}${status}`,
        );
      }
    }
  } catch (error) {
    summary.readError = error.message;
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

function table(rows, columns) {
  const cells = rows.map((row) => columns.map((c) => String(row[c.key] ?? '–')));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i].length)));
  const line = (values) =>
    values.map((v, i) => (columns[i].left ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [
    line(columns.map((c) => c.title)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

function printReport(report) {
  log('\n=== Sigil-DNA bench ===');
  log(`node ${report.machine.node} | os.cpus().length = ${report.machine.cpus} (${report.machine.cpuModel})`);
  log(
    `duration ${report.config.durationS} s, warm-up ${report.config.warmupS} s, ${report.config.connections} connections; ` +
      'client (autocannon) and servers share these cores',
  );
  if (report.config.bareCheckS > 0) {
    log(
      `÷ bare: against the mean of the bare runs right before and right after each scenario ` +
        `(${report.config.bareCheckS} s each after the first); the bare row is the first`,
    );
  }
  const rows = report.results.map((r) => ({
    name: r.name,
    rps: r.rps,
    ratio: r.ratioToBare === undefined ? '1.00' : r.ratioToBare.toFixed(2),
    cpu: r.cpuUsPerRequest,
    cpuRatio: r.cpuRatioToBare === undefined ? '1.00' : r.cpuRatioToBare.toFixed(2),
    gc: r.gc?.shareOfCpu == null ? '' : `${(r.gc.shareOfCpu * 100).toFixed(1)} % · ${r.gc.major}`,
    p50: r.latencyMs.p50,
    p95: r.latencyMs.p95,
    p99: r.latencyMs.p99,
    responses: r.responses,
    non2xx: r.non2xx,
    errors: r.errors,
  }));
  log(
    '\n' +
      table(rows, [
        { key: 'name', title: 'scenario', left: true },
        { key: 'rps', title: 'RPS (mean)' },
        { key: 'ratio', title: '÷ bare' },
        { key: 'cpu', title: 'CPU µs/req' },
        { key: 'cpuRatio', title: 'bare CPU ÷ CPU' },
        { key: 'gc', title: 'GC % CPU · full' },
        { key: 'p50', title: 'p50 ms' },
        { key: 'p95', title: 'p95 ms' },
        { key: 'p99', title: 'p99 ms' },
        { key: 'responses', title: 'responses' },
        { key: 'non2xx', title: 'non-2xx' },
        { key: 'errors', title: 'errors' },
      ]),
  );
  for (const r of report.results) {
    if (r.ratioToBare !== undefined) log(`ratio ${r.name}/bare = ${r.ratioToBare.toFixed(3)}`);
  }
  for (const r of report.results) {
    const extra = [];
    if (Object.keys(r.errorKinds).length) extra.push(`errors: ${JSON.stringify(r.errorKinds)}`);
    if (r.non2xx) extra.push(`status codes: ${JSON.stringify(r.statusCodes)}`);
    if (r.verifyInvalid) extra.push(`valid:false answers: ${r.verifyInvalid}`);
    if (extra.length) log(`  ${r.name}: ${extra.join('; ')}`);
  }

  log(
    '\nTargets (SPEC §8 is "one core through the full stack"; here the load generator competes for the same cores):',
  );
  log(
    table(
      report.checks.map((c) => ({ ...c, verdict: c.pass ? 'PASS' : 'MISS' })),
      [
        { key: 'what', title: 'check', left: true },
        { key: 'goal', title: 'goal', left: true },
        { key: 'actual', title: 'actual' },
        { key: 'verdict', title: 'verdict', left: true },
      ],
    ),
  );
  const kept = report.config.keepTmp ? '(kept)' : '(deleted with the temp dir; BENCH_KEEP_TMP=1 keeps it)';
  for (const s of report.serverLogs) {
    log(
      `\nserver log ${s.path} ${kept}: ${s.lines} lines, levels ${JSON.stringify(s.byLevel)}, ` +
        `request statuses ${JSON.stringify(s.byStatus)}, aborted at run ends ${s.aborted}${s.nonJsonLines ? `, ${s.nonJsonLines} non-JSON lines` : ''}`,
    );
    for (const sample of s.samples) log(`  ${sample}`);
  }
  for (const e of report.exits) {
    const clean = e.code === 0 && !e.killed && !e.alreadyExited;
    log(
      clean
        ? `${e.name}: exited 0 on SIGTERM`
        : `warning: ${e.name} did not exit cleanly on SIGTERM: ${JSON.stringify(e)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const ctx = {
    tmpDir: '',
    jwks: null,
    secret: randomBytes(32).toString('hex'),
    children: [],
    started: new Map(),
  };
  let failed = false;
  const startedAt = new Date();

  // Ctrl-C / SIGTERM: stop the load, then fall through to the normal cleanup.
  const interrupt = (signal) => {
    log(`\n${signal}: stopping…`);
    failed = true;
    ctx.interrupted = signal;
    currentInstance?.stop();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  try {
    CONFIG = readConfig();
    ctx.tmpDir = await mkdtemp(path.join(os.tmpdir(), 'sigil-bench-'));
    // The identity provider: a real JWKS over HTTP on loopback (Node 24 strips the types).
    const { JwksServer } = await import('../support/jwks-server.ts');
    ctx.jwks = await new JwksServer().start();
    log(`temp dir: ${ctx.tmpDir}`);
    log(`node ${process.version}, os.cpus().length = ${os.cpus().length}`);

    // Which scenarios run: the baseline always, then the selected ones (or all).
    const unknown = CONFIG.only.filter((n) => !SCENARIOS.some((s) => s.name === n));
    if (unknown.length) throw new BenchError(`unknown scenario(s) in BENCH_SCENARIOS: ${unknown.join(', ')}`);
    const selected = SCENARIOS.filter(
      (s) => s.baseline || CONFIG.only.length === 0 || CONFIG.only.includes(s.name),
    );

    const results = [];
    // The bare server measured last: each scenario is compared with the mean of the bare runs just
    // before and just after it (BENCH_BARE_CHECK s each), since this machine's speed moves from one
    // minute to the next and a bare run from minutes earlier would move the ratio with it.
    let lastBare;
    for (const scenario of selected) {
      if (ctx.interrupted) throw new BenchError(`interrupted by ${ctx.interrupted}`);
      // Start the scenario's target the first time it is needed.
      if (!ctx.started.has(scenario.target)) {
        const def = TARGETS[scenario.target];
        if (!def) throw new BenchError(`scenario ${scenario.name}: unknown target ${scenario.target}`);
        log(`\nstarting ${scenario.target}: ${def.description}`);
        ctx.started.set(scenario.target, await def.start(ctx));
      }
      const target = ctx.started.get(scenario.target);
      const result = await runScenario(scenario, target, ctx);
      results.push(result);
      if (ctx.interrupted) throw new BenchError(`interrupted by ${ctx.interrupted}`);
      await sleep(1000); // let the servers settle between runs
      if (scenario.baseline) {
        lastBare = result;
        continue;
      }
      let after = lastBare;
      if (CONFIG.bareCheckS > 0) {
        const baseline = SCENARIOS.find((s) => s.baseline);
        after = await runScenario(baseline, ctx.started.get(baseline.target), ctx, CONFIG.bareCheckS);
        await sleep(1000);
      }
      const mean = (key) => (lastBare[key] && after[key] ? (lastBare[key] + after[key]) / 2 : null);
      result.bareAround = { rps: round(mean('rps'), 1), cpuUsPerRequest: round(mean('cpuUsPerRequest'), 1) };
      if (result.bareAround.rps) result.ratioToBare = result.rps / result.bareAround.rps;
      if (result.bareAround.cpuUsPerRequest && result.cpuUsPerRequest)
        result.cpuRatioToBare = result.bareAround.cpuUsPerRequest / result.cpuUsPerRequest;
      lastBare = after;
    }

    // Stop everything before reading logs, so they are complete.
    const exits = await Promise.all(ctx.children.map((c) => stopChild(c)));
    const serverLogs = await Promise.all(
      [...ctx.started.values()].filter((t) => t.name !== 'bare').map((t) => summariseLog(t.logPath)),
    );

    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        platform: `${os.platform()} ${os.release()}`,
        loadavg: os.loadavg(),
        totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
      },
      config: {
        durationS: CONFIG.durationS,
        warmupS: CONFIG.warmupS,
        bareCheckS: CONFIG.bareCheckS,
        connections: CONFIG.connections,
        seedSigils: CONFIG.seedSigils,
        scenarios: selected.map((s) => s.name),
        keepTmp: CONFIG.keepTmp,
      },
      results,
      ratios: Object.fromEntries(
        results
          .filter((r) => r.ratioToBare !== undefined)
          .map((r) => [`${r.name}/bare`, round(r.ratioToBare, 4)]),
      ),
      checks: results.flatMap(judge),
      serverLogs,
      exits,
    };
    printReport(report);

    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`\nresults: ${path.relative(process.cwd(), file)}`);
    // Missing a performance target is a finding, not a failure of the bench; a crash is.
    const crashed = exits.filter((e) => e.alreadyExited);
    if (crashed.length)
      throw new BenchError(`server(s) exited before the end: ${crashed.map((e) => e.name).join(', ')}`);
  } catch (error) {
    failed = true;
    process.stderr.write(
      `\nbench FAILED: ${error instanceof BenchError ? error.message : (error?.stack ?? String(error))}\n`,
    );
  } finally {
    // Stop whatever is still running (no-op for children already stopped).
    await Promise.all(ctx.children.map((c) => stopChild(c))).catch(() => {});
    await ctx.postgres?.destroy().catch(() => {});
    await ctx.jwks?.close().catch(() => {});
    if (ctx.tmpDir) {
      if (failed || CONFIG?.keepTmp) {
        // Keep the logs around for diagnosis.
        process.stderr.write(`temp dir kept (server logs, LevelDB): ${ctx.tmpDir}\n`);
      } else {
        await rm(ctx.tmpDir, { recursive: true, force: true });
      }
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
