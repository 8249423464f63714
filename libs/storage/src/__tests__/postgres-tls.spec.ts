/** TLS comes from the URL alone (pg reads sslmode/sslrootcert from it); checked against a real TLS server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type PostgresServer, startPostgres } from '../../../../test/support/postgres-server.js';
import { createSigilDataSource } from '../adapters/postgres/postgres.data-source.js';
import { PostgresSigilRepository } from '../adapters/postgres/postgres-sigil.repository.js';

const OPTIONS = { poolSize: 2, connectTimeoutMs: 2_000, statementTimeoutMs: 5_000 };

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ tls: true });
});

afterAll(async () => {
  await server?.destroy();
});

/** Whether the adapter's own DataSource, built from this URL, talks TLS. */
async function encrypted(url: string): Promise<boolean> {
  const dataSource = createSigilDataSource({ url, ...OPTIONS });
  await dataSource.initialize();
  try {
    const [row] = await dataSource.query<{ ssl: boolean }[]>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return row.ssl;
  } finally {
    await dataSource.destroy();
  }
}

describe('PostgresSigilRepository over TLS', () => {
  it('encrypts and verifies as the URL says, and stays plain when it says nothing', async () => {
    const url = await server.createDatabase();
    const verified = `${url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(server.certificatePath!)}`;

    await expect(encrypted(url)).resolves.toBe(false);
    await expect(encrypted(verified)).resolves.toBe(true);

    const repo = await PostgresSigilRepository.open({ url: verified, ...OPTIONS, migrate: true });
    try {
      await expect(repo.ping()).resolves.toBeUndefined();
    } finally {
      await repo.close();
    }
  });

  it('really verifies: a certificate from an unknown CA is refused', async () => {
    const url = await server.createDatabase();
    await expect(
      PostgresSigilRepository.open({ url: `${url}?sslmode=verify-full`, ...OPTIONS, migrate: true }),
    ).rejects.toThrow(/self[- ]signed/);
  });
});
