import { ConfigError, parseOpsConfig } from '#config';
import { withStore } from '#storage';

/**
 * A one-shot child of the cluster primary: applies pending Postgres migrations (under the advisory
 * lock the service uses) and exits 0, or says why on stderr and exits 1. A child, so TypeORM and the
 * driver never stay resident in the primary.
 */
async function migrate(): Promise<void> {
  // The ops view of the same environment: no auth and no secrets, which migrating does not need.
  const config = parseOpsConfig(process.env);
  if (config.storage.kind !== 'postgres') return;
  await withStore({ ...config.storage, migrate: true }, async () => undefined);
}

migrate().then(
  () => process.exit(0),
  (error: unknown) => {
    const reason = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`sigil-dna: migrations failed: ${reason}\n`);
    process.exit(1);
  },
);
