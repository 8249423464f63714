// The match benchmark on Postgres: match.mjs with MATCH_STORE=postgres (a throwaway server from
// test/support/postgres-server.ts unless DATABASE_URL is set), realistic sigils, the full HTTP
// stack. Kept under its old name so existing instructions still work.
//
//   npm run build && npx node test/bench/postgres-match.mjs

process.env.MATCH_STORE = 'postgres';
await import('./match.mjs');
