// Counting what vegeta reports, in bounded memory whatever the duration: latencies go into
// log-scale histograms (1 % wide buckets, so a percentile is exact to within 1 %, rounded up),
// answers are checked against what their kind must answer, and a time series of windows keeps the
// shape of the run (a soak that degrades shows it in the late windows, not in the overall p99).
import { EXPECT, kindOf } from './workload.mjs';

const MIN_MS = 0.01;
const STEP = Math.log(1.01);
const BUCKETS = Math.ceil(Math.log(60_000 / MIN_MS) / STEP) + 1;

/** A latency histogram: 1 % buckets from 10 µs to 60 s, plus the exact count, sum and max. */
export class Histogram {
  counts = new Uint32Array(BUCKETS);
  n = 0;
  sum = 0;
  max = 0;

  add(ms) {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / STEP));
    this.counts[i]++;
    this.n++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** Nearest-rank percentile, as its bucket's upper edge (never below the true value), capped at max. */
  percentile(p) {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, MIN_MS * Math.exp(i * STEP));
    }
    return this.max;
  }

  summary() {
    const r = (x) => (x === null ? null : Number(x.toFixed(2)));
    return {
      count: this.n,
      meanMs: this.n ? r(this.sum / this.n) : null,
      p50Ms: r(this.percentile(50)),
      p95Ms: r(this.percentile(95)),
      p99Ms: r(this.percentile(99)),
      maxMs: r(this.max),
    };
  }
}

/** A transport error in a word or two: vegeta's messages carry the URL and the ports. */
function transportError(message) {
  if (/Client\.Timeout|deadline exceeded/.test(message)) return 'error: timeout';
  if (/connection reset/.test(message)) return 'error: connection reset';
  if (/connection refused/.test(message)) return 'error: connection refused';
  return `error: ${message.slice(-80)}`;
}

/** Answers that never came (timeouts, resets) among a tally's statuses. */
export const transportErrors = (statuses) =>
  Object.entries(statuses).reduce((n, [status, count]) => (status.startsWith('error:') ? n + count : n), 0);

/** One kind's tally: latencies, status codes and how many answers were wrong. */
class Tally {
  latency = new Histogram();
  statuses = {};
  failures = 0;

  summary(seconds) {
    return {
      ...this.latency.summary(),
      rps: seconds > 0 ? Number((this.latency.n / seconds).toFixed(1)) : null,
      statuses: this.statuses,
      failures: this.failures,
    };
  }
}

/** Everything measured in one attack: per kind, overall, and by window of `windowS` seconds. */
export class Recorder {
  constructor({ windowS }) {
    this.windowS = windowS;
    this.start = null;
    this.kinds = {};
    this.all = new Tally();
    this.windows = [];
    this.failureSamples = [];
    this.minted = 0;
  }

  /** One vegeta result (its JSON encoding). */
  add(result) {
    const at = Date.parse(result.timestamp) / 1000;
    this.start ??= at;
    const t = at - this.start;
    const kind = kindOf(result.method, result.url);
    const ms = result.latency / 1e6;
    const body = result.body ? Buffer.from(result.body, 'base64').toString('utf8') : '';
    const expected = EXPECT[kind];
    const ok = !result.error && result.code === expected.status && expected.body(body);
    // vegeta sets `error` for every status ≥ 400 too; a transport error is one with no status (code 0).
    const status = result.code ? String(result.code) : transportError(result.error);
    if (!ok && this.failureSamples.length < 10) {
      this.failureSamples.push({ t: Number(t.toFixed(2)), kind, status, body: body.slice(0, 300) });
    }
    if (ok && kind === 'encode') this.minted++;

    const w = Math.floor(t / this.windowS);
    const window = (this.windows[w] ??= {
      fromS: w * this.windowS,
      count: 0,
      failures: 0,
      latency: new Histogram(),
    });
    window.count++;
    window.latency.add(ms);
    if (!ok) window.failures++;
    for (const tally of [(this.kinds[kind] ??= new Tally()), this.all]) {
      tally.latency.add(ms);
      tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
      if (!ok) tally.failures++;
    }
  }

  summary(durationS) {
    return {
      overall: this.all.summary(durationS),
      kinds: Object.fromEntries(
        Object.entries(this.kinds).map(([k, tally]) => [k, tally.summary(durationS)]),
      ),
      failures: this.all.failures,
      minted: this.minted,
      failureSamples: this.failureSamples,
      windows: this.windows.filter(Boolean).map((w) => ({
        fromS: w.fromS,
        count: w.count,
        failures: w.failures,
        ...pick(w.latency.summary(), ['p50Ms', 'p99Ms', 'maxMs']),
      })),
    };
  }
}

const pick = (object, keys) => Object.fromEntries(keys.map((k) => [k, object[k]]));

const mib = (bytes) => Number((bytes / 2 ** 20).toFixed(1));

/**
 * The leak check, on RSS sampled under load after the warm-up. V8 grows its heap lazily and gives
 * memory back late: measured here at 400 RPS, RSS climbs for the first ~90 s to a plateau near
 * 500 MiB, or saws between ~270 and ~490 MiB when a full collection returns pages, so no two samples
 * are comparable, and a lowest sample is only a floor when a collection happened to fall before it.
 * A high-water mark is comparable: the highest RSS of the last third must not pass the highest RSS
 * before it by more than `baseBytes` (a late step of V8's heap limit, LevelDB's memtable and cache)
 * plus `perSigilBytes` for each sigil minted in the last third (the match index holds ~250 B per sigil
 * and doubles its arrays as it grows). A leak lifts every later peak; a steady heap does not. What it
 * can see is a leak that grows RSS past the bound within the last third: at 300 RPS for 150 s about
 * 2.5 KB per request, over 2 h at 1,000 RPS about 200 B; the longer the soak, the finer the check.
 */
export function leakCheck(samples, { baseBytes, perSigilBytes, mintedPerS }) {
  if (samples.length < 6) return { pass: false, reason: `only ${samples.length} RSS samples (need 6)` };
  const split = samples.length - Math.floor(samples.length / 3);
  const highest = (part) => part.reduce((high, s) => (s.rss > high.rss ? s : high));
  const before = highest(samples.slice(0, split));
  const last = highest(samples.slice(split));
  const minted = Math.round((samples[samples.length - 1].t - samples[split].t) * mintedPerS);
  const boundBytes = baseBytes + perSigilBytes * minted;
  const growthBytes = last.rss - before.rss;
  return {
    pass: growthBytes <= boundBytes,
    samples: samples.length,
    peakBefore: { t: Math.round(before.t), mib: mib(before.rss) },
    peakLastThird: { t: Math.round(last.t), mib: mib(last.rss) },
    growthMiB: mib(growthBytes),
    boundMiB: mib(boundBytes),
    bound: `${mib(baseBytes)} MiB + ${perSigilBytes} B × ${minted} sigils minted in the last third`,
    rangeMiB: {
      min: mib(Math.min(...samples.map((s) => s.rss))),
      max: mib(Math.max(...samples.map((s) => s.rss))),
    },
  };
}
