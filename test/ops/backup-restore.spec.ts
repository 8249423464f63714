import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '#storage';
import { JwksServer } from '../support/jwks-server.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { CLI, freePort, spawnService, waitReady, type ServiceProcess } from '../support/processes.js';
import { client, join, SECRET_A, tempDir } from '../support/test-app.js';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', SPIRAL_EVENT_SECRET: SECRET_A, ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('backup and restore', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const services: ServiceProcess[] = [];

  const start = async (env: Record<string, string>): Promise<string> => {
    const port = await freePort();
    const service = spawnService({
      SIGIL_PORT: String(port),
      SPIRAL_EVENT_SECRET: SECRET_A,
      JWT_ISSUER: jwks.issuer,
      JWT_JWKS_URI: jwks.url,
      SIGIL_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'warn',
      ...env,
    });
    services.push(service);
    await waitReady(`http://127.0.0.1:${port}`, service.exited);
    return `http://127.0.0.1:${port}`;
  };
  const stopAll = async () => {
    for (const service of services.splice(0)) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  };

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir('sigil-backup-');
  });
  afterAll(async () => {
    await stopAll();
    await jwks.close();
    await dir?.remove();
  });

  it('backs up a live LevelDB store during a write storm; the restored copy holds every earlier sigil and serves them', async () => {
    const dbPath = join(dir.path, 'live');
    const backupDir = join(dir.path, 'backups');
    const url = await start({ SIGIL_DB_PATH: dbPath, SIGIL_BACKUP_DIR: backupDir });
    const writer = client(url, jwks.token({ scope: 'sigil:write', tenant: 'acme' }));
    const admin = client(url, jwks.token({ scope: 'sigil:admin', tenant: 'acme' }));

    const acked: string[] = [];
    let stop = false;
    let n = 0;
    const storm = Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 2000 && !stop; i++) {
          const res = await writer('POST', '/api/v1/sigils', {
            data: { n: n++ },
            metadata: { tags: ['storm'] },
          });
          if (res.status === 201) acked.push(res.body.id as string);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 800));
    const ackedBefore = [...acked];
    const backup = await admin('POST', '/api/v1/admin/backups');
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await storm;

    expect(backup.status, backup.text).toBe(201);
    expect(ackedBefore.length).toBeGreaterThan(0);
    expect(backup.body.path.startsWith(backupDir)).toBe(true);
    expect(backup.body.sigils).toBeGreaterThanOrEqual(ackedBefore.length);
    expect(acked.length).toBeGreaterThan(ackedBefore.length); // writes carried on during the backup

    // Only admins, and never a client-chosen path (the endpoint takes no body).
    const reader = client(url, jwks.token({ scope: 'sigil:read', tenant: 'acme' }));
    expect((await reader('POST', '/api/v1/admin/backups')).status).toBe(403);
    // The CLI cannot open a live store; it points at the endpoint.
    const offline = await cli(['backup', '--to', join(dir.path, 'nope')], { SIGIL_DB_PATH: dbPath });
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/locked by another process[\s\S]*\/api\/v1\/admin\/backups/);
    await stopAll();

    // Restore into a fresh path: the integrity check runs at the end (exit 0 = intact).
    const restored = join(dir.path, 'restored');
    const result = await cli(['restore', '--from', backup.body.path, '--to', restored, '--json'], {
      SIGIL_DB_PATH: restored,
      SIGIL_DEV_DIR: join(dir.path, 'dev'),
    });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.integrity.problems).toEqual([]);
    expect(report.integrity.checked).toBe(backup.body.sigils);

    const store = await openStore({ kind: 'leveldb', path: restored });
    try {
      for (const id of ackedBefore) expect(await store.repository.findById('acme', id), id).not.toBeNull();
    } finally {
      await store.close();
    }

    // A non-empty target is refused without --force.
    const again = await cli(['restore', '--from', backup.body.path, '--to', restored], {
      SIGIL_DB_PATH: restored,
      SIGIL_DEV_DIR: join(dir.path, 'dev'),
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not empty; pass --force/);

    // The service runs on the restored store and its sigils verify.
    const restoredUrl = await start({ SIGIL_DB_PATH: restored });
    const verifier = client(restoredUrl, jwks.token({ scope: 'sigil:read', tenant: 'acme' }));
    for (const id of ackedBefore.slice(0, 200)) {
      const res = await verifier('POST', '/api/v1/sigils/verify', { id });
      expect(res.body.reason, id).toBe('ok');
    }
    await stopAll();

    // The service stopped, the CLI backs the store up itself.
    const cold = await cli(['backup', '--to', join(dir.path, 'cold'), '--json'], { SIGIL_DB_PATH: dbPath });
    expect(cold.code, cold.stderr).toBe(0);
    expect(JSON.parse(cold.stdout).sigils).toBeGreaterThanOrEqual(acked.length);
  }, 120_000);

  describe('Postgres', () => {
    let postgres: PostgresServer;
    beforeAll(async () => {
      postgres = await startPostgres();
    });
    afterAll(async () => {
      await postgres?.destroy();
    });

    it('round-trips through pg_dump -Fc and pg_restore, with the integrity check at the end', async () => {
      const source = await postgres.createDatabase('source');
      const url = await start({ DATABASE_URL: source });
      const call = client(url, jwks.token({ scope: 'sigil:admin', tenant: 'acme' }));
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const res = await call('POST', '/api/v1/sigils', { data: { pg: i }, metadata: { source: 'pg' } });
        expect(res.status).toBe(201);
        ids.push(res.body.id as string);
      }
      await call('POST', `/api/v1/sigils/${ids[0]}/revoke`, { reason: 'before backup' });

      const backupDir = join(dir.path, 'pg-backup');
      const dump = await cli(['backup', '--to', backupDir], { DATABASE_URL: source });
      expect(dump.code, dump.stderr).toBe(0);
      expect(existsSync(join(backupDir, 'sigil.pgdump'))).toBe(true);
      await stopAll();

      const target = await postgres.createDatabase('target');
      const restored = await cli(['restore', '--from', backupDir, '--to', target, '--json'], {
        DATABASE_URL: target,
      });
      expect(restored.code, restored.stderr).toBe(0);
      const report = JSON.parse(restored.stdout);
      expect(report.integrity).toMatchObject({ checked: 25, intact: 25, problems: [] });

      const refused = await cli(['restore', '--from', backupDir, '--to', target], { DATABASE_URL: target });
      expect(refused.code).toBe(2);

      const restoredUrl = await start({ DATABASE_URL: target });
      const reader = client(restoredUrl, jwks.token({ scope: 'sigil:read', tenant: 'acme' }));
      expect((await reader('POST', '/api/v1/sigils/verify', { id: ids[0] })).body.reason).toBe('revoked');
      for (const id of ids.slice(1)) {
        expect((await reader('POST', '/api/v1/sigils/verify', { id })).body.reason, id).toBe('ok');
      }
      await stopAll();
    }, 120_000);
  });
});
