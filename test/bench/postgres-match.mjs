// Match latency of the Postgres adapter over one tenant with many sigils.
//
//   npm run build && node test/bench/postgres-match.mjs
//
// Starts a throwaway PostgreSQL (test/support/postgres-server.ts, so Debian's binaries must be there:
// scripts/ensure-test-services.sh), opens the built Postgres store (openStore) with migrations, seeds
// BENCH_MATCH_SIGILS sigils (default 100 000) in tenant `bench` plus a tenth as many in another tenant
// through `restore`, with resonance patterns made by the real DNA function from random data. Then it
// times BENCH_MATCH_QUERIES match calls (default 50; topN 10, threshold 0.5) end to end through the
// repository, once right after seeding and once after VACUUM ANALYZE (what autovacuum reaches on its
// own), and prints p50/p95/p99/max, the plan, and whether the first query equals rankMatches.
// Settings of the test server: fsync=off, otherwise Postgres defaults.
//
// Plain ESM on purpose, like run.mjs: it runs the built adapter (#storage resolves to dist/). Node 24
// strips the types of postgres-server.ts itself.

import { randomBytes } from 'node:crypto';
import os from 'node:os';

import pg from 'pg';
import { monotonicFactory } from 'ulid';

import { canonicalJson, rankMatches, resonancePattern } from '#sigil';
import { openStore } from '#storage';

import { startPostgres } from '../support/postgres-server.ts';

const SIGILS = Number(process.env.BENCH_MATCH_SIGILS ?? 100_000);
const QUERIES = Number(process.env.BENCH_MATCH_QUERIES ?? 50);
const TENANT = 'bench';
const ulid = monotonicFactory();

function record(tenantId) {
  // ~200 bytes of data, like the encode scenario of run.mjs.
  const data = {
    invoice: `INV-${randomBytes(6).toString('hex')}`,
    amount: Math.round(Math.random() * 1e6) / 100,
    customer: { id: randomBytes(8).toString('hex'), name: 'Bench Customer', country: 'PL' },
    lines: [{ sku: randomBytes(4).toString('hex'), qty: 2, price: 19.99 }],
    note: randomBytes(24).toString('base64'),
  };
  const state = {
    phi: 1.618033988749895,
    coherence: Math.round(Math.random() * 1e6) / 1e6,
    awareness: Math.round(Math.random() * 1e6) / 1e6,
  };
  return {
    id: `sigil_${ulid()}`,
    tenantId,
    kid: 'bench.k1',
    signature: randomBytes(32).toString('hex'),
    authHash: randomBytes(8).toString('hex'),
    dna: {
      digest: `sha256:${randomBytes(32).toString('hex')}`,
      resonancePattern: resonancePattern(canonicalJson(data), state),
    },
    data,
    consciousnessState: state,
    metadata: { source: 'bench', tags: ['bench'] },
    createdAt: new Date().toISOString(),
    createdBy: 'bench',
    expiresAt: null,
    revokedAt: null,
    revokedBy: null,
    revocationReason: null,
    version: 1,
  };
}

async function seed(repo, tenantId, count) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const outcome = await repo.restore(tenantId, record(tenantId));
      if (outcome !== 'inserted') throw new Error(`restore said ${outcome}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(repo, label, queries) {
  // Warm-up: the first query also faults the index into shared buffers.
  await repo.match(TENANT, queries[0]);
  const times = [];
  for (const query of queries) {
    const started = process.hrtime.bigint();
    await repo.match(TENANT, query);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const f = (x) => x.toFixed(1).padStart(6);
  console.log(
    `${label.padEnd(30)} p50 ${f(percentile(times, 50))} ms  p95 ${f(percentile(times, 95))} ms  ` +
      `p99 ${f(percentile(times, 99))} ms  max ${f(times[times.length - 1])} ms  (${times.length} queries)`,
  );
}

const server = await startPostgres();
try {
  const url = await server.createDatabase('bench');
  const { repository: repo } = await openStore({
    kind: 'postgres',
    url,
    poolSize: 16,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
    migrate: true,
  });
  try {
    console.log(
      `host: ${os.cpus().length} CPUs, Node ${process.version}; seeding ${SIGILS} + ${SIGILS / 10} sigils…`,
    );
    const started = Date.now();
    await seed(repo, TENANT, SIGILS);
    await seed(repo, 'other-tenant', SIGILS / 10);
    console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const queries = Array.from({ length: QUERIES }, () => ({
      pattern: record(TENANT).dna.resonancePattern,
      threshold: 0.5,
      topN: 10,
    }));

    const entries = [];
    for await (const entry of repo.patterns(TENANT)) entries.push(entry);
    const same =
      JSON.stringify(await repo.match(TENANT, queries[0])) ===
      JSON.stringify(rankMatches(entries, queries[0]));
    console.log(`first query equals rankMatches over ${entries.length} patterns: ${same}`);

    await measure(repo, 'match, right after seeding', queries);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query('VACUUM ANALYZE sigils');
      await measure(repo, 'match, after VACUUM ANALYZE', queries);
      // Both access paths the planner weighs, whichever it picks: forbid the sequential scan for
      // the repository's connections (a database default reaches new sessions only), then restore.
      await admin.query(`ALTER DATABASE bench SET enable_seqscan = off`);
      const { repository: forced } = await openStore({
        kind: 'postgres',
        url,
        poolSize: 1,
        connectTimeoutMs: 5_000,
        statementTimeoutMs: 30_000,
        migrate: false,
      });
      try {
        await measure(forced, 'match, index-only scan forced', queries);
      } finally {
        await forced.close();
        await admin.query(`ALTER DATABASE bench RESET enable_seqscan`);
      }
      // Bench only: the adapter's SQL builder, from dist, to EXPLAIN what the planner picks by default.
      const { matchQuery } =
        await import('../../dist/libs/storage/src/adapters/postgres/sigil-match.query.js');
      const { sql, parameters } = matchQuery(TENANT, queries[0]);
      await admin.query('SET jit = off');
      const sizes = await admin.query(
        `SELECT pg_size_pretty(pg_relation_size('sigils')) AS heap, ` +
          `pg_size_pretty(pg_relation_size('sigils_match_idx')) AS match_index`,
      );
      console.log(`sizes: heap ${sizes.rows[0].heap}, sigils_match_idx ${sizes.rows[0].match_index}`);
      const plan = await admin.query(`EXPLAIN (ANALYZE, COSTS OFF) ${sql}`, parameters);
      console.log(
        plan.rows
          .map((row) => row['QUERY PLAN'])
          .filter((line) => !/Filter|Sort Key/.test(line))
          .map((line) => (line.length > 150 ? `${line.slice(0, 150)}…` : line))
          .join('\n'),
      );
    } finally {
      await admin.end();
    }
  } finally {
    await repo.close();
  }
} finally {
  await server.destroy();
}
