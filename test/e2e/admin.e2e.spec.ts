/** The admin surface's refusals: each a 409 problem saying what to do instead, never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import { client, expectProblemShape, startApp, tempDir, type RunningApp } from '../support/test-app.js';

describe('admin endpoints', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir('sigil-admin-');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await jwks.close();
    await dir?.remove();
  });

  const adminOn = async (env: Record<string, string>) => {
    const app = await startApp(jwks, env);
    apps.push(app);
    return client(app.url, jwks.token({ scope: 'sigil:admin', sub: 'ops' }));
  };

  it('refuses an online backup of a store that has none, saying what to use', async () => {
    const admin = await adminOn({ SIGIL_STORAGE: 'memory', SIGIL_BACKUP_DIR: `${dir.path}/b1` });
    const res = await admin('POST', '/api/v1/admin/backups');
    expect(res.status).toBe(409);
    expectProblemShape(res, 409, 'CONFLICT');
    expect(res.body.detail).toMatch(/not supported by the memory store/);
  });

  it('refuses an online backup when SIGIL_BACKUP_DIR is not configured', async () => {
    const admin = await adminOn({ SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: `${dir.path}/db` });
    const res = await admin('POST', '/api/v1/admin/backups');
    expectProblemShape(res, 409, 'CONFLICT');
    expect(res.body.detail).toMatch(/SIGIL_BACKUP_DIR/);
  });
});
