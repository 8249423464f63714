import { DataSource } from 'typeorm';

import { SIGIL_MIGRATIONS } from './migrations/sigil.migrations.js';
import { SigilChangeEntity, SigilChangesPrunedEntity } from './sigil-change.entity.js';
import { SigilCountEntity } from './sigil-count.entity.js';
import { SigilIdempotencyEntity } from './sigil-idempotency.entity.js';
import { SigilEntity } from './sigil.entity.js';

/** The Postgres member of the storage config (AppConfig['storage'] with kind 'postgres'). */
export interface PostgresSigilRepositoryOptions {
  /** postgres://user:pass@host:5432/db; TLS as the URL says (sslmode, sslrootcert, …: pg reads them). */
  url: string;
  /** Connections per process (pool `max`). */
  poolSize: number;
  /** Bound on opening a connection and on waiting for a free one from the pool. */
  connectTimeoutMs: number;
  /** Server-side statement_timeout for every statement this adapter runs (migrations excepted). */
  statementTimeoutMs: number;
  /** Apply pending migrations while opening, under an advisory lock. */
  migrate: boolean;
  /**
   * How many sigils the in-process match indexes may hold across tenants (~230 B each) before the
   * least recently matched tenants' are dropped. 0 turns them off: every match is a SQL scan.
   * Default 1 000 000.
   */
  matchIndexMaxSigils?: number;
  /** How long the match change log keeps a change (default 5 min); see change-log.pruner.ts. */
  changeLogRetentionMs?: number;
}

export const MIGRATIONS_TABLE = 'sigil_migrations';

/**
 * A DataSource for the sigil schema. Never `synchronize`: the schema changes only through the committed
 * migrations (runMigrations), and schemaDrift proves the entities and the migrations agree.
 */
export function createSigilDataSource(options: Omit<PostgresSigilRepositoryOptions, 'migrate'>): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: [
      SigilEntity,
      SigilIdempotencyEntity,
      SigilCountEntity,
      SigilChangeEntity,
      SigilChangesPrunedEntity,
    ],
    migrations: SIGIL_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'all',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    applicationName: 'sigil-dna',
    // Passed straight to pg.Pool. Settings in the URL win over these (pg parses the URL last), which
    // is how TLS gets configured: `?sslmode=verify-full&sslrootcert=/path/ca.pem`.
    extra: {
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs,
      // A startup parameter: applies from the session's first statement, no extra round trip.
      statement_timeout: options.statementTimeoutMs,
      // Notices a peer that vanished without closing (host down, network cut) on idle connections.
      keepAlive: true,
      // JIT compiling costs 100 ms to 1 s per query (measured on the match scan, which it also made
      // slower); every query here is short or a tight scan, so it never pays off.
      onConnect: async (client: { query: (sql: string) => Promise<unknown> }) => {
        await client.query('SET jit = off');
      },
    },
  });
}
