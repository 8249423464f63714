/**
 * Outages of a real Postgres under open repositories. This file runs its own server, because its
 * tests stop and kill it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type PostgresServer, startPostgres } from '../../../../test/support/postgres-server.js';
import { PostgresSigilRepository } from '../adapters/postgres/postgres-sigil.repository.js';
import {
  type IdempotencyClaim,
  type SigilRecord,
  type SigilRepository,
  StorageUnavailableError,
} from '#sigil';
import { makeSigilRecord } from './sigil-record.fixture.js';

// Small on purpose: an outage must surface within these, never as a hang.
const OPTIONS = { poolSize: 4, connectTimeoutMs: 1_000, statementTimeoutMs: 1_000, migrate: true };
const T = 'acme';

let server: PostgresServer;
const opened: PostgresSigilRepository[] = [];

beforeAll(async () => {
  server = await startPostgres();
});

afterEach(async () => {
  await server.restart();
  await Promise.all(opened.splice(0).map((repo) => repo.close()));
});

afterAll(async () => {
  await server?.destroy();
});

async function open(url: string): Promise<PostgresSigilRepository> {
  const repo = await PostgresSigilRepository.open({ url, ...OPTIONS });
  opened.push(repo);
  return repo;
}

function sigil(overrides: Partial<SigilRecord> = {}): SigilRecord {
  return makeSigilRecord({ tenantId: T, ...overrides });
}

function claim(key: string): IdempotencyClaim {
  return {
    principal: 'user-1',
    key,
    fingerprint: 'fp',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function everyOperation(repo: SigilRepository, existing: SigilRecord): [string, () => Promise<unknown>][] {
  const revocation = { revokedAt: '2025-02-01T00:00:00.000Z', revokedBy: 'admin', reason: null };
  return [
    ['create', () => repo.create(T, sigil())],
    ['create with claim', () => repo.create(T, sigil(), claim('during-outage'))],
    ['findById', () => repo.findById(T, existing.id)],
    ['revoke', () => repo.revoke(T, existing.id, revocation)],
    ['delete', () => repo.delete(T, existing.id)],
    ['listPage', () => repo.listPage(T, { limit: 10 })],
    ['match', () => repo.match(T, { pattern: existing.dna.resonancePattern, threshold: 0.5, topN: 5 })],
    ['restore', () => repo.restore(T, sigil())],
    ['patterns', () => collect(repo.patterns(T))],
    ['tenants', () => collect(repo.tenants())],
    ['ping', () => repo.ping()],
  ];
}

describe('PostgresSigilRepository during outages', () => {
  it('rejects every operation with StorageUnavailableError while Postgres is down, then recovers without reopening', async () => {
    const url = await server.createDatabase();
    // Two replicas, each with warm idle connections that the shutdown will break.
    const replicas = [await open(url), await open(url)];
    const record = sigil();
    await replicas[0].create(T, record);
    for (const repo of replicas) {
      await Promise.all(Array.from({ length: OPTIONS.poolSize }, () => repo.findById(T, record.id)));
    }

    await server.stop();
    for (const repo of replicas) {
      for (const [name, call] of everyOperation(repo, record)) {
        const started = Date.now();
        await expect((async () => call())(), name).rejects.toThrow(StorageUnavailableError);
        // A hang detector, not a benchmark: refused connections fail at once, and nothing may wait
        // longer than the configured connect timeout plus slack for a loaded machine.
        expect(Date.now() - started, name).toBeLessThan(OPTIONS.connectTimeoutMs + 4_000);
      }
    }

    await server.restart();
    // The same instances, first try: the pools dropped their broken connections by themselves.
    for (const repo of replicas) await expect(repo.ping()).resolves.toBeUndefined();
    await expect(replicas[1].findById(T, record.id)).resolves.toEqual(record);
    const after = sigil();
    await expect(replicas[1].create(T, after)).resolves.toEqual({ status: 'created', sigil: after });
    await expect(replicas[0].findById(T, after.id)).resolves.toEqual(after);
    // Nothing attempted during the outage was half-written.
    const listed = await replicas[0].listPage(T, { limit: 10 });
    expect(listed.items.map((s) => s.id)).toEqual([after.id, record.id]);
  });

  it('loses no acknowledged write across a kill -9 of Postgres, and serves again after its crash recovery', async () => {
    const url = await server.createDatabase();
    const repo = await open(url);
    const acknowledged: { record: SigilRecord; key: string | null }[] = [];
    const failures: unknown[] = [];
    let attempt = 0;

    // Writers run until the crash stops them; plain creates and claimed ones (a transaction of two rows).
    const writer = async (): Promise<void> => {
      for (;;) {
        const record = sigil();
        const key = attempt++ % 2 === 0 ? `key-${attempt}` : null;
        try {
          await repo.create(T, record, key === null ? undefined : claim(key));
        } catch (err) {
          failures.push(err);
          return;
        }
        acknowledged.push({ record, key });
      }
    };
    const writers = Array.from({ length: 8 }, () => writer());
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.kill();
    await Promise.all(writers);

    expect(failures).toHaveLength(8);
    for (const failure of failures) expect(failure).toBeInstanceOf(StorageUnavailableError);

    await server.restart();
    const found = await Promise.all(acknowledged.map(({ record }) => repo.findById(T, record.id)));
    expect(found).toEqual(acknowledged.map(({ record }) => record));
    for (const { record, key } of acknowledged.filter((a) => a.key !== null)) {
      await expect(repo.create(T, sigil(), claim(key!))).resolves.toEqual({
        status: 'replayed',
        sigil: record,
      });
    }
  });

  it('refuses to open while Postgres is down, and opens once it is back', async () => {
    const url = await server.createDatabase();
    await server.stop();
    await expect(PostgresSigilRepository.open({ url, ...OPTIONS })).rejects.toThrow(StorageUnavailableError);
    await server.restart();
    const repo = await open(url);
    await expect(repo.ping()).resolves.toBeUndefined();
  });
});
