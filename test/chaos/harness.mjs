#!/usr/bin/env node
// Chaos harness: breaks the built service's dependencies on purpose and checks it fails safe.
//
//   node test/chaos/harness.mjs [--short] [--only a,c]      (or scripts/chaos-harness.sh)
//
// Scenarios (each prints one `PASS (x) name: numbers` or `FAIL (x) name: reason numbers` line):
//   (a) kill -9 during a write storm, restart on the same path: every acknowledged (201) sigil is
//       present and verifies; the integrity check over the whole store finds nothing corrupt.
//   (b) a second instance on the same LevelDB path exits non-zero with the LOCK message in < 5 s.
//   (c) disk full (tmpfs of 16 MiB holding SIGIL_DB_PATH, filled by a filler file): encodes answer
//       problem+json 503/507, never 500, the process lives; after removing the filler encodes
//       succeed again without a restart; nothing acknowledged is lost or corrupt. Needs root for
//       `mount -t tmpfs`; without it (or if the mount fails) the scenario FAILs and says why.
//   (d) Redis killed under traffic (REDIS_URL set): no 5xx, /readyz 200 with rateLimit degraded,
//       back to up after Redis restarts.
//   (e) Postgres killed (DATABASE_URL): encode and decode answer 503 STORAGE_UNAVAILABLE within the
//       client timeout, /readyz 503; after Postgres restarts the same service process recovers.
//
// Everything runs on 127.0.0.1 in a fresh temp dir; every loop is bounded in count and time. The
// service runs in dev-auth mode with a token from the project CLI (like test/bench/run.mjs), and the
// Redis/Postgres helpers are the tests' own (.ts, loaded through Node 24's type stripping). Integrity
// is checked offline with the built libs: openStore + checkIntegrity under the same key ring.
// Exit code: 0 when every selected scenario passed, 1 otherwise.

import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const API_MAIN = path.join(ROOT, 'dist/apps/sigil-api/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/sigil-cli/src/main.js');
const HOST = '127.0.0.1';
const TENANT = 'chaos';
const SECRET = 'c4'.repeat(32);

const args = process.argv.slice(2);
const SHORT = args.includes('--short');
const onlyArg = args.find((a) => a.startsWith('--only'));
const ONLY = onlyArg
  ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',')
  : null;
const STORM_MS = SHORT ? 2500 : 6000;
const STORM_CLIENTS = 20;
const TRAFFIC_MS = SHORT ? 2000 : 5000;

const log = (m) => process.stdout.write(`${m}\n`);

// ------------------------------------------------------------------------------------------------
// Processes and HTTP
// ------------------------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function http(url, { method = 'GET', token, body, timeoutMs = 10_000 } = {}) {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      json,
      ms: performance.now() - started,
    };
  } catch (error) {
    return {
      status: 0,
      error: error.name === 'TimeoutError' ? 'timeout' : (error.cause?.code ?? error.message),
      ms: performance.now() - started,
    };
  }
}

function serviceEnv(ctx, extra) {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    SIGIL_HOST: HOST,
    SIGIL_DEV_DIR: ctx.devDir,
    SPIRAL_EVENT_SECRET: SECRET,
    SIGIL_RATE_LIMIT: '1000000',
    SIGIL_SHUTDOWN_GRACE_MS: '3000',
    ...extra,
  };
}

/** Starts the built API; resolves when /readyz is 200 (bounded), or throws with the log's tail. */
async function startService(ctx, name, extra, { waitReady = true } = {}) {
  const port = await freePort();
  const logPath = path.join(ctx.tmpDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [API_MAIN], {
    cwd: ctx.tmpDir,
    env: serviceEnv(ctx, { SIGIL_PORT: String(port), ...extra }),
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const service = {
    name,
    child,
    logPath,
    url: `http://${HOST}:${port}`,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    alive: () => child.exitCode === null && child.signalCode === null,
    tail: () => readFileSync(logPath, 'utf8').slice(-1500),
  };
  ctx.children.add(service);
  if (!waitReady) return service;
  for (let i = 0; i < 150; i++) {
    if (!service.alive()) throw new Error(`${name} exited during start: ${service.tail()}`);
    const res = await http(`${service.url}/readyz`, { timeoutMs: 2000 });
    if (res.status === 200) return service;
    await sleep(100);
  }
  throw new Error(`${name} not ready within 15 s: ${service.tail()}`);
}

async function stopService(service, signal = 'SIGTERM') {
  if (service.alive()) {
    service.child.kill(signal);
    const timedOut = await Promise.race([service.exited.then(() => false), sleep(10_000).then(() => true)]);
    if (timedOut) service.child.kill('SIGKILL');
  }
  return service.exited;
}

function cliToken(ctx) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI_MAIN, 'token', '--tenant', TENANT, '--scope', 'sigil:admin', '--ttl', '1h'],
      { cwd: ctx.tmpDir, env: serviceEnv(ctx, {}), timeout: 30_000 },
      (error, stdout, stderr) => {
        const token = stdout.trim().split('\n').pop() ?? '';
        if (error || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token))
          reject(new Error(`CLI token failed: ${stderr}`));
        else resolve(token);
      },
    );
  });
}

const payload = (n) => ({
  data: { chaos: n, at: Date.now(), note: 'x'.repeat(100) },
  metadata: { source: 'chaos', tags: ['storm'] },
});

/**
 * `clients` concurrent loops encoding until `until()` says stop (and at most `maxMs`). Returns the
 * acknowledged ids and a count per status (0 = connection error or timeout).
 */
async function writeStorm(service, token, { clients, maxMs, until = () => false, timeoutMs = 5000 }) {
  const acked = [];
  const statuses = {};
  const bad = [];
  const deadline = Date.now() + maxMs;
  let n = 0;
  const worker = async () => {
    while (Date.now() < deadline && !until()) {
      const res = await http(`${service.url}/api/v1/sigils`, {
        method: 'POST',
        token,
        body: payload(n++),
        timeoutMs,
      });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 201) acked.push(res.json.id);
      else if (res.status >= 500 && bad.length < 5)
        bad.push({ status: res.status, type: res.type, body: res.json });
      if (res.status === 0) await sleep(20); // the process is gone: don't spin
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return { acked, statuses, bad };
}

/** POST /verify for every id (20 at a time); returns how many came back valid:true. */
async function verifyAll(service, token, ids) {
  let valid = 0;
  let next = 0;
  const invalid = [];
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const res = await http(`${service.url}/api/v1/sigils/verify`, { method: 'POST', token, body: { id } });
      if (res.status === 200 && res.json?.valid === true) valid++;
      else if (invalid.length < 3) invalid.push(`${id}:${res.status}:${res.json?.reason ?? res.error}`);
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  return { valid, invalid };
}

/**
 * Offline integrity over a whole LevelDB store (the service must be stopped): every record of every
 * tenant through checkIntegrity with the service's key ring, plus which of `expected` ids are missing.
 */
async function checkStore(dbPath, expected = []) {
  const { openStore } = await import('#storage');
  const { KeyRing, checkIntegrity } = await import('#sigil');
  const keys = new KeyRing(SECRET);
  const store = await openStore({ kind: 'leveldb', path: dbPath });
  const repo = store.repository;
  try {
    let checked = 0;
    let corrupt = 0;
    for await (const tenantId of repo.tenants()) {
      let after;
      do {
        const page = await repo.listPage(tenantId, { limit: 500, after });
        for (const record of page.items) {
          checked++;
          if (checkIntegrity(record, tenantId, keys) !== null) corrupt++;
        }
        after = page.nextAfter ?? undefined;
      } while (after);
    }
    let missing = 0;
    for (const id of expected) if ((await repo.findById(TENANT, id)) === null) missing++;
    return { checked, corrupt, missing };
  } finally {
    await repo.close();
  }
}

const fmt = (statuses) =>
  Object.entries(statuses)
    .map(([s, c]) => `${s}:${c}`)
    .join(',');

// ------------------------------------------------------------------------------------------------
// Scenarios: each returns { ok, details } or throws (a FAIL with the error's message).
// ------------------------------------------------------------------------------------------------

async function killDuringStorm(ctx) {
  const dbPath = path.join(ctx.tmpDir, 'a-db');
  const first = await startService(ctx, 'a-first', { SIGIL_DB_PATH: dbPath });
  let killedAt = 0;
  const storm = writeStorm(first, ctx.token, {
    clients: STORM_CLIENTS,
    maxMs: STORM_MS + 5000,
    until: () => killedAt > 0,
  });
  await sleep(STORM_MS);
  first.child.kill('SIGKILL');
  killedAt = Date.now();
  const { acked, statuses } = await storm;
  await first.exited;
  const offline = await checkStore(dbPath, acked);
  const second = await startService(ctx, 'a-restart', { SIGIL_DB_PATH: dbPath });
  const { valid, invalid } = await verifyAll(second, ctx.token, acked);
  await stopService(second);
  const ok = acked.length > 0 && offline.missing === 0 && offline.corrupt === 0 && valid === acked.length;
  return {
    ok,
    details:
      `clients=${STORM_CLIENTS} storm=${(STORM_MS / 1000).toFixed(1)}s acked=${acked.length} statuses=${fmt(statuses)} ` +
      `missing=${offline.missing} verified=${valid}/${acked.length} store-checked=${offline.checked} corrupt=${offline.corrupt}` +
      (invalid.length ? ` invalid=${invalid.join(' ')}` : ''),
  };
}

async function secondInstance(ctx) {
  const dbPath = path.join(ctx.tmpDir, 'b-db');
  const first = await startService(ctx, 'b-first', { SIGIL_DB_PATH: dbPath });
  const started = performance.now();
  const second = await startService(ctx, 'b-second', { SIGIL_DB_PATH: dbPath }, { waitReady: false });
  const exit = await Promise.race([second.exited, sleep(10_000).then(() => null)]);
  const ms = performance.now() - started;
  if (exit === null) second.child.kill('SIGKILL');
  const output = readFileSync(second.logPath, 'utf8');
  const message = /locked by another process \(.*LOCK is held\)/.test(output);
  const firstServes = (await http(`${first.url}/readyz`)).status === 200;
  await stopService(first);
  const ok = exit !== null && exit.code !== 0 && exit.code !== null && message && ms < 5000 && firstServes;
  return {
    ok,
    details: `exit=${exit?.code ?? 'still running'} in ${Math.round(ms)}ms (limit 5000) lock-message=${message} first-still-ready=${firstServes}`,
  };
}

async function diskFull(ctx) {
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      details: 'needs root to mount a 16 MiB tmpfs (mount -t tmpfs); run as root (CI does)',
    };
  }
  const mountPoint = path.join(ctx.tmpDir, 'c-tmpfs');
  await mkdir(mountPoint, { recursive: true });
  const mounted = await new Promise((resolve) =>
    execFile(
      'mount',
      ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint],
      { timeout: 10_000 },
      (error, _o, stderr) => resolve(error ? `${error.message} ${stderr}` : true),
    ),
  );
  if (mounted !== true) return { ok: false, details: `mount -t tmpfs failed: ${mounted}` };
  ctx.mounts.push(mountPoint);
  const dbPath = path.join(mountPoint, 'db');
  const filler = path.join(mountPoint, 'filler');
  const service = await startService(ctx, 'c-disk', { SIGIL_DB_PATH: dbPath });
  const before = await writeStorm(service, ctx.token, {
    clients: 4,
    maxMs: 60_000,
    until: () => false,
    ...{ maxMs: 500 },
  });
  // Fill the volume: 1 MiB chunks, then 4 KiB ones, until ENOSPC (at most 64 MiB of attempts).
  const fd = openSync(filler, 'w');
  let filled = 0;
  try {
    for (const chunk of [Buffer.alloc(1 << 20, 1), Buffer.alloc(4096, 1), Buffer.alloc(512, 1)]) {
      for (let i = 0; i < 64 * 1024; i++) {
        try {
          const written = writeSync(fd, chunk);
          filled += written;
          if (written < chunk.length) break;
        } catch (error) {
          if (error.code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  const full = await writeStorm(service, ctx.token, { clients: 4, maxMs: 1500 });
  const problems = full.bad.filter(
    (b) => ![503, 507].includes(b.status) || !b.type.includes('application/problem+json'),
  );
  const refused = (full.statuses[503] ?? 0) + (full.statuses[507] ?? 0);
  const codes = new Set(full.bad.map((b) => b.body?.code));
  const aliveWhileFull = service.alive() && (await http(`${service.url}/healthz`)).status === 200;
  await rm(filler, { force: true });
  let recoveredMs = null;
  const freedAt = performance.now();
  for (let i = 0; i < 50 && service.alive(); i++) {
    const res = await http(`${service.url}/api/v1/sigils`, {
      method: 'POST',
      token: ctx.token,
      body: payload(-i),
    });
    if (res.status === 201) {
      before.acked.push(res.json.id);
      recoveredMs = Math.round(performance.now() - freedAt);
      break;
    }
    await sleep(200);
  }
  const after = await writeStorm(service, ctx.token, { clients: 4, maxMs: 500 });
  await stopService(service);
  const acked = [...before.acked, ...full.acked, ...after.acked];
  const store = await checkStore(dbPath, acked);
  const fiveHundreds = Object.keys({ ...full.statuses, ...after.statuses }).filter(
    (s) => Number(s) >= 500 && ![503, 507].includes(Number(s)),
  ).length;
  const ok =
    refused > 0 &&
    problems.length === 0 &&
    fiveHundreds === 0 &&
    aliveWhileFull &&
    recoveredMs !== null &&
    (after.statuses[201] ?? 0) > 0 &&
    store.missing === 0 &&
    store.corrupt === 0;
  return {
    ok,
    details:
      `tmpfs=16MiB filler=${(filled / 2 ** 20).toFixed(1)}MiB while-full=${fmt(full.statuses)} codes=${[...codes].join('|') || '-'} ` +
      `bad-shape=${problems.length} alive=${aliveWhileFull} recovered-after-free=${recoveredMs ?? 'never'}ms ` +
      `after=${fmt(after.statuses)} acked=${acked.length} missing=${store.missing} corrupt=${store.corrupt}`,
  };
}

async function redisKilled(ctx) {
  const { startRedis } = await import('../support/redis-server.ts');
  const redis = await startRedis();
  ctx.cleanups.push(() => redis.stop());
  const service = await startService(ctx, 'd-redis', {
    SIGIL_DB_PATH: path.join(ctx.tmpDir, 'd-db'),
    SIGIL_DB_SYNC: 'false',
    REDIS_URL: redis.url,
  });
  let stop = false;
  const traffic = writeStorm(service, ctx.token, { clients: 8, maxMs: 60_000, until: () => stop });
  await sleep(500);
  await redis.kill();
  const killedAt = performance.now();
  let degradedMs = null;
  let readyDuring = null;
  for (let i = 0; i < 50; i++) {
    const res = await http(`${service.url}/readyz`);
    if (res.json?.details?.rateLimit?.status === 'degraded') {
      degradedMs = Math.round(performance.now() - killedAt);
      readyDuring = res.status;
      break;
    }
    await sleep(100);
  }
  await sleep(TRAFFIC_MS);
  await redis.restart();
  const restartedAt = performance.now();
  let backMs = null;
  for (let i = 0; i < 100; i++) {
    const res = await http(`${service.url}/readyz`);
    if (res.status === 200 && res.json?.details?.rateLimit?.status === 'up') {
      backMs = Math.round(performance.now() - restartedAt);
      break;
    }
    await sleep(200);
  }
  await sleep(300);
  stop = true;
  const { statuses, acked } = await traffic;
  await stopService(service);
  const fiveXX = Object.entries(statuses)
    .filter(([s]) => Number(s) >= 500 || Number(s) === 0)
    .reduce((sum, [, c]) => sum + c, 0);
  const ok =
    fiveXX === 0 && degradedMs !== null && readyDuring === 200 && backMs !== null && acked.length > 0;
  return {
    ok,
    details: `requests=${fmt(statuses)} 5xx-or-dropped=${fiveXX} degraded-after=${degradedMs ?? 'never'}ms readyz-while-degraded=${readyDuring} back-up-after-restart=${backMs ?? 'never'}ms`,
  };
}

async function postgresKilled(ctx) {
  const { startPostgres } = await import('../support/postgres-server.ts');
  const postgres = await startPostgres();
  ctx.cleanups.push(() => postgres.destroy());
  const url = await postgres.createDatabase('chaos');
  const service = await startService(ctx, 'e-postgres', {
    DATABASE_URL: url,
    SIGIL_PG_CONNECT_TIMEOUT_MS: '1000',
    SIGIL_PG_STATEMENT_TIMEOUT_MS: '1000',
  });
  const seed = await http(`${service.url}/api/v1/sigils`, {
    method: 'POST',
    token: ctx.token,
    body: payload(1),
  });
  if (seed.status !== 201) throw new Error(`seed encode answered ${seed.status}`);
  const id = seed.json.id;
  await postgres.kill();
  const CLIENT_TIMEOUT = 8000;
  const encode = await http(`${service.url}/api/v1/sigils`, {
    method: 'POST',
    token: ctx.token,
    body: payload(2),
    timeoutMs: CLIENT_TIMEOUT,
  });
  const decode = await http(`${service.url}/api/v1/sigils/${id}`, {
    token: ctx.token,
    timeoutMs: CLIENT_TIMEOUT,
  });
  const ready = await http(`${service.url}/readyz`, { timeoutMs: CLIENT_TIMEOUT });
  const isUnavailable = (r) =>
    r.status === 503 && r.json?.code === 'STORAGE_UNAVAILABLE' && r.type.includes('problem+json');
  await postgres.restart();
  const restartedAt = performance.now();
  let recoveredMs = null;
  for (let i = 0; i < 60; i++) {
    const res = await http(`${service.url}/api/v1/sigils`, {
      method: 'POST',
      token: ctx.token,
      body: payload(3 + i),
      timeoutMs: 5000,
    });
    if (res.status === 201) {
      recoveredMs = Math.round(performance.now() - restartedAt);
      break;
    }
    await sleep(250);
  }
  const decodeAfter = await http(`${service.url}/api/v1/sigils/${id}`, { token: ctx.token });
  const readyAfter = await http(`${service.url}/readyz`);
  const samePid = service.alive();
  await stopService(service);
  const PROMPT = 5000;
  const ok =
    isUnavailable(encode) &&
    isUnavailable(decode) &&
    encode.ms < PROMPT &&
    decode.ms < PROMPT &&
    ready.status === 503 &&
    recoveredMs !== null &&
    decodeAfter.status === 200 &&
    readyAfter.status === 200 &&
    samePid;
  return {
    ok,
    details:
      `down: encode=${encode.status || encode.error}/${encode.json?.code ?? '-'} in ${Math.round(encode.ms)}ms, ` +
      `decode=${decode.status || decode.error}/${decode.json?.code ?? '-'} in ${Math.round(decode.ms)}ms (limit ${PROMPT}ms), ` +
      `readyz=${ready.status} in ${Math.round(ready.ms)}ms; after restart: encode 201 after ${recoveredMs ?? 'never'}ms, ` +
      `decode=${decodeAfter.status} readyz=${readyAfter.status} same-process=${samePid}`,
  };
}

const SCENARIOS = [
  { key: 'a', name: 'kill-9-write-storm', run: killDuringStorm },
  { key: 'b', name: 'second-instance-lock', run: secondInstance },
  { key: 'c', name: 'disk-full', run: diskFull },
  { key: 'd', name: 'redis-killed', run: redisKilled },
  { key: 'e', name: 'postgres-killed', run: postgresKilled },
];

// ------------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'sigil-chaos-'));
  const ctx = {
    tmpDir,
    devDir: path.join(tmpDir, 'dev'),
    children: new Set(),
    mounts: [],
    cleanups: [],
    token: '',
  };
  let failed = 0;
  let passed = 0;
  try {
    ctx.token = await cliToken(ctx);
    for (const scenario of SCENARIOS) {
      if (ONLY && !ONLY.includes(scenario.key)) continue;
      const t0 = performance.now();
      let result;
      try {
        result = await scenario.run(ctx);
      } catch (error) {
        result = { ok: false, details: `error: ${error instanceof Error ? error.message : String(error)}` };
      }
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      log(`${result.ok ? 'PASS' : 'FAIL'} (${scenario.key}) ${scenario.name}: ${result.details} [${secs}s]`);
      if (result.ok) passed++;
      else failed++;
      // Whatever a scenario left running is stopped before the next one starts.
      for (const child of ctx.children) if (child.alive()) await stopService(child, 'SIGKILL');
      ctx.children.clear();
    }
  } finally {
    for (const child of ctx.children) if (child.alive()) await stopService(child, 'SIGKILL');
    for (const cleanup of ctx.cleanups) await cleanup().catch(() => undefined);
    for (const mountPoint of ctx.mounts) {
      await new Promise((resolve) => execFile('umount', [mountPoint], { timeout: 10_000 }, () => resolve()));
    }
    const keep = failed > 0 || process.env.CHAOS_KEEP_TMP === '1';
    if (keep) log(`logs kept in ${tmpDir}`);
    else await rm(tmpDir, { recursive: true, force: true });
  }
  log(
    `chaos: ${passed} passed, ${failed} failed in ${((performance.now() - started) / 1000).toFixed(1)}s${SHORT ? ' (--short)' : ''}`,
  );
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error) => {
  log(`FAIL harness: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
