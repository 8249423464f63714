// Capacity and match-at-scale table: runs match.mjs for each store at each size and prints, per
// run, the match latencies and the service's RSS and the store's disk bytes against the runbook's
// planning numbers (~100 MB base + 1 KB per sigil of RSS, 1 KB of disk per sigil).
//
//   npm run build && npx node test/bench/capacity.mjs
//
// CAPACITY_SIZES (default "100000,1000000") and CAPACITY_STORES (default "leveldb,postgres") pick
// the runs; every other MATCH_* variable is passed through to match.mjs. Postgres runs start a
// throwaway server unless DATABASE_URL is set. Writes bench-results/capacity-<timestamp>.json.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MATCH = path.join(import.meta.dirname, 'match.mjs');
const RUNBOOK = { baseRssMiB: 100, rssBytesPerSigil: 1024, diskBytesPerSigil: 1024 };

const list = (name, fallback) => (process.env[name]?.trim() || fallback).split(',').map((s) => s.trim());
const sizes = list('CAPACITY_SIZES', '100000,1000000').map(Number);
const stores = list('CAPACITY_STORES', 'leveldb,postgres');
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('CAPACITY_SIZES: whole numbers');

function runMatch(store, sigils, resultFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MATCH], {
      env: {
        ...process.env,
        MATCH_STORE: store,
        MATCH_SIGILS: String(sigils),
        MATCH_RESULT_FILE: resultFile,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`match.mjs ${store} ${sigils}: exit ${code}`)),
    );
  });
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'sigil-capacity-'));
const results = [];
try {
  for (const store of stores) {
    for (const sigils of sizes) {
      const file = path.join(tmp, `${store}-${sigils}.json`);
      await runMatch(store, sigils, file);
      results.push(JSON.parse(await readFile(file, 'utf8')));
    }
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
console.log(
  `\n=== match at scale (${results[0]?.machine.cpus} cores, ${results[0]?.machine.cpuModel}, node ${process.version}) ===`,
);
console.log(
  'store     sigils    distinct  first ms  seq p50/p95/p99 ms       10 clients p50/p95/p99 ms   heap B/sigil',
);
for (const r of results) {
  const s = r.sequential.latencyMs;
  const c = r.concurrent.latencyMs;
  const heap = Math.round(
    ((r.serviceMemory.afterFirstMatch.heapUsedMiB - r.serviceMemory.beforeFirstMatch.heapUsedMiB) * 2 ** 20) /
      r.seeding.sigils,
  );
  console.log(
    `${r.config.store.padEnd(9)} ${String(r.seeding.sigils).padStart(7)}  ${String(r.seeding.distinctPatterns).padStart(8)}  ${String(Math.round(r.firstMatchMs)).padStart(8)}  ` +
      `${`${s.p50} / ${s.p95} / ${s.p99}`.padEnd(24)} ${`${c.p50} / ${c.p95} / ${c.p99}`.padEnd(27)} ${String(heap).padStart(12)}`,
  );
}
console.log('\n=== capacity (runbook plan: ~100 MB + 1 KB per sigil of RSS, 1 KB per sigil of disk) ===');
console.log(
  'store     sigils    RSS idle MiB  RSS matched MiB  plan MiB   disk MiB  disk B/sigil  plan disk MiB',
);
for (const r of results) {
  const n = r.seeding.sigils;
  const plan = RUNBOOK.baseRssMiB + (n * RUNBOOK.rssBytesPerSigil) / 2 ** 20;
  console.log(
    `${r.config.store.padEnd(9)} ${String(n).padStart(7)}  ${String(r.serviceMemory.beforeFirstMatch.rssMiB).padStart(12)}  ` +
      `${String(r.serviceMemory.atEnd.rssMiB).padStart(15)}  ${plan.toFixed(0).padStart(8)}  ${mib(r.diskBytes).padStart(9)}  ` +
      `${String(Math.round(r.diskBytes / n)).padStart(12)}  ${mib(n * RUNBOOK.diskBytesPerSigil).padStart(13)}`,
  );
}
await mkdir(path.join(ROOT, 'bench-results'), { recursive: true });
const out = path.join(
  ROOT,
  'bench-results',
  `capacity-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
);
await writeFile(out, `${JSON.stringify({ runbook: RUNBOOK, results }, null, 2)}\n`);
console.log(`\nresults: ${path.relative(process.cwd(), out)}`);
