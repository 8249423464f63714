// Side-by-side comparison of builds or settings (`npm run bench:ab -- <variant> <variant> …`).
//
// `npm run bench` starts one service per run, so two builds measured in two runs differ by whatever
// else the machine did in between: on this shared 2-core box that was often more than the change
// under test. This script starts every variant once, in the same production configuration as
// run.mjs (NODE_ENV=production, JWT from a JWKS on loopback, rate limiting on, info logging, LevelDB
// with fsync), seeds each, and then alternates short autocannon runs between them and the bare
// server, round after round (the order reversed every other round). It reports per variant the
// median and best RPS, the ratio to the bare server of the same round, and the CPU per request
// split into user and system time (from /proc), which moves far less with the machine than RPS.
//
//   variant = label=path/to/main.js[:ENV=value,ENV=value]
//
//   npm run build && cp -r dist /tmp/new-dist   # or any other checkout's dist/
//   npm run bench:ab -- old=/tmp/old-dist/apps/sigil-api/src/main.js new=dist/apps/sigil-api/src/main.js
//   npm run bench:ab -- semi=dist/apps/sigil-api/src/main.js:NODE_OPTIONS=--max-semi-space-size=64
//
// Knobs: AB_SCENARIO (verify | encode, default verify), AB_ROUNDS (5), AB_SECONDS (4 per run),
// AB_CONNECTIONS (50). A build's dist/ needs the package.json next to it for its `#…` imports (copy
// it along). Everything listens on 127.0.0.1; the temp dirs are removed at the end.

import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { JwksServer } from '../support/jwks-server.ts';
import { freePort, HOST, request } from './http.mjs';
import { sampleData, serviceEnv } from './workload.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const int = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const SCENARIO = process.env.AB_SCENARIO ?? 'verify';
const ROUNDS = int('AB_ROUNDS', 5);
const SECONDS = int('AB_SECONDS', 4);
const CONNECTIONS = int('AB_CONNECTIONS', 50);
const SEED = 1000;
if (!['verify', 'encode'].includes(SCENARIO)) throw new Error('AB_SCENARIO must be verify or encode');

function parseVariant(arg) {
  const eq = arg.indexOf('=');
  if (eq < 1) throw new Error(`a variant is label=path/to/main.js[:ENV=value,…], got ${arg}`);
  const [main, envList = ''] = arg.slice(eq + 1).split(':');
  const env = Object.fromEntries(
    envList
      .split(',')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  return { label: arg.slice(0, eq), main: path.resolve(main), env };
}

/** utime and stime of a process and its threads, in ms (USER_HZ = 100). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
}

async function startService(variant, jwks, secret) {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sigil-ab-'));
  const fd = openSync(path.join(dir, 'service.log'), 'a');
  const child = spawn(process.execPath, [variant.main], {
    cwd: dir,
    stdio: ['ignore', fd, fd],
    env: serviceEnv({ jwks, secret }, port, variant.env),
  });
  closeSync(fd);
  const url = `http://${HOST}:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`${variant.label} exited (${child.exitCode}); log in ${dir}`);
    if ((await request(`${url}/readyz`).catch(() => ({ status: 0 }))).status === 200) break;
    if (attempt > 150) throw new Error(`${variant.label} did not get ready; log in ${dir}`);
    await sleep(200);
  }
  const token = jwks.token({ tenant: 'bench', sub: 'bench-client', expiresIn: 3600 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const ids = [];
  for (let n = 0; n < SEED; n++) {
    const created = await request(`${url}/api/v1/sigils`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ data: sampleData(n) }),
    });
    if (created.status !== 201) throw new Error(`${variant.label}: seeding answered ${created.status}`);
    ids.push(JSON.parse(created.text).id);
  }
  return { ...variant, url, child, dir, headers, ids, runs: [] };
}

function cannonOptions(target) {
  if (target.bare) {
    return { url: `${target.url}/`, method: 'POST', body: JSON.stringify({ data: sampleData(1) }) };
  }
  let n = 0;
  const setupRequest =
    SCENARIO === 'verify'
      ? (req) => ({ ...req, body: JSON.stringify({ id: target.ids[n++ % target.ids.length] }) })
      : (req) => ({ ...req, body: JSON.stringify({ data: sampleData(SEED + ++n) }) });
  const path = SCENARIO === 'verify' ? '/api/v1/sigils/verify' : '/api/v1/sigils';
  return {
    url: `${target.url}${path}`,
    method: 'POST',
    headers: target.headers,
    requests: [{ setupRequest }],
  };
}

function cannon(options, seconds) {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        ...options,
        headers: { 'content-type': 'application/json', ...options.headers },
        connections: CONNECTIONS,
        duration: seconds,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fixed = (value, digits = 1) => value.toFixed(digits);

const variants = process.argv.slice(2).map(parseVariant);
if (variants.length === 0) throw new Error('name at least one variant: label=path/to/main.js[:ENV=value,…]');
const jwks = await new JwksServer().start();
const targets = [];
try {
  const secret = randomBytes(32).toString('hex');
  for (const variant of variants) targets.push(await startService(variant, jwks, secret));
  const bare = fork(path.join(here, 'bare-server.mjs'), [], { stdio: 'ignore' });
  const barePort = await new Promise((resolve) => bare.on('message', (m) => m?.port && resolve(m.port)));
  targets.unshift({ label: 'bare', bare: true, url: `http://${HOST}:${barePort}`, child: bare, runs: [] });

  process.stdout.write(
    `${SCENARIO}: ${ROUNDS} rounds × ${SECONDS} s per target, ${CONNECTIONS} connections, node ${process.version}, ${os.cpus().length} CPUs\n`,
  );
  for (const target of targets) await cannon(cannonOptions(target), 2); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const before = cpuMs(target.child.pid);
      const result = await cannon(cannonOptions(target), SECONDS);
      const after = cpuMs(target.child.pid);
      const n = Math.max(1, result.requests.total);
      target.runs.push({
        rps: result.requests.mean,
        user: ((after.user - before.user) * 1000) / n,
        system: ((after.system - before.system) * 1000) / n,
        failed: result.non2xx + result.errors + result.timeouts,
      });
    }
  }
  const bareRuns = targets[0].runs;
  process.stdout.write(
    'target          RPS med    max   ÷ bare med    max   CPU µs/req med (user + sys)   failed\n',
  );
  for (const target of targets) {
    const ratios = target.runs.map((run, i) => run.rps / bareRuns[i].rps);
    const cpu = target.runs.map((run) => run.user + run.system);
    process.stdout.write(
      `${target.label.padEnd(14)} ${fixed(median(target.runs.map((r) => r.rps)), 0).padStart(8)} ${fixed(Math.max(...target.runs.map((r) => r.rps)), 0).padStart(6)}   ${fixed(median(ratios), 3).padStart(10)} ${fixed(Math.max(...ratios), 3).padStart(6)}   ${fixed(median(cpu)).padStart(14)} (${fixed(median(target.runs.map((r) => r.user)))} + ${fixed(median(target.runs.map((r) => r.system)))})   ${target.runs.reduce((sum, r) => sum + r.failed, 0)}\n`,
    );
  }
} finally {
  for (const target of targets) target.child.kill('SIGTERM');
  await Promise.all(
    targets.map((t) =>
      t.child.exitCode === null ? new Promise((resolve) => t.child.once('exit', resolve)) : null,
    ),
  );
  await Promise.all(targets.filter((t) => t.dir).map((t) => rm(t.dir, { recursive: true, force: true })));
  await jwks.close();
}
