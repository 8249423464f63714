// The service under soak: the BUILT app (dist/) in its default production configuration, as an
// operator runs it: NODE_ENV=production, tokens checked against a real JWKS served over HTTP on
// 127.0.0.1, the signing secret from a SIGIL_SECRETS_FILE, LevelDB with fsync, info logging, rate
// limiting on. Its log is read as it is written (counted, never stored whole: a 2 h soak writes
// gigabytes), and its RSS is sampled from /proc.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwksServer } from '../support/jwks-server.ts';
import { freePort, HOST, request } from '../bench/http.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// SOAK_API_MAIN runs another build instead (an older checkout's main.js, to compare two builds).
const API_MAIN = process.env.SOAK_API_MAIN
  ? path.resolve(process.env.SOAK_API_MAIN)
  : path.join(ROOT, 'dist/apps/sigil-api/src/main.js');
const BARE_SERVER = path.join(ROOT, 'test/bench/bare-server.mjs');

/**
 * The users the load is spread over: `count` principals (tenant + sub) in `tenants` tenants, and
 * per tenant a separate seeder (an import job, say), so seeding spends none of the users' budgets.
 */
export function makeUsers(jwks, { count, tenants, ttlS }) {
  const user = (tenant, sub) => ({
    tenant,
    sub,
    token: jwks.token({ tenant, sub, scope: 'sigil:read sigil:write', expiresIn: ttlS }),
  });
  return {
    users: Array.from({ length: count }, (_, i) => user(`soak-${i % tenants}`, `soak-user-${i}`)),
    seeders: Array.from({ length: tenants }, (_, i) => user(`soak-${i}`, `soak-seeder-${i}`)),
  };
}

/**
 * Counts the service's JSON log lines by level as they arrive and keeps the first warn-or-worse
 * lines and the last lines, for the report. Levels are pino's numbers (40 warn, 50 error, 60 fatal).
 */
class LogWatch {
  lines = 0;
  byLevel = {};
  warnings = [];
  tail = [];

  constructor(stream) {
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.add(line));
  }

  add(line) {
    this.lines++;
    const level = /"level":(\d+)/.exec(line)?.[1] ?? 'non-json';
    this.byLevel[level] = (this.byLevel[level] ?? 0) + 1;
    if ((level === 'non-json' || Number(level) >= 40) && this.warnings.length < 10)
      this.warnings.push(line.slice(0, 500));
    this.tail.push(line.slice(0, 500));
    if (this.tail.length > 20) this.tail.shift();
  }

  summary() {
    const count = (level) => this.byLevel[level] ?? 0;
    return {
      lines: this.lines,
      byLevel: this.byLevel,
      warn: count('40'),
      errorOrFatal: count('50') + count('60'),
      nonJson: count('non-json'),
      warnings: this.warnings,
    };
  }
}

/** The resident set size of a process in bytes, from /proc (Linux). */
export async function rssBytes(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/**
 * Samples a process's RSS every `intervalMs` until stop(); each sample is { t (s since start), rss }.
 * Sampling ends by itself when the process is gone (the caller notices that through its exit).
 */
export function sampleRss(pid, intervalMs) {
  const samples = [];
  const started = Date.now();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const rss = await rssBytes(pid).catch(() => null);
      if (rss === null) return;
      samples.push({ t: (Date.now() - started) / 1000, rss });
      await sleep(intervalMs);
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
      return samples;
    },
  };
}

/**
 * Starts the JWKS and the service in `dir`. The per-principal limit stays on, set from the load:
 * twice what each user sends per window, so the soak is never throttled but every request still
 * goes through the limiter.
 */
export async function startService(dir, { rateLimit, readyTimeoutMs = 60_000 }) {
  const jwks = await new JwksServer().start();
  const secretsFile = path.join(dir, 'secrets.env');
  await writeFile(secretsFile, `SPIRAL_EVENT_SECRET=${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    JWT_ISSUER: jwks.issuer,
    JWT_JWKS_URI: jwks.url,
    SIGIL_SECRETS_FILE: secretsFile,
    SIGIL_STORAGE: 'leveldb',
    SIGIL_DB_PATH: path.join(dir, 'leveldb'),
    SIGIL_DB_SYNC: 'true',
    SIGIL_HOST: HOST,
    SIGIL_PORT: String(port),
    SIGIL_RATE_LIMIT: String(rateLimit),
    // Production's default keeps /readyz at 503 for 5 s after SIGTERM for a load balancer; nobody
    // routes to this one, so it stops at once.
    SIGIL_SHUTDOWN_DELAY_MS: '0',
  };
  const child = spawn(process.execPath, ['--enable-source-maps', API_MAIN], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = new LogWatch(child.stdout);
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk.toString().slice(0, 2000)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = null;
  void exited.then((how) => (gone = how));
  let stopping = null;

  const service = {
    url,
    jwks,
    pid: child.pid,
    env: { ...env, JWT_JWKS_URI: jwks.url, SIGIL_SECRETS_FILE: '(temp file)' },
    log,
    alive: () => gone === null,
    /**
     * Waits until the service has written no log line for `quietMs` (at most `timeoutMs`): an open
     * loop past capacity leaves a backlog that vegeta's timeouts abandon but the service still serves,
     * and SIGTERM's grace period is for in-flight requests, not a queue.
     */
    drained: async (quietMs = 2000, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      let seen = -1;
      while (seen !== log.lines && Date.now() < deadline) {
        seen = log.lines;
        await sleep(quietMs);
      }
    },
    /** SIGTERM, then SIGKILL after `timeoutMs`; how it ended, and the log summary. */
    stop: (timeoutMs = 20_000) =>
      (stopping ??= (async () => {
        if (gone === null) {
          child.kill('SIGTERM');
          const timedOut = await Promise.race([exited.then(() => false), sleep(timeoutMs).then(() => true)]);
          if (timedOut) child.kill('SIGKILL');
        }
        const how = await exited;
        await jwks.close();
        return { ...how, stderr: stderr.join('').slice(0, 2000) };
      })()),
  };

  try {
    await waitReady(
      url,
      readyTimeoutMs,
      () => gone,
      () => `${stderr.join('')}${log.tail.join('\n')}`,
    );
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

/** Polls GET /readyz until 200; fails early when the process is gone, or at the deadline. */
async function waitReady(url, timeoutMs, gone, output) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone())
      throw new Error(`the service exited before it was ready (${JSON.stringify(gone())}): ${output()}`);
    const res = await request(`${url}/readyz`, { timeoutMs: 2000 }).catch((e) => ({
      status: 0,
      text: e.cause?.code ?? e.message,
    }));
    if (res.status === 200) return;
    if (Date.now() > deadline) {
      const last = `${res.status} ${res.text.slice(0, 200)}`;
      throw new Error(`the service was not ready in ${timeoutMs} ms (last: ${last})`);
    }
    await sleep(200);
  }
}

/**
 * The bench's bare `node:http` server (test/bench/bare-server.mjs): the floor of the stack. At the
 * same rate in the same run, its p99 is what the machine itself adds (neighbours, the load generator).
 */
export async function startBare() {
  const child = fork(BARE_SERVER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bare server did not start in 10 s')), 10_000);
    child.once('message', (m) => (clearTimeout(timer), resolve(m.port)));
    child.once(
      'exit',
      (code) => (clearTimeout(timer), reject(new Error(`the bare server exited (${code})`))),
    );
  });
  child.disconnect();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url: `http://${HOST}:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
