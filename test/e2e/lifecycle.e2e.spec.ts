import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '#sigil';
import { openStore } from '#storage';
import { levelRecordKey } from '#storage/testing';
import { JwksServer } from '../support/jwks-server.js';
import { CLI, freePort, MAIN, spawnService, waitReady } from '../support/processes.js';
import { client, SECRET_A, SECRET_B, startApp, tempDir, type RunningApp } from '../support/test-app.js';

const kid = (hex: string) => keyIdOf(Buffer.from(hex, 'hex'));

describe('Persistence, rotation and tampering on LevelDB', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dbPath: string;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir();
    dbPath = `${dir.path}/db`;
  });
  afterAll(async () => {
    await running?.close();
    await jwks.close();
    await dir?.remove();
  });

  const start = async (env: Record<string, string> = {}) => {
    await running?.close();
    running = await startApp(jwks, { SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: dbPath, ...env });
    return client(running.url, jwks.token({ scope: 'sigil:admin' }));
  };

  it('keeps sigils across a restart on the same path, and they still verify', async () => {
    let call = await start();
    const created = (await call('POST', '/api/v1/sigils', { data: { durable: true } })).body;
    call = await start();
    const decoded = await call('GET', `/api/v1/sigils/${created.id}`);
    expect(decoded.body).toEqual(created);
    expect((await call('POST', '/api/v1/sigils/verify', { id: created.id })).body).toMatchObject({
      valid: true,
      reason: 'ok',
    });
  });

  it('rotates: old sigils verify under the previous secret, new ones carry the new kid', async () => {
    let call = await start({ SPIRAL_EVENT_SECRET: SECRET_A });
    const old = (await call('POST', '/api/v1/sigils', { data: { era: 'A' } })).body;
    expect(old.kid).toBe(kid(SECRET_A));

    call = await start({ SPIRAL_EVENT_SECRET: SECRET_B, SPIRAL_EVENT_SECRET_PREVIOUS: SECRET_A });
    expect((await call('POST', '/api/v1/sigils/verify', { id: old.id })).body).toMatchObject({
      valid: true,
      reason: 'ok',
      kid: kid(SECRET_A),
    });
    const fresh = (await call('POST', '/api/v1/sigils', { data: { era: 'B' } })).body;
    expect(fresh.kid).toBe(kid(SECRET_B));
    expect((await call('GET', '/api/v1/keys')).body).toEqual({
      activeKid: kid(SECRET_B),
      verifyOnlyKids: [kid(SECRET_A)],
    });

    // Retiring A without re-signing leaves its sigils unverifiable, and says why.
    call = await start({ SPIRAL_EVENT_SECRET: SECRET_B });
    expect((await call('POST', '/api/v1/sigils/verify', { id: old.id })).body).toMatchObject({
      valid: false,
      reason: 'unknown_key',
    });
    expect((await call('POST', '/api/v1/sigils/verify', { id: fresh.id })).body).toMatchObject({
      valid: true,
      reason: 'ok',
    });
  });

  it.each([
    ['data', (r: any) => ({ ...r, data: { ...r.data, amount: 1_000_000 } })],
    [
      'digest and data together',
      (r: any) => ({ ...r, data: { amount: 1 }, dna: { ...r.dna, digest: `sha256:${'0'.repeat(64)}` } }),
    ],
    ['metadata', (r: any) => ({ ...r, metadata: { source: 'forged' } })],
    ['expiry', (r: any) => ({ ...r, expiresAt: null })],
    ['authHash', (r: any) => ({ ...r, authHash: '0'.repeat(16) })],
    ['tenant (a copy planted in another tenant)', (r: any) => ({ ...r, tenantId: 'acme' })],
  ])('reports tampered when a record is altered directly in LevelDB: %s', async (name, alter) => {
    const tenant = name.startsWith('tenant') ? 'victim' : 'acme';
    await start();
    const writer = client(running!.url, jwks.token({ tenant, scope: 'sigil:write' }));
    const sigil = (
      await writer('POST', '/api/v1/sigils', {
        data: { amount: 10 },
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      })
    ).body;
    await running!.close();
    running = undefined;

    const db = new ClassicLevel<string, string>(dbPath);
    const key = levelRecordKey(tenant, sigil.id);
    const altered = alter(JSON.parse((await db.get(key)) as string));
    // The cross-tenant case plants the (unchanged) record under the acme tenant.
    await db.put(levelRecordKey(altered.tenantId, sigil.id), JSON.stringify(altered));
    await db.close();

    const call = await start();
    expect((await call('POST', '/api/v1/sigils/verify', { id: sigil.id })).body).toMatchObject({
      valid: false,
      reason: 'tampered',
    });
  });
});

describe.skipIf(!existsSync(MAIN) && !process.env.CI)('The built service as a process', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does)`);
    await jwks.start();
    dir = await tempDir();
  });
  afterAll(async () => {
    await jwks.close();
    await dir?.remove();
  });

  const envFor = (port: number) => ({
    SIGIL_PORT: String(port),
    SIGIL_DB_PATH: `${dir.path}/db`,
    SPIRAL_EVENT_SECRET: SECRET_A,
    JWT_ISSUER: jwks.issuer,
    JWT_JWKS_URI: jwks.url,
  });

  it('refuses a second process on the same LevelDB path, naming the path and the LOCK', async () => {
    const port = await freePort();
    const first = spawnService(envFor(port));
    try {
      await waitReady(`http://127.0.0.1:${port}`, first.exited);
      const second = spawnService(envFor(await freePort()));
      const code = await Promise.race([
        second.exited,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000)),
      ]);
      if (code === 'hung') second.child.kill('SIGKILL');
      expect(code).toBe(1);
      expect(second.output()).toContain(`${dir.path}/db/LOCK`);
      expect(second.output()).not.toMatch(/\n\s+at /);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  it('exits non-zero with one message naming every bad variable in production', async () => {
    const bad = spawnService({ NODE_ENV: 'production', SPIRAL_EVENT_SECRET: 'tooshort12', SIGIL_PORT: 'x' });
    expect(await bad.exited).toBe(1);
    const out = bad.output();
    for (const name of [
      'SIGIL_PORT',
      'JWT_ISSUER',
      'JWT_JWKS_URI',
      'SPIRAL_EVENT_SECRET: must be 64 hex characters',
    ]) {
      expect(out).toContain(name);
    }
    expect(out.trim().split('\n')[0]).toMatch(/^sigil-dna: Invalid configuration \(4 problems\):$/);
    expect(out).not.toContain('tooshort12');
  });

  it('runs in dev-auth mode without JWKS: the token CLI prints a token the server accepts', async () => {
    const devDir = `${dir.path}/dev`;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = spawnService({
      SIGIL_PORT: String(port),
      SIGIL_DB_PATH: `${dir.path}/devdb`,
      SIGIL_DEV_DIR: devDir,
    });
    try {
      await waitReady(url, service.exited);
      expect(service.output()).toContain('DEV-AUTH MODE');
      expect(service.output()).toContain('DEV SECRET');
      const token = execFileSync(
        process.execPath,
        [
          CLI,
          'token',
          '--tenant',
          'acme',
          '--scope',
          'sigil:read sigil:write',
          '--sub',
          'dev',
          '--ttl',
          '10m',
        ],
        {
          env: { PATH: process.env.PATH ?? '', SIGIL_DEV_DIR: devDir },
        },
      )
        .toString()
        .trim();
      const call = client(url, token);
      const created = await call('POST', '/api/v1/sigils', { data: { dev: true } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ tenantId: 'acme', createdBy: 'dev' });
      expect((await client(url, `${token}x`)('GET', '/api/v1/sigils')).status).toBe(401);
      // The dev secret and keys never appear in the log.
      const secret = readFileSync(`${devDir}/spiral-secret.hex`, 'utf8').trim();
      expect(service.output()).not.toContain(secret);
      expect(statSync(`${devDir}/jwt-private.pem`).mode & 0o077).toBe(0);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  it('the token CLI rejects a bad --ttl with a clear message', () => {
    const run = () =>
      execFileSync(process.execPath, [CLI, 'token', '--tenant', 'acme', '--ttl', 'forever'], {
        env: { PATH: process.env.PATH ?? '', SIGIL_DEV_DIR: `${dir.path}/dev` },
        stdio: 'pipe',
      });
    expect(run).toThrow(/use a number with s, m, h or d/);
  });

  it('on SIGTERM, answers /readyz 503 while still serving during SIGIL_SHUTDOWN_DELAY_MS, then exits 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = spawnService({
      ...envFor(port),
      SIGIL_DB_PATH: `${dir.path}/drain-db`,
      SIGIL_SHUTDOWN_DELAY_MS: '3000',
    });
    await waitReady(url, service.exited);
    service.child.kill('SIGTERM');
    let ready = 200;
    for (let i = 0; i < 50 && ready === 200; i++) ready = (await fetch(`${url}/readyz`)).status;
    expect(ready).toBe(503);
    const body = (await (await fetch(`${url}/readyz`)).json()) as {
      details: { lifecycle: { status: string } };
    };
    expect(body.details.lifecycle.status).toBe('down');
    // Still serving real traffic while the load balancer notices.
    const served = await client(url, jwks.token({ scope: 'sigil:write' }))('POST', '/api/v1/sigils', {
      data: { draining: true },
    });
    expect(served.status).toBe(201);
    expect(await service.exited).toBe(0);
  });

  it('drains in-flight requests on SIGTERM, exits 0, and loses no acknowledged sigil', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = spawnService(envFor(port));
    await waitReady(url, service.exited);
    const call = client(url, jwks.token({ scope: 'sigil:write' }));
    const inflight = Array.from({ length: 100 }, (_, i) =>
      call('POST', '/api/v1/sigils', { data: { i } }).catch(() => null),
    );
    service.child.kill('SIGTERM');
    const results = await Promise.all(inflight);
    expect(await service.exited).toBe(0);

    const acknowledged = results.filter((r) => r?.status === 201).map((r) => r!.body.id as string);
    // Anything not acknowledged was refused cleanly (503 while closing or a refused connection), never a 500.
    expect(results.every((r) => r === null || r.status === 201 || r.status === 503)).toBe(true);
    const store = await openStore({ kind: 'leveldb', path: `${dir.path}/db` });
    try {
      for (const id of acknowledged) expect(await store.repository.findById('acme', id)).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});
