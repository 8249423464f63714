import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import { CLI, ensureBuilt } from '../support/processes.js';
import { client, SECRET_A, startApp, tempDir } from '../support/test-app.js';

const run = promisify(execFile);
const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** cleanup-duplicates as an operator runs it (built CLI and the runbook's wrapper) on a real LevelDB. */
describe('sigil cleanup-duplicates / scripts/cleanup-duplicates.sh', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dbPath: string;
  /** Ids by role: a* acme duplicates, b* globex duplicates, c* globex group whose oldest is revoked. */
  const ids: Record<string, string> = {};

  const env = () => ({
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    SPIRAL_EVENT_SECRET: SECRET_A,
    SIGIL_DB_PATH: dbPath,
    SIGIL_DEV_DIR: `${dir.path}/dev`,
    DEFAULT_TENANT: 'public',
  });
  const cleanup = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [CLI, 'cleanup-duplicates', '--json', ...args], {
      env: env(),
    });
    return JSON.parse(stdout);
  };

  /** Runs `check` against the service started in-process on the store (closed afterwards). */
  async function withService(
    check: (call: (tenant: string) => ReturnType<typeof client>) => Promise<void>,
  ): Promise<void> {
    const app = await startApp(jwks, {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: dbPath,
      SPIRAL_EVENT_SECRET: SECRET_A,
    });
    try {
      await check((tenant) =>
        client(app.url, jwks.token({ tenant, scope: 'sigil:admin', sub: `ops-${tenant}` })),
      );
    } finally {
      await app.close();
    }
  }

  async function verdicts(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    await withService(async (call) => {
      for (const [role, id] of Object.entries(ids)) {
        const tenant = role.startsWith('a') || role === 'x1' ? 'acme' : 'globex';
        const res = await call(tenant)('POST', '/api/v1/sigils/verify', { id });
        out[role] = res.body.reason as string;
      }
    });
    return out;
  }

  beforeAll(async () => {
    await ensureBuilt();
    await jwks.start();
    dir = await tempDir('sigil-dups-');
    dbPath = join(dir.path, 'db');
    await withService(async (call) => {
      const acme = call('acme');
      const globex = call('globex');
      const mint = async (c: ReturnType<typeof client>, role: string, data: Record<string, unknown>) => {
        const res = await c('POST', '/api/v1/sigils', { data });
        expect(res.status).toBe(201);
        ids[role] = res.body.id as string;
        // Distinct createdAt for each, so "oldest" is by time, not only by id.
        await new Promise((r) => setTimeout(r, 3));
      };
      // Same data (same digest) in two tenants: one group per tenant, never across tenants.
      await mint(acme, 'a1', { dup: 1, text: 'same' });
      await mint(acme, 'a2', { text: 'same', dup: 1 }); // key order differs: same canonical JSON
      await mint(globex, 'b1', { dup: 1, text: 'same' });
      await mint(acme, 'a3', { dup: 1, text: 'same' });
      await mint(globex, 'b2', { dup: 1, text: 'same' });
      await mint(acme, 'x1', { distinct: 'acme' });
      await mint(globex, 'x2', { distinct: 'globex' });
      await mint(globex, 'c1', { group: 'c' });
      await mint(globex, 'c2', { group: 'c' });
      await mint(globex, 'c3', { group: 'c' });
      const revoked = await globex('POST', `/api/v1/sigils/${ids.c1}/revoke`, { reason: 'compromised' });
      expect(revoked.status).toBe(200);
    });
  }, 180_000);
  afterAll(async () => {
    await jwks.close();
    await dir?.remove();
  });

  it('dry run (the default) reports the plan and changes nothing', async () => {
    const report = await cleanup();
    expect(report).toMatchObject({
      dryRun: true,
      tenants: 2,
      groups: 3,
      kept: 3,
      wouldRevoke: 4,
      revoked: 0,
      purged: 0,
    });
    const plans = Object.fromEntries(report.plans.map((p: any) => [p.keep, p]));
    expect(plans[ids.a1]).toMatchObject({ tenantId: 'acme', revoke: [ids.a2, ids.a3] });
    expect(plans[ids.b1]).toMatchObject({ tenantId: 'globex', revoke: [ids.b2] });
    expect(plans[ids.c2]).toMatchObject({ tenantId: 'globex', revoke: [ids.c3] });
    const v = await verdicts();
    expect(v).toEqual({
      a1: 'ok',
      a2: 'ok',
      b1: 'ok',
      a3: 'ok',
      b2: 'ok',
      x1: 'ok',
      x2: 'ok',
      c1: 'revoked',
      c2: 'ok',
      c3: 'ok',
    });
  });

  it('./scripts/cleanup-duplicates.sh --execute revokes exactly the duplicates; a second run has nothing to do', async () => {
    const { stdout } = await run('./scripts/cleanup-duplicates.sh', ['--execute'], { cwd: REPO, env: env() });
    expect(stdout).toContain('2 tenants, 3 duplicate groups, 3 kept');
    expect(stdout).toContain('revoked 4');
    expect(await verdicts()).toEqual({
      a1: 'ok',
      a2: 'revoked',
      a3: 'revoked',
      b1: 'ok',
      b2: 'revoked',
      x1: 'ok',
      x2: 'ok',
      c1: 'revoked',
      c2: 'ok',
      c3: 'revoked',
    });
    await withService(async (call) => {
      const a2 = await call('acme')('GET', `/api/v1/sigils/${ids.a2}`);
      expect(a2.body).toMatchObject({ revokedBy: 'cleanup-duplicates', revocationReason: 'duplicate' });
      const c1 = await call('globex')('GET', `/api/v1/sigils/${ids.c1}`);
      expect(c1.body).toMatchObject({ revokedBy: 'ops-globex', revocationReason: 'compromised' });
    });
    const again = await cleanup('--execute');
    expect(again).toMatchObject({ dryRun: false, groups: 3, revoked: 0, purged: 0, plans: [] });
  });

  it('--purge: dry unless --execute; then deletes the duplicates this command revoked, and only those', async () => {
    const dry = await cleanup('--purge');
    expect(dry).toMatchObject({ dryRun: true, wouldPurge: 4, purged: 0 });
    expect((await verdicts()).a2).toBe('revoked');

    const purged = await cleanup('--execute', '--purge');
    expect(purged).toMatchObject({ dryRun: false, purged: 4 });
    expect(await verdicts()).toEqual({
      a1: 'ok',
      a2: 'not_found',
      a3: 'not_found',
      b1: 'ok',
      b2: 'not_found',
      x1: 'ok',
      x2: 'ok',
      c1: 'revoked',
      c2: 'ok',
      c3: 'not_found',
    });
    expect(await cleanup('--execute', '--purge')).toMatchObject({ purged: 0, plans: [] });
  });

  it('--purge --execute on fresh duplicates deletes them instead of revoking', async () => {
    await withService(async (call) => {
      const res = await call('acme')('POST', '/api/v1/sigils', { data: { dup: 1, text: 'same' } });
      ids.a4 = res.body.id as string;
    });
    const report = await cleanup('--execute', '--purge');
    expect(report).toMatchObject({ purged: 1, revoked: 0 });
    expect(report.plans).toEqual([expect.objectContaining({ keep: ids.a1, revoke: [ids.a4] })]);
    expect((await verdicts()).a4).toBe('not_found');
  });
});
