/**
 * The built app with production dependencies only, as the image runs it: `npm ci --omit=dev` into a
 * clean folder beside a copy of dist/, then the service starts in production mode and serves. A
 * production import of a dev dependency (once: @nestjs/testing from the app factory) fails here
 * with ERR_MODULE_NOT_FOUND, where the repository's full node_modules would hide it.
 */
import { execFile } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import {
  ensureBuilt,
  freePort,
  REPO,
  spawnService,
  waitReady,
  type ServiceProcess,
} from '../support/processes.js';
import { SECRET_A, tempDir } from '../support/test-app.js';

const run = promisify(execFile);

describe('production install (npm ci --omit=dev)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let jwks: JwksServer;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('sigil-prod-');
    const app = join(dir.path, 'app');
    for (const file of ['package.json', 'package-lock.json']) await cp(join(REPO, file), join(app, file));
    await cp(join(REPO, 'dist'), join(app, 'dist'), { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: app, timeout: 240_000 });
    jwks = await new JwksServer().start();
  }, 300_000);

  afterAll(async () => {
    service?.child.kill('SIGKILL');
    await jwks?.close();
    await dir?.remove();
  });

  it('installs no dev dependency', async () => {
    const modules = join(dir.path, 'app', 'node_modules');
    const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    // What npm itself marks dev-only (reached from devDependencies alone); a package that is also a
    // production dependency's dependency (an @types/* of jwks-rsa, say) is rightly installed.
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.dev === true && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path))
      .map(([path]) => path.slice('node_modules/'.length));
    expect(devOnly).toEqual(expect.arrayContaining(['@nestjs/testing', 'vitest', 'eslint', 'node']));
    for (const name of devOnly) expect(existsSync(join(modules, name)), name).toBe(false);
    expect(existsSync(join(modules, '@nestjs', 'core'))).toBe(true);
  });

  it('starts in production mode, answers /readyz 200, mints and verifies a sigil, and stops on SIGTERM', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    service = spawnService(
      {
        NODE_ENV: 'production',
        JWT_ISSUER: jwks.issuer,
        JWT_JWKS_URI: jwks.url,
        SPIRAL_EVENT_SECRET: SECRET_A,
        SIGIL_DB_PATH: join(dir.path, 'db'),
        SIGIL_HOST: '127.0.0.1',
        SIGIL_PORT: String(port),
        SIGIL_SHUTDOWN_DELAY_MS: '0',
      },
      join(dir.path, 'app', 'dist', 'apps', 'sigil-api', 'src', 'main.js'),
    );
    await waitReady(url, service.exited).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${service!.output()}`);
    });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ok');

    const auth = { authorization: `Bearer ${jwks.token({ tenant: 'acme', scope: 'sigil:write' })}` };
    const minted = await fetch(`${url}/api/v1/sigils`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ data: { hello: 'production' } }),
    });
    expect(minted.status).toBe(201);
    const sigil = (await minted.json()) as { id: string };
    const verdict = await fetch(`${url}/api/v1/sigils/verify`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ id: sigil.id, data: { hello: 'production' } }),
    });
    expect(await verdict.json()).toMatchObject({ valid: true, reason: 'ok', sigilId: sigil.id });

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output()).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
  });
});
