import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import { freePort, spawnService, waitReady, type ServiceProcess } from '../support/processes.js';
import { client, SECRET_A, tempDir } from '../support/test-app.js';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/nightly-integrity-check.sh', import.meta.url).pathname;

/** The nightly check against a store a running service holds: through a snapshot the service takes. */
describe('nightly-integrity-check.sh on a live LevelDB store', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let service: ServiceProcess;
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'test',
      SIGIL_DB_PATH: `${dir.path}/db`,
      SIGIL_BACKUP_DIR: `${dir.path}/backups`,
      SPIRAL_EVENT_SECRET: SECRET_A,
      JWT_ISSUER: jwks.issuer,
      JWT_JWKS_URI: jwks.url,
      SIGIL_DEV_DIR: `${dir.path}/dev`,
    };
    service = spawnService({ ...env, SIGIL_PORT: String(port) });
    await waitReady(url, service.exited);
    const call = client(url, jwks.token({ tenant: 'nightly', scope: 'sigil:write' }));
    for (let i = 0; i < 20; i++)
      expect((await call('POST', '/api/v1/sigils', { data: { i } })).status).toBe(201);
    await writeFile(`${dir.path}/admin.token`, jwks.token({ sub: 'ops', scope: 'sigil:admin' }), {
      mode: 0o600,
    });
  });
  afterAll(async () => {
    service?.child.kill('SIGTERM');
    await service?.exited;
    await jwks.close();
    await dir?.remove();
  });

  const nightly = (...args: string[]) =>
    run('bash', [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );

  it('cannot open the held store directly, and says why', async () => {
    const { code, stderr } = await nightly('--json');
    expect(code).toBe(2);
    expect(stderr).toContain('LOCK');
  });

  it('checks a snapshot taken by the running service, and keeps it as a verified backup', async () => {
    const { code, stdout } = await nightly(
      '--json',
      '--live-url',
      url,
      '--token-file',
      `${dir.path}/admin.token`,
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ checked: 20, intact: 20, problems: [] });
    expect(report.snapshot.startsWith(`${dir.path}/backups/`)).toBe(true);
    expect(existsSync(report.snapshot)).toBe(true);
    // The service kept serving throughout.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
