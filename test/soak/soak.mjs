// Sigil-DNA under a constant open-loop rate (vegeta), in two modes. Run through scripts/soak.sh,
// which installs the pinned vegeta and builds dist/ first:
//
//   soak (npm run test:soak)   a constant MIXED rate (encode, verify, decode, list, match) for
//                              --duration; fails (exit 1) on any unexpected answer, a p99 over
//                              --p99-budget, RSS growing past its bound after warm-up, a rate vegeta
//                              could not hold, an error line in the service's log, or an unclean exit.
//   rate (npm run bench:rate)  the open-loop latency benchmark: each of --scenarios (verify, encode)
//                              alone at --rate for --duration; p50/p95/p99 against the 25 ms goal.
//                              A missed goal is a finding (exit 0); a wrong answer fails it.
//
// The service is the built app in its default production configuration (service.mjs). Everything
// listens on and sends to 127.0.0.1. The JSON report goes to bench-results/, a summary to stdout.
// Plain ESM on purpose, like test/bench/: it runs the build and needs no compile step of its own.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkTable, latencyTable, windowTable } from './report.mjs';
import { makeUsers, sampleRss, startBare, startService } from './service.mjs';
import { leakCheck, Recorder, transportErrors } from './stats.mjs';
import { attack } from './vegeta.mjs';
import { DEFAULT_MIX, parseMix, random, seed, SIGILS, writeBareTargets, writeTargets } from './workload.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RESULTS_DIR = path.join(ROOT, 'bench-results');
/** The service's default rate-limit window (SIGIL_RATE_WINDOW), which the per-user limit is sized to. */
const RATE_WINDOW_S = 10;

const USAGE = `usage: scripts/soak.sh [soak|rate] [options]   (npm run test:soak / npm run bench:rate)

  --duration D      soak: the whole load, warm-up included (default 3m); rate: each scenario after
                    its warm-up (default 30s). 90, 90s, 5m, 2h
  --rate N          requests per second, all kinds together (soak default 300, rate default 1000)
  --warmup D        load before the measured run, checked for errors but not timed (soak 30s, rate 5s)
  --mix K=P,…       soak: percent per kind (default ${Object.entries(DEFAULT_MIX)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')})
  --scenarios L     rate: which kinds, one after the other (default verify,encode)
  --p99-budget MS   soak: fail when the warm p99 of all requests is over this (default 25)
  --rss-base MIB    soak: how far the last third's RSS peak may pass the earlier peak, besides the
                    per-sigil share (default 32)
  --rss-per-sigil B soak: RSS allowed per sigil minted in the last third (default 512)
  --rss-every D     how often RSS is sampled under load (default 5s)
  --window D        length of a line in the time series (default: the run in about 20 lines, ≥ 10s)
  --users N         principals the load is spread over (default 8), in --tenants N tenants (default 2)
  --seed N          sigils minted per tenant before the attack, for verify/decode/match (default 300)
  --keep-tmp        keep the temp folder (LevelDB) after a passing run
  --vegeta PATH     the vegeta binary (scripts/soak.sh passes the pinned one)`;

/** "90", "90s", "5m", "2h" → seconds. */
function seconds(text, name) {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(String(text).trim());
  if (!m) throw new UsageError(`--${name}: "${text}" is not a duration like 90s, 5m or 2h`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] ?? 's'];
}

function positive(text, name) {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name}: "${text}" is not a positive number`);
  return n;
}

class UsageError extends Error {}

/** Runs a parser, reporting what it throws as a usage error. */
function usage(parse) {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error.message);
  }
}

function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string', default: 'soak' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      warmup: { type: 'string' },
      mix: { type: 'string' },
      scenarios: { type: 'string', default: 'verify,encode' },
      'p99-budget': { type: 'string', default: '25' },
      'rss-base': { type: 'string', default: '32' },
      'rss-per-sigil': { type: 'string', default: '512' },
      'rss-every': { type: 'string', default: '5s' },
      window: { type: 'string' },
      users: { type: 'string', default: '8' },
      tenants: { type: 'string', default: '2' },
      seed: { type: 'string', default: '300' },
      'keep-tmp': { type: 'boolean', default: false },
      vegeta: { type: 'string', default: 'vegeta' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const soak = values.mode === 'soak';
  if (!soak && values.mode !== 'rate')
    throw new UsageError(`--mode: "${values.mode}" is neither soak nor rate`);
  const durationS = seconds(values.duration ?? (soak ? '3m' : '30s'), 'duration');
  const warmupS = seconds(values.warmup ?? (soak ? '30s' : '5s'), 'warmup');
  if (warmupS >= durationS) throw new UsageError('--warmup must be shorter than --duration');
  const scenarios = values.scenarios.split(',').map((s) => s.trim());
  for (const s of scenarios)
    if (!(s in DEFAULT_MIX)) throw new UsageError(`--scenarios: unknown kind "${s}"`);
  const users = Math.floor(positive(values.users, 'users'));
  const tenants = Math.floor(positive(values.tenants, 'tenants'));
  if (tenants > users) throw new UsageError('--tenants cannot exceed --users');
  return {
    mode: values.mode,
    durationS,
    warmupS,
    rate: Math.floor(positive(values.rate ?? (soak ? '300' : '1000'), 'rate')),
    mix: values.mix ? usage(() => parseMix(values.mix)) : DEFAULT_MIX,
    scenarios,
    p99BudgetMs: positive(values['p99-budget'], 'p99-budget'),
    rssBaseBytes: positive(values['rss-base'], 'rss-base') * 2 ** 20,
    rssPerSigilBytes: positive(values['rss-per-sigil'], 'rss-per-sigil'),
    rssEveryS: seconds(values['rss-every'], 'rss-every'),
    windowS: values.window
      ? seconds(values.window, 'window')
      : Math.max(10, Math.ceil(durationS / 20 / 10) * 10),
    users,
    tenants,
    seedPerTenant: Math.floor(positive(values.seed, 'seed')),
    keepTmp: values['keep-tmp'],
    vegeta: values.vegeta,
  };
}

const log = (message = '') => process.stdout.write(`${message}\n`);

/** The per-user limit: twice each user's share of a window, so no 429 is expected but the limiter runs. */
const perUserLimit = (o) => Math.ceil((2 * o.rate * RATE_WINDOW_S) / o.users);

/** Proves the limiter is on with the limit set, before any load: the headers of one answer. */
async function checkRateLimitHeaders(service, user, expected) {
  const res = await fetch(`${service.url}${SIGILS}?limit=1`, {
    headers: { authorization: `Bearer ${user.token}` },
    signal: AbortSignal.timeout(10_000),
  });
  await res.text();
  const limit = res.headers.get('x-ratelimit-limit');
  if (res.status !== 200 || limit !== String(expected)) {
    throw new Error(
      `pre-flight: expected 200 with X-RateLimit-Limit ${expected}, got ${res.status} with ${limit}`,
    );
  }
}

/** One attack at the options' rate over `mix`, with RSS sampled throughout. */
async function measure(o, ctx, { name, mix, durationS, windowS = durationS, bare = null }) {
  const targetsFile = path.join(ctx.dir, `${name.replace(/\W+/g, '-')}.targets.jsonl`);
  // Long enough that vegeta's loop over the file repeats a request rarely; short enough to load fast.
  const count = Math.min(20_000, Math.ceil(o.rate * durationS));
  const { url } = ctx.service;
  if (bare) await writeBareTargets(targetsFile, { url: bare.url, count, rnd: ctx.rnd });
  else
    await writeTargets(targetsFile, { url, users: ctx.users, seeded: ctx.seeded, mix, count, rnd: ctx.rnd });
  const recorder = new Recorder({ windowS });
  const rss = sampleRss(ctx.service.pid, o.rssEveryS * 1000);
  log(`\n▶ ${name}: ${o.rate} RPS for ${durationS} s${bare ? '' : `, mix ${JSON.stringify(mix)}`}`);
  const run = attack(o.vegeta, { targetsFile, rate: o.rate, durationS }, (r) => recorder.add(r));
  ctx.stopAttack = run.stop;
  try {
    await run.done;
  } finally {
    ctx.stopAttack = null;
  }
  if (ctx.interrupted) throw new Error(`interrupted by ${ctx.interrupted}`);
  if (!ctx.service.alive()) throw new Error(`the service died during ${name}`);
  const samples = await rss.stop();
  // Past capacity the service still owes a backlog: let it finish before the next attack starts.
  await ctx.service.drained();
  return { summary: recorder.summary(durationS), samples };
}

/** RSS by window, for the time series. */
function withRss(windows, samples, windowS) {
  return windows.map((w) => {
    const inside = samples.filter((s) => s.t >= w.fromS && s.t < w.fromS + windowS);
    const rss = inside.length ? inside[inside.length - 1].rss : null;
    return { ...w, rssMiB: rss === null ? null : Number((rss / 2 ** 20).toFixed(1)) };
  });
}

async function runSoak(o, ctx) {
  const warmup = await measure(o, ctx, { name: 'warm-up', mix: o.mix, durationS: o.warmupS });
  const soakS = o.durationS - o.warmupS;
  const main = await measure(o, ctx, { name: 'soak', mix: o.mix, durationS: soakS, windowS: o.windowS });
  const leak = leakCheck(main.samples, {
    baseBytes: o.rssBaseBytes,
    perSigilBytes: o.rssPerSigilBytes,
    mintedPerS: main.summary.minted / soakS,
  });
  const failures = warmup.summary.failures + main.summary.failures;
  const sent = warmup.summary.overall.count + main.summary.overall.count;
  const expected = Math.floor(o.rate * o.durationS);
  const p99 = main.summary.overall.p99Ms;
  const checks = [
    {
      check: 'unexpected answers (all kinds, warm-up included)',
      goal: '0',
      actual: failures,
      pass: failures === 0,
    },
    {
      check: 'p99, all requests after warm-up',
      goal: `< ${o.p99BudgetMs} ms`,
      actual: `${p99} ms`,
      pass: p99 !== null && p99 < o.p99BudgetMs,
    },
    {
      check: 'RSS high-water growth in the last third (leak check)',
      goal: `≤ ${leak.boundMiB ?? '?'} MiB`,
      actual: `${leak.growthMiB ?? leak.reason} MiB`,
      pass: leak.pass,
    },
    // An open loop only means something if vegeta kept the rate: 2 % slack for its start and stop.
    {
      check: 'requests sent (vegeta held the rate)',
      goal: `≥ ${Math.floor(expected * 0.98)}`,
      actual: sent,
      pass: sent >= expected * 0.98,
    },
  ];
  return {
    warmup: { ...warmup.summary, windows: undefined },
    summary: main.summary,
    failureSamples: [...warmup.summary.failureSamples, ...main.summary.failureSamples],
    leak,
    checks,
    windows: withRss(main.summary.windows, main.samples, o.windowS),
    rssSamples: main.samples,
  };
}

async function runRate(o, ctx) {
  const scenarios = {};
  const checks = [];
  const failureSamples = [];
  // The bare node:http floor first, at the same rate: what the machine adds on its own this run.
  const bare = await startBare();
  try {
    await measure(o, ctx, { name: 'bare warm-up', durationS: o.warmupS, bare });
    const { summary } = await measure(o, ctx, { name: 'bare', durationS: o.durationS, bare });
    scenarios.bare = { ...summary, windows: undefined };
    checks.push({
      check: 'bare: unexpected answers',
      goal: '0',
      actual: summary.failures,
      pass: summary.failures === 0,
    });
  } finally {
    await bare.stop();
  }
  for (const kind of o.scenarios) {
    const mix = Object.fromEntries(Object.keys(DEFAULT_MIX).map((k) => [k, k === kind ? 100 : 0]));
    const warmup = await measure(o, ctx, { name: `${kind} warm-up`, mix, durationS: o.warmupS });
    const { summary, samples } = await measure(o, ctx, { name: kind, mix, durationS: o.durationS });
    const failures = warmup.summary.failures + summary.failures;
    failureSamples.push(...warmup.summary.failureSamples, ...summary.failureSamples);
    const peakRssMiB = Number((Math.max(...samples.map((s) => s.rss)) / 2 ** 20).toFixed(1));
    scenarios[kind] = { ...summary, windows: undefined, failures, peakRssMiB };
    // Past what the machine can serve, an open loop queues until requests time out: a finding about
    // capacity, like a missed goal. A wrong answer (a 4xx, a 5xx, valid:false) fails the run.
    const timedOut =
      transportErrors(warmup.summary.overall.statuses) + transportErrors(summary.overall.statuses);
    checks.push(
      {
        check: `${kind}: wrong answers`,
        goal: '0',
        actual: failures - timedOut,
        pass: failures === timedOut,
      },
      {
        check: `${kind}: no answer (timeout, reset)`,
        goal: '0',
        actual: timedOut,
        pass: timedOut === 0,
        blocking: false,
      },
      {
        check: `${kind}: p99 at ${o.rate} RPS`,
        goal: '< 25 ms (issue 14, at 1,000 RPS)',
        actual: `${summary.overall.p99Ms} ms`,
        pass: summary.overall.p99Ms !== null && summary.overall.p99Ms < 25,
        blocking: false,
      },
    );
  }
  return { scenarios, checks, failureSamples };
}

function printSoak(o, result) {
  const soakS = o.durationS - o.warmupS;
  log(`\n=== soak: ${o.rate} RPS mixed for ${soakS} s after a ${o.warmupS} s warm-up ===`);
  log(latencyTable({ ...result.summary.kinds, all: result.summary.overall }));
  const w = result.warmup;
  log(
    `\nwarm-up (${o.warmupS} s, not timed): ${w.overall.count} requests, ${w.failures} unexpected, p99 ${w.overall.p99Ms} ms`,
  );
  log(`\ntime series (${o.windowS} s windows; RSS is the window's last sample):`);
  log(windowTable(result.windows));
  const l = result.leak;
  if (l.samples) {
    log(
      `\nRSS high-water: ${l.peakBefore.mib} MiB (at ${l.peakBefore.t} s) before the last third, ${l.peakLastThird.mib} MiB (at ${l.peakLastThird.t} s) in it: ` +
        `growth ${l.growthMiB} MiB, bound ${l.bound} = ${l.boundMiB} MiB; range ${l.rangeMiB.min}–${l.rangeMiB.max} MiB`,
    );
  }
}

function printRate(o, result) {
  log(
    `\n=== open-loop rate: ${o.rate} RPS, ${o.durationS} s per scenario after a ${o.warmupS} s warm-up ===`,
  );
  const rows = Object.fromEntries(
    Object.entries(result.scenarios).map(([k, s]) => [k, { ...s.overall, failures: s.failures }]),
  );
  log(latencyTable(rows));
  const floor = result.scenarios.bare?.overall.p99Ms;
  for (const [k, s] of Object.entries(result.scenarios)) {
    if (k === 'bare') continue;
    const ratio = floor ? ` (${(s.overall.p99Ms / floor).toFixed(1)}× the bare server's)` : '';
    log(
      `${k}: p99 ${s.overall.p99Ms} ms${ratio}, statuses ${JSON.stringify(s.overall.statuses)}, peak RSS ${s.peakRssMiB} MiB`,
    );
  }
}

async function main() {
  let o;
  const ctx = { dir: '', service: null, stopAttack: null, interrupted: null };
  let failed = false;
  const startedAt = new Date();
  const interrupt = (signal) => {
    ctx.interrupted = signal;
    ctx.stopAttack?.();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    o = readOptions(process.argv.slice(2));
    ctx.dir = await mkdtemp(path.join(os.tmpdir(), `sigil-${o.mode}-`));
    const limit = perUserLimit(o);
    log(
      `temp dir ${ctx.dir}; node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    ctx.service = await startService(ctx.dir, { rateLimit: limit });
    log(
      `service pid ${ctx.service.pid} on ${ctx.service.url}: production, JWKS ${ctx.service.jwks.url}, LevelDB fsync on, info logging, ${limit} requests per user per ${RATE_WINDOW_S} s`,
    );
    const ttlS = Math.ceil(o.durationS * (o.mode === 'rate' ? o.scenarios.length : 1) + 3600);
    const { users, seeders } = makeUsers(ctx.service.jwks, { count: o.users, tenants: o.tenants, ttlS });
    ctx.users = users;
    await checkRateLimitHeaders(ctx.service, seeders[0], limit);
    ctx.rnd = random(14);
    ctx.seeded = await seed(ctx.service.url, seeders, o.seedPerTenant, ctx.rnd);
    log(`seeded ${o.seedPerTenant} sigils in each of ${o.tenants} tenants; ${o.users} users`);

    const result = o.mode === 'soak' ? await runSoak(o, ctx) : await runRate(o, ctx);
    const alive = ctx.service.alive();
    const exit = await ctx.service.stop();
    const serviceLog = ctx.service.log.summary();
    result.checks.push(
      {
        check: 'service error/fatal log lines',
        goal: '0',
        actual: serviceLog.errorOrFatal,
        pass: serviceLog.errorOrFatal === 0,
      },
      {
        check: 'service alive at the end, exit 0 on SIGTERM',
        goal: 'yes',
        actual: alive ? `exit ${exit.code ?? exit.signal}` : 'crashed',
        pass: alive && exit.code === 0,
      },
    );
    if (o.mode === 'soak') printSoak(o, result);
    else printRate(o, result);
    log(`\nservice log: ${serviceLog.lines} lines, by level ${JSON.stringify(serviceLog.byLevel)}`);
    for (const line of serviceLog.warnings) log(`  ${line}`);
    for (const f of result.failureSamples) log(`  unexpected: ${JSON.stringify(f)}`);
    log(`\n${checkTable(result.checks)}`);

    const report = {
      mode: o.mode,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        loadavgAtEnd: os.loadavg(),
      },
      options: { ...o, vegeta: path.basename(o.vegeta), rateLimitPerUser: limit, rateWindowS: RATE_WINDOW_S },
      service: { env: ctx.service.env, exit, log: serviceLog },
      ...result,
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${o.mode}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`\nreport: ${path.relative(process.cwd(), file)}`);
    failed = result.checks.some((c) => !c.pass && c.blocking !== false);
    log(failed ? `\n${o.mode} FAILED` : `\n${o.mode} passed`);
  } catch (error) {
    failed = true;
    process.stderr.write(
      `\n${o?.mode ?? 'soak'} FAILED: ${error instanceof UsageError ? `${error.message}\n\n${USAGE}` : (error?.stack ?? String(error))}\n`,
    );
  } finally {
    if (ctx.service) {
      // A no-op when it was stopped above; after a failure, the end of its log helps.
      const exit = await ctx.service.stop().catch((e) => String(e));
      if (failed)
        process.stderr.write(
          `service: ${JSON.stringify(exit)}; last log lines:\n${ctx.service.log.tail.join('\n')}\n`,
        );
    }
    if (ctx.dir) {
      if (failed || o?.keepTmp) process.stderr.write(`temp dir kept: ${ctx.dir}\n`);
      else await rm(ctx.dir, { recursive: true, force: true });
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
