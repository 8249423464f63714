import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '#storage';
import { type SigilRecord, type SigilRepository } from '#sigil';
import { JwksServer } from '../support/jwks-server.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { CLI } from '../support/processes.js';
import { client, startApp, tempDir } from '../support/test-app.js';

const run = promisify(execFile);
const TENANTS = ['acme', 'globex', 'initech'];
const PER_TENANT = 500;

async function all(repo: SigilRepository, tenantId: string): Promise<SigilRecord[]> {
  const out: SigilRecord[] = [];
  let after: string | undefined;
  do {
    const page = await repo.listPage(tenantId, { limit: 200, after });
    out.push(...page.items);
    after = page.nextAfter ?? undefined;
  } while (after);
  return out;
}

/** The migration CLI as an operator runs it, on a store with several tenants, revoked and expiring sigils. */
describe('scripts/migrate-leveldb-to-postgres', () => {
  const jwks = new JwksServer();
  let postgres: PostgresServer;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let levelPath: string;
  const expected = new Map<string, SigilRecord[]>();

  beforeAll(async () => {
    await jwks.start();
    postgres = await startPostgres();
    dir = await tempDir();
    levelPath = `${dir.path}/level`;
    // Real, signed sigils minted through the API on LevelDB.
    const app = await startApp(jwks, { SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: levelPath });
    for (const tenant of TENANTS) {
      const call = client(app.url, jwks.token({ tenant, scope: 'sigil:admin' }));
      const ids: string[] = [];
      for (let batch = 0; batch < PER_TENANT; batch += 50) {
        const created = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            call('POST', '/api/v1/sigils', {
              data: { tenant, n: batch + i, note: 'ünïcødé ✓', nested: { list: [1, 2.5, 'x'] } },
              metadata: { source: `src-${i % 3}`, tags: [`t${i % 4}`] },
              ...(i % 10 === 0 ? { expiresAt: new Date(Date.now() + 86_400_000).toISOString() } : {}),
            }),
          ),
        );
        ids.push(...created.map((r) => r.body.id as string));
      }
      for (const id of ids.slice(0, 25))
        await call('POST', `/api/v1/sigils/${id}/revoke`, { reason: 'migration test' });
    }
    await app.close();
    const level = await openStore({ kind: 'leveldb', path: levelPath });
    for (const tenant of TENANTS) expected.set(tenant, await all(level.repository, tenant));
    await level.close();
  });
  afterAll(async () => {
    await postgres?.destroy();
    await jwks.close();
    await dir?.remove();
  });

  const migrate = (url: string, ...args: string[]) =>
    run(process.execPath, [
      CLI,
      'migrate-leveldb-to-postgres',
      '--from',
      levelPath,
      '--to',
      url,
      '--json',
      ...args,
    ]).then(
      ({ stdout }) => ({ code: 0, report: JSON.parse(stdout) }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        report: JSON.parse(error.stdout || 'null'),
        stderr: error.stderr,
      }),
    );

  it('dry run reports what it would copy and writes nothing', async () => {
    const url = await postgres.createDatabase();
    const { code, report } = await migrate(url, '--dry-run');
    expect(code).toBe(0);
    expect(report).toMatchObject({ dryRun: true, total: TENANTS.length * PER_TENANT, ok: true });
    expect(report.outcomes['would-insert']).toBe(TENANTS.length * PER_TENANT);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const tables = await db.query(
      "select count(*)::int as n from information_schema.tables where table_name = 'sigils'",
    );
    await db.end();
    expect(tables.rows[0].n).toBe(0);
  });

  it('copies every record byte-identical; signatures still verify on Postgres; an interrupted run resumes', async () => {
    const url = await postgres.createDatabase();
    // Interrupt a first run part-way (SIGKILL, as a crash or Ctrl-C would).
    const first = spawn(
      process.execPath,
      [CLI, 'migrate-leveldb-to-postgres', '--from', levelPath, '--to', url],
      { stdio: 'ignore' },
    );
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    let copied = 0;
    for (let i = 0; i < 300 && copied < 100; i++) {
      await new Promise((r) => setTimeout(r, 50));
      copied = await db.query('select count(*)::int as n from sigils').then(
        (r) => r.rows[0].n as number,
        () => 0,
      );
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.on('exit', r));
    const partial = await db
      .query('select count(*)::int as n from sigils')
      .then((r) => r.rows[0].n as number);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(TENANTS.length * PER_TENANT);

    const { code, report } = await migrate(url);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.outcomes.inserted + report.outcomes.unchanged).toBe(TENANTS.length * PER_TENANT);
    expect(report.outcomes.unchanged).toBeGreaterThanOrEqual(partial - 16);
    expect(report.tenants.every((t: { match: boolean }) => t.match)).toBe(true);

    const target = await openStore({
      kind: 'postgres',
      url,
      poolSize: 2,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 5000,
      migrate: false,
    });
    try {
      for (const tenant of TENANTS) {
        const copied = await all(target.repository, tenant);
        expect(copied.map((r) => JSON.stringify(r))).toEqual(
          expected.get(tenant)!.map((r) => JSON.stringify(r)),
        );
      }
    } finally {
      await target.close();
    }

    // The service on Postgres verifies what LevelDB signed (revoked ones say so).
    const app = await startApp(jwks, { SIGIL_STORAGE: 'postgres', DATABASE_URL: url });
    try {
      for (const tenant of TENANTS) {
        const call = client(app.url, jwks.token({ tenant, scope: 'sigil:read' }));
        for (const record of expected.get(tenant)!.slice(0, 60)) {
          const verdict = (await call('POST', '/api/v1/sigils/verify', { id: record.id })).body;
          expect(verdict.reason).toBe(record.revokedAt ? 'revoked' : 'ok');
        }
      }
    } finally {
      await app.close();
      await db.end();
    }

    // Run again: nothing to do, still OK.
    const again = await migrate(url);
    expect(again.code).toBe(0);
    expect(again.report.outcomes.unchanged).toBe(TENANTS.length * PER_TENANT);
  });

  it('exits non-zero and names the record when Postgres holds a different copy', async () => {
    const url = await postgres.createDatabase();
    expect((await migrate(url)).code).toBe(0);
    const victim = expected.get('globex')![3];
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    await db.query("update sigils set signature = repeat('0', 64) where tenant_id = 'globex' and id = $1", [
      victim.id,
    ]);
    await db.end();
    const { code, report } = await migrate(url);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.conflicts).toEqual([{ tenantId: 'globex', id: victim.id }]);
    expect(report.tenants.find((t: { tenantId: string }) => t.tenantId === 'globex').match).toBe(false);
  });
});
