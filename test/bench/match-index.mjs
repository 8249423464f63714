// The match index on its own, in one process: CPU time per query of the built PatternIndex (and,
// with MATCH_INDEX_BASELINE, of another build of it, alternating query by query), over the same
// realistic data set and query mix as match.mjs, every result checked.
//
//   npm run build && npx node --expose-gc test/bench/match-index.mjs
//
// What it does (run `npm run build` first; it uses dist/):
//   1. mints MATCH_INDEX_SIGILS resonance patterns (default 1 000 000) with the built
//      `resonancePattern(canonicalJson(data), state)` from match-data.mjs's realistic inputs (the
//      same seed as match.mjs, so the same patterns), ids `sigil_<monotonic ULID>`;
//   2. loads them into each index (`put` in id order, then `trim`, as both stores' builds do) and
//      times that, then the first `rank` (which computes what the index derives from its rows),
//      and the heap the index holds after GC (run with --expose-gc) and its typed-array bytes;
//   3. runs MATCH_INDEX_WARMUP untimed queries, then MATCH_INDEX_QUERIES timed ones of match.mjs's
//      mix (topN 10, threshold 0.5: 40 % near a stored pattern, 30 % by sigilId, i.e. the stored
//      pattern with that sigil excluded, 30 % random), each index in turn, the order alternating;
//      per query the CPU time (process.cpuUsage) and wall time;
//   4. checks every result of the two indexes is identical (ids, similarity bits, order), and the
//      first MATCH_INDEX_REFERENCE queries against the reference `rankMatches` over all entries
//      (a full sort per query: about a second each at 1M);
//   5. prints CPU p50/p95/p99 per query kind and per index, and writes
//      bench-results/match-index-<timestamp>.json.
//
// MATCH_INDEX_BASELINE: a directory holding another build's pattern.index.js (and its
// principal-axes.js), e.g. one copied from an older checkout's
// dist/libs/storage/src/adapters/shared/ into bench-results/ (it must sit below this repository so
// its `#sigil` import resolves). Any mismatch exits 1.

import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { monotonicFactory } from 'ulid';
import { queryMaker, realisticInputs } from './match-data.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SIGIL_INDEX = path.join(ROOT, 'dist/libs/sigil/src/index.js');
const BUILT_INDEX = path.join(ROOT, 'dist/libs/storage/src/adapters/shared/pattern.index.js');
const RESULTS_DIR = path.join(ROOT, 'bench-results');

function envInt(name, fallback) {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

const config = {
  sigils: envInt('MATCH_INDEX_SIGILS', 1_000_000),
  queries: envInt('MATCH_INDEX_QUERIES', 300),
  warmup: envInt('MATCH_INDEX_WARMUP', 30),
  reference: envInt('MATCH_INDEX_REFERENCE', 12),
  baseline: process.env.MATCH_INDEX_BASELINE?.trim() || undefined,
};

const log = (message) => process.stdout.write(`${message}\n`);
const load = async (file) => import(pathToFileURL(file).href);
const gc = () => globalThis.gc?.();
/** V8 heap plus ArrayBuffer memory (large typed arrays live outside the heap), after GC. */
const heapUsed = () => {
  gc();
  gc();
  const { heapUsed: heap, arrayBuffers } = process.memoryUsage();
  return heap + arrayBuffers;
};
/** A fresh copy of a string, as a store's decoder hands the index its own id strings. */
const copied = (s) => Buffer.from(s, 'latin1').toString('latin1');

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function stats(values) {
  const sorted = Float64Array.from(values).sort();
  const r = (x) => (x === null ? null : Number(x.toFixed(3)));
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted.at(-1) ?? null),
  };
}

/** Identical answers: same ids, same similarity bits, same order. */
function sameHits(a, b) {
  return (
    a.length === b.length && a.every((h, i) => h.id === b[i].id && Object.is(h.similarity, b[i].similarity))
  );
}

/** The data set: ids in mint order, one pattern array per distinct pattern (shared by its sigils). */
function mintPatterns(sigil, count) {
  const ulid = monotonicFactory();
  const next = realisticInputs(14);
  const shared = new Map();
  const entries = [];
  const samples = [];
  for (let n = 0; n < count; n++) {
    const { data, consciousnessState } = next(n);
    const state = sigil.withConsciousnessDefaults(consciousnessState ?? undefined);
    const fresh = sigil.resonancePattern(sigil.canonicalJson(data), state);
    const key = fresh.join(',');
    const pattern = shared.get(key) ?? fresh;
    shared.set(key, pattern);
    const id = `sigil_${ulid()}`;
    entries.push({ id, resonancePattern: pattern, revoked: false });
    if (n % 97 === 0) samples.push({ id, pattern });
  }
  return { entries, samples, distinct: shared.size };
}

/** Loads every entry as the stores' builds do, then the first rank; times and memory of both. */
function buildIndex(name, PatternIndex, entries, firstQuery) {
  const before = heapUsed();
  const started = performance.now();
  const index = new PatternIndex();
  for (const e of entries) index.put(copied(e.id), e.resonancePattern, e.revoked);
  index.trim();
  const loadMs = performance.now() - started;
  const firstStarted = performance.now();
  const firstCpu = process.cpuUsage();
  index.rank(firstQuery);
  const firstRankMs = performance.now() - firstStarted;
  const { user, system } = process.cpuUsage(firstCpu);
  const heapBytes = heapUsed() - before;
  const built = {
    name,
    loadMs: Math.round(loadMs),
    firstRankMs: Math.round(firstRankMs),
    firstRankCpuMs: Math.round((user + system) / 1000),
    distinct: index.distinct,
    arrayBytesPerSigil: Math.round(index.arrayBytes / entries.length),
    heapBytesPerSigil: globalThis.gc ? Math.round(heapBytes / entries.length) : null,
  };
  log(
    `  ${name}: load ${built.loadMs} ms, first rank ${built.firstRankMs} ms (CPU ${built.firstRankCpuMs} ms), ` +
      `${built.heapBytesPerSigil ?? '?'} B/sigil after GC (${built.arrayBytesPerSigil} B of it typed arrays)`,
  );
  return { index, built };
}

/** A match.mjs query as the repository sees it (by sigilId: the stored pattern, that sigil excluded). */
function repositoryQuery(query, patternsById) {
  const { body } = query;
  const pattern = body.sigilId === undefined ? body.dnaPattern : patternsById.get(body.sigilId);
  return {
    pattern,
    threshold: body.threshold,
    topN: body.topN,
    ...(body.sigilId === undefined ? {} : { excludeId: body.sigilId }),
  };
}

function timed(index, query) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const hits = index.rank(query);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { hits, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

async function main() {
  const sigil = await load(SIGIL_INDEX).catch((error) => {
    throw new Error(`cannot load dist/ (run \`npm run build\` first): ${error.message}`);
  });
  const variants = [{ name: 'built', file: BUILT_INDEX }];
  if (config.baseline) {
    variants.unshift({ name: 'baseline', file: path.resolve(config.baseline, 'pattern.index.js') });
  }
  for (const v of variants) v.PatternIndex = (await load(v.file)).PatternIndex;

  log(
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  log(`minting ${config.sigils} realistic patterns…`);
  const { entries, samples, distinct } = mintPatterns(sigil, config.sigils);
  const patternsById = new Map(samples.map((s) => [s.id, s.pattern]));
  log(`  ${distinct} distinct patterns`);
  const nextQuery = queryMaker(samples, 20261201);

  log('building…');
  for (const v of variants) {
    const first = repositoryQuery(nextQuery(), patternsById);
    Object.assign(v, buildIndex(v.name, v.PatternIndex, entries, first));
  }

  for (let i = 0; i < config.warmup; i++) {
    const query = repositoryQuery(nextQuery(), patternsById);
    for (const v of variants) v.index.rank(query);
  }

  log(`timing ${config.queries} queries…`);
  const samplesByVariant = Object.fromEntries(
    variants.map((v) => [v.name, { all: [], wall: [], kinds: {} }]),
  );
  const mismatches = [];
  let referenceChecked = 0;
  for (let q = 0; q < config.queries; q++) {
    const made = nextQuery();
    const query = repositoryQuery(made, patternsById);
    const order = q % 2 === 0 ? variants : [...variants].reverse();
    const results = new Map();
    for (const v of order) {
      const r = timed(v.index, query);
      results.set(v.name, r.hits);
      const s = samplesByVariant[v.name];
      s.all.push(r.cpuMs);
      s.wall.push(r.wallMs);
      (s.kinds[made.kind] ??= []).push(r.cpuMs);
    }
    const [first, ...rest] = variants.map((v) => results.get(v.name));
    if (rest.some((hits) => !sameHits(first, hits))) mismatches.push({ q, kind: made.kind, query });
    if (referenceChecked < config.reference) {
      referenceChecked++;
      if (!sameHits(first, sigil.rankMatches(entries, query))) {
        mismatches.push({ q, kind: made.kind, query, against: 'rankMatches' });
      }
    }
  }

  const report = {
    startedAt: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      loadavg: os.loadavg(),
    },
    config,
    distinct,
    variants: variants.map((v) => {
      const s = samplesByVariant[v.name];
      return {
        ...v.built,
        cpuMs: stats(s.all),
        wallMs: stats(s.wall),
        cpuMsByKind: Object.fromEntries(Object.entries(s.kinds).map(([k, ms]) => [k, stats(ms)])),
      };
    }),
    referenceChecked,
    mismatches: mismatches.length,
  };

  log(
    `\nCPU ms per query (${config.queries} queries, ${referenceChecked} also checked against rankMatches):`,
  );
  log('index       kind      n     p50      p95      p99      max');
  for (const v of report.variants) {
    for (const [kind, s] of [['all', v.cpuMs], ...Object.entries(v.cpuMsByKind).sort()]) {
      log(
        `${v.name.padEnd(10)}  ${kind.padEnd(8)} ${String(s.n).padStart(4)} ${[s.p50, s.p95, s.p99, s.max].map((x) => x.toFixed(2).padStart(8)).join(' ')}`,
      );
    }
  }
  log(
    `load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `match-index-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`results: ${path.relative(process.cwd(), file)}`);
  if (mismatches.length > 0) {
    log(`\n${mismatches.length} MISMATCHES, first: ${JSON.stringify(mismatches[0])}`);
    process.exitCode = 1;
  } else log('every result identical');
}

await main();
