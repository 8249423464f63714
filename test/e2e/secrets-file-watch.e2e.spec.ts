import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '#sigil';
import { JwksServer } from '../support/jwks-server.js';
import { KubeletSecretVolume } from '../support/kubelet-secret-volume.js';
import { ensureBuilt, freePort, spawnService, waitReady } from '../support/processes.js';
import { client, SECRET_A, SECRET_B, tempDir } from '../support/test-app.js';

const kid = (hex: string) => keyIdOf(Buffer.from(hex, 'hex'));
const SECRET_C = 'c1'.repeat(32);

/**
 * Rotation the Kubernetes way: the Secret volume is updated in place by the kubelet (an atomic swap of
 * the `..data` symlink), nobody sends a signal, and the running service must pick up the new ring on
 * its own without failing a request.
 */
describe('the service reloads its key ring when the mounted secrets file changes (no SIGHUP)', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let service: ReturnType<typeof spawnService> | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    await jwks.start();
    dir = await tempDir('sigil-secrets-watch-');
  });
  afterAll(async () => {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await jwks.close();
    await dir?.remove();
  });

  it('swaps a kubelet-style Secret volume under a request loop: all 2xx, new sigils get the new kid', async () => {
    const volume = new KubeletSecretVolume(`${dir.path}/secrets`);
    volume.write({ 'secrets.env': `SPIRAL_EVENT_SECRET=${SECRET_A}\n` });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    service = spawnService({
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: `${dir.path}/level`,
      SIGIL_PORT: String(port),
      JWT_ISSUER: jwks.issuer,
      JWT_JWKS_URI: jwks.url,
      SIGIL_RATE_LIMIT: '1000000',
      SIGIL_SECRETS_FILE: `${dir.path}/secrets/secrets.env`,
    });
    await waitReady(url, service.exited);
    const call = client(url, jwks.token({ tenant: 'acme', scope: 'sigil:read sigil:write sigil:admin' }));
    const old = await call('POST', '/api/v1/sigils', { data: { before: 'rotation' } });
    expect(old.status).toBe(201);
    expect(old.body.kid).toBe(kid(SECRET_A));

    const statuses: number[] = [];
    const kids = new Set<string>();
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const [e, v] = await Promise.all([
          call('POST', '/api/v1/sigils', { data: { during: 'rotation' } }),
          call('POST', '/api/v1/sigils/verify', { id: old.body.id }),
        ]);
        statuses.push(e.status, v.status);
        kids.add(e.body.kid);
        if (!v.body.valid) statuses.push(-1);
      }
    })();
    const activeKidIs = async (expected: string) => {
      for (let i = 0; i < 100; i++) {
        if ((await call('GET', '/api/v1/keys')).body.activeKid === expected) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };

    try {
      await new Promise((r) => setTimeout(r, 200));
      // The rotation: B becomes active, A verifies only.
      volume.write({
        'secrets.env': `SPIRAL_EVENT_SECRET=${SECRET_B}\nSPIRAL_EVENT_SECRET_PREVIOUS=${SECRET_A}\n`,
      });
      expect(await activeKidIs(kid(SECRET_B))).toBe(true);
      await new Promise((r) => setTimeout(r, 200));

      // A broken update is logged and changes nothing; the next good one is picked up again.
      volume.write({ 'secrets.env': 'SPIRAL_EVENT_SECRET=not-a-secret\n' });
      for (let i = 0; i < 50 && !service.output().includes('secrets not reloaded'); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(service.output()).toContain(
        'secrets file changed: secrets not reloaded, keeping the current key ring',
      );
      expect((await call('GET', '/api/v1/keys')).body.activeKid).toBe(kid(SECRET_B));
      volume.write({
        'secrets.env': `SPIRAL_EVENT_SECRET=${SECRET_C}\nSPIRAL_EVENT_SECRET_PREVIOUS=${SECRET_B},${SECRET_A}\n`,
      });
      expect(await activeKidIs(kid(SECRET_C))).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      stop = true;
      await loop;
    }

    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s < 200 || s >= 300)).toEqual([]);
    expect(kids).toEqual(new Set([kid(SECRET_A), kid(SECRET_B), kid(SECRET_C)]));
    const fresh = await call('POST', '/api/v1/sigils', { data: { after: 'rotation' } });
    expect(fresh.body.kid).toBe(kid(SECRET_C));
    expect(await call('GET', '/api/v1/keys')).toMatchObject({
      body: { activeKid: kid(SECRET_C), verifyOnlyKids: [kid(SECRET_B), kid(SECRET_A)] },
    });
    const verified = await call('POST', '/api/v1/sigils/verify', { id: old.body.id });
    expect(verified.body).toMatchObject({ valid: true, kid: kid(SECRET_A) });

    const logs = service.output();
    expect(logs.match(/"event":"keys.rotated"/g)?.length).toBe(2);
    expect(logs).toContain('"trigger":"secrets file changed"');
    for (const secret of [SECRET_A, SECRET_B, SECRET_C, 'not-a-secret']) expect(logs).not.toContain(secret);
  }, 60_000);
});
