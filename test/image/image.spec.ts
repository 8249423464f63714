import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwksServer } from '../support/jwks-server.js';
import { freePort } from '../support/processes.js';
import { call, inspect, podman, podmanOk, waitContainerReady, waitExit } from '../support/containers.js';

/**
 * The container image as operators run it (docs/operations.md, "Run with a container"): production
 * mode, a read-only root, a named volume for the store, the secrets from a mounted file, the JWKS of a
 * real HTTP server. Built from the working tree by `npm run test:image` (scripts/image.sh), which
 * sets SIGIL_IMAGE. Everything listens on 127.0.0.1 (host network).
 */
const IMAGE = process.env.SIGIL_IMAGE;
const REPO = new URL('../..', import.meta.url).pathname;
/** The image's user: the `node` user of the official Node images. */
const UID = 1000;
const STORE = '/var/lib/sigil-leveldb';
const BACKUPS = '/var/backups/sigil';
const SECRETS_DIR = '/run/sigil';
/** What `podman stop` waits for before SIGKILL; the drain takes SIGIL_SHUTDOWN_DELAY_MS plus in-flight requests. */
const STOP_GRACE_S = 20;

describe('the container image', () => {
  const jwks = new JwksServer();
  const run = randomBytes(4).toString('hex');
  const storeVolume = `sigil-image-test-${run}-store`;
  const backupVolume = `sigil-image-test-${run}-backups`;
  const containers: string[] = [];
  const secret = randomBytes(32).toString('hex');
  const nextSecret = randomBytes(32).toString('hex');
  let dir: string | undefined;
  let secretsDir: string;
  let token: string;
  let created: any;

  const writeSecrets = (content: string) => {
    // As rotate-spiral-secret.sh does: a new file renamed over the old one. The folder is mounted, not
    // the file, so the container sees the new file (a file bind mount would keep the old inode).
    const tmp = `${secretsDir}/.secrets.env.tmp`;
    writeFileSync(tmp, content, { mode: 0o600 });
    chownSync(tmp, UID, UID);
    renameSync(tmp, `${secretsDir}/secrets.env`);
  };

  /** Starts a detached container on the shared store volume, listening on 127.0.0.1:port. */
  const start = async (port: number): Promise<string> => {
    const name = `sigil-image-test-${run}-${containers.length + 1}`;
    containers.push(name);
    await podmanOk([
      'run',
      '--detach',
      `--name=${name}`,
      '--network=host',
      '--read-only',
      // Only what the docs name is writable: no tmpfs on /run and /var/tmp (podman's default with --read-only).
      '--read-only-tmpfs=false',
      '--tmpfs=/tmp:rw,nosuid,nodev,size=16m',
      '--log-driver=k8s-file',
      `--volume=${storeVolume}:${STORE}`,
      `--volume=${backupVolume}:${BACKUPS}`,
      `--volume=${secretsDir}:${SECRETS_DIR}:ro`,
      '--env=NODE_ENV=production',
      '--env=SIGIL_HOST=127.0.0.1',
      `--env=SIGIL_PORT=${port}`,
      `--env=JWT_ISSUER=${jwks.issuer}`,
      `--env=JWT_JWKS_URI=${jwks.url}`,
      `--env=SIGIL_SECRETS_FILE=${SECRETS_DIR}/secrets.env`,
      // Shorter than production's 5 s so the test stays quick; the drain itself is the same.
      '--env=SIGIL_SHUTDOWN_DELAY_MS=1000',
      IMAGE!,
    ]);
    return name;
  };

  const logsOf = async (name: string) => podman(['logs', name]);

  beforeAll(async () => {
    if (!IMAGE)
      throw new Error('SIGIL_IMAGE is unset: run `npm run test:image`, which builds the image first');
    if (!process.env.CONTAINERS_CONF) throw new Error('CONTAINERS_CONF is unset: run `npm run test:image`');
    if (process.getuid?.() !== 0) throw new Error('the image test runs Podman as root');
    await podmanOk(['image', 'exists', IMAGE]);
    await jwks.start();
    token = jwks.token({ tenant: 'acme', scope: 'sigil:admin' });
    dir = mkdtempSync(join(tmpdir(), 'sigil-image-'));
    secretsDir = join(dir, 'secrets');
    mkdirSync(secretsDir, { mode: 0o700 });
    chownSync(secretsDir, UID, UID);
    chmodSync(secretsDir, 0o700);
    writeSecrets(`SPIRAL_EVENT_SECRET=${secret}\n`);
    await podmanOk(['volume', 'create', storeVolume]);
    await podmanOk(['volume', 'create', backupVolume]);
  });

  afterAll(async () => {
    // Cleanup runs even when a step failed; each command is bounded.
    if (containers.length > 0) await podman(['rm', '--force', '--time=0', ...containers]);
    await podman(['volume', 'rm', '--force', storeVolume, backupVolume]);
    await jwks.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is built from a context of sources and lockfile only (.dockerignore)', async () => {
    // The same context a build of the Dockerfile gets, copied into a throwaway image to look at.
    const probe = `localhost/sigil-image-test-${run}-context`;
    writeFileSync(join(dir!, 'Containerfile'), `FROM ${IMAGE}\nCOPY . /context/\n`);
    await podmanOk([
      'build',
      '--quiet',
      '--network=none',
      '--format=docker',
      '-f',
      join(dir!, 'Containerfile'),
      '-t',
      probe,
      REPO,
    ]);
    try {
      const listing = await podmanOk([
        'run',
        '--rm',
        '--network=none',
        probe,
        'find',
        '/context',
        '-mindepth',
        '1',
      ]);
      const paths = listing
        .trim()
        .split('\n')
        .map((p) => p.slice('/context/'.length));
      expect(paths.filter((p) => !p.includes('/')).sort()).toEqual([
        'apps',
        'libs',
        'package-lock.json',
        'package.json',
        'tsconfig.build.json',
        'tsconfig.json',
      ]);
      expect(paths.filter((p) => /\.spec\.ts$|__tests__|node_modules|\.sigil-dev/.test(p))).toEqual([]);
      expect(paths.some((p) => p === 'apps/sigil-api/src/main.ts')).toBe(true);
    } finally {
      await podman(['rmi', '--force', probe]);
    }
  });

  it('carries its labels, health check, user, port and volumes', async () => {
    const [image] = JSON.parse(await podmanOk(['image', 'inspect', IMAGE!]));
    const config = image.Config;
    const pkg = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8'));
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.version': pkg.version,
      'org.opencontainers.image.licenses': 'LicenseRef-UNLICENSED',
    });
    expect(config.Labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    expect(config.Labels).toHaveProperty(['org.opencontainers.image.source']);
    expect(config.User).toBe(`${UID}:${UID}`);
    expect(config.Cmd).toEqual(['node', 'dist/apps/sigil-api/src/main.js']);
    expect(config.Entrypoint ?? []).toEqual([]);
    expect(Object.keys(config.ExposedPorts)).toEqual(['3000/tcp']);
    expect(Object.keys(config.Volumes).sort()).toEqual([BACKUPS, STORE]);
    expect(config.StopSignal).toBe('SIGTERM');
    // Podman keeps HEALTHCHECK only in the docker image format (scripts/image.sh builds with it).
    expect(image.Healthcheck.Test.join(' ')).toContain('/healthz');
    // Production dependencies only, no source maps, no compiler output beyond dist/.
    const listing = await podmanOk([
      'run',
      '--rm',
      '--network=none',
      '--read-only',
      IMAGE!,
      'node',
      '-e',
      [
        "const fs = require('node:fs');",
        "const has = (p) => fs.existsSync('/app/' + p);",
        'const maps = fs.globSync("/app/dist/**/*.map").length;',
        "console.log(JSON.stringify({ typescript: has('node_modules/typescript'), vitest: has('node_modules/vitest'),",
        "testing: has('node_modules/@nestjs/testing'), tsbuildinfo: has('dist/.tsbuildinfo'), maps,",
        "sources: fs.globSync('/app/**/*.ts', { exclude: (p) => p.includes('node_modules') }).length }));",
      ].join(' '),
    ]);
    expect(JSON.parse(listing)).toEqual({
      typescript: false,
      vitest: false,
      testing: false,
      tsbuildinfo: false,
      maps: 0,
      sources: 0,
    });
  });

  describe('in production mode on a read-only root', () => {
    let port: number;
    let url: string;
    let first: string;

    it('starts and becomes ready, and its health check passes', async () => {
      port = await freePort();
      url = `http://127.0.0.1:${port}`;
      first = await start(port);
      await waitContainerReady(first, url);
      expect(await inspect(first, '{{.HostConfig.ReadonlyRootfs}}')).toBe('true');
      const health = await podman(['healthcheck', 'run', first]);
      expect(health.code, health.stdout + health.stderr).toBe(0);
    });

    it('encodes, decodes and verifies through its port with a token the test signed', async () => {
      const encoded = await call(url, token, 'POST', '/api/v1/sigils', { data: { container: true, n: 1 } });
      expect(encoded.status).toBe(201);
      created = encoded.body;
      const decoded = await call(url, token, 'GET', `/api/v1/sigils/${created.id}`);
      expect(decoded.status).toBe(200);
      expect(decoded.body).toEqual(created);
      const verified = await call(url, token, 'POST', '/api/v1/sigils/verify', { id: created.id });
      expect(verified.body).toMatchObject({ valid: true, reason: 'ok' });
      // The backup folder is writable too: an online backup lands in it.
      const backup = await call(url, token, 'POST', '/api/v1/admin/backups');
      expect(backup.status).toBe(201);
      expect(backup.body.sigils).toBe(1);
    });

    it('on podman stop (SIGTERM), drains and exits 0 within the grace period', async () => {
      const stopped = await podman(['stop', `--time=${STOP_GRACE_S}`, first], (STOP_GRACE_S + 30) * 1000);
      expect(stopped.code, stopped.stderr).toBe(0);
      // Past the grace period podman would SIGKILL: the exit code would be 137.
      expect(await waitExit(first)).toBe(0);
      const logs = await logsOf(first);
      expect(logs.stdout).toContain('SIGTERM received: draining');
    });
  });

  describe('restarted on the same volume', () => {
    let port: number;
    let url: string;
    let second: string;

    it('decodes and verifies the sigil written before the restart', async () => {
      port = await freePort();
      url = `http://127.0.0.1:${port}`;
      second = await start(port);
      await waitContainerReady(second, url);
      const decoded = await call(url, token, 'GET', `/api/v1/sigils/${created.id}`);
      expect(decoded.body).toEqual(created);
      const verified = await call(url, token, 'POST', '/api/v1/sigils/verify', { id: created.id });
      expect(verified.body).toMatchObject({ valid: true, reason: 'ok' });
    });

    it('refuses a second container on the same volume with the LOCK message, while the first serves on', async () => {
      const intruder = await start(await freePort());
      expect(await waitExit(intruder)).not.toBe(0);
      const logs = await logsOf(intruder);
      expect(logs.stderr).toContain(`${STORE}/LOCK`);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    });

    it('rotates the signing secret on SIGHUP from the mounted secrets file', async () => {
      writeSecrets(`SPIRAL_EVENT_SECRET=${nextSecret}\nSPIRAL_EVENT_SECRET_PREVIOUS=${secret}\n`);
      await podmanOk(['kill', '--signal=HUP', second]);
      let keys: any;
      for (let i = 0; i < 40; i++) {
        keys = (await call(url, token, 'GET', '/api/v1/keys')).body;
        if (keys.activeKid !== created.kid) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(keys.activeKid).not.toBe(created.kid);
      expect(keys.verifyOnlyKids).toEqual([created.kid]);
      const verified = await call(url, token, 'POST', '/api/v1/sigils/verify', { id: created.id });
      expect(verified.body).toMatchObject({ valid: true, reason: 'ok', kid: created.kid });
      const fresh = await call(url, token, 'POST', '/api/v1/sigils', { data: { rotated: true } });
      expect(fresh.body.kid).toBe(keys.activeKid);
      expect((await logsOf(second)).stdout).toContain('"event":"keys.rotated"');
    });

    it('runs as the unprivileged user, node directly (no npm, no shell)', async () => {
      const top = await podmanOk(['top', second, 'user', 'args']);
      const rows = top.trim().split('\n').slice(1);
      expect(rows).toHaveLength(1);
      expect(rows[0].trim().split(/\s+/)).toEqual(['node', 'node', 'dist/apps/sigil-api/src/main.js']);
      const pid = await inspect(second, '{{.State.Pid}}');
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(new RegExp(`^Uid:\\s+${UID}\\s+${UID}\\s+${UID}\\s+${UID}$`, 'm'));
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toBe('node');
    });

    it('can write only to the store, the backup folder and /tmp', async () => {
      const probe = [
        "const fs = require('node:fs');",
        'const out = {};',
        `for (const d of ['${STORE}', '${BACKUPS}', '/tmp', '/app', '/app/dist', '/', '/home/node', '/var/tmp', '/run', '${SECRETS_DIR}']) {`,
        "  const f = d.replace(/\\/$/, '') + '/.write-probe';",
        "  try { fs.writeFileSync(f, 'x'); fs.rmSync(f); out[d] = 'ok'; } catch (e) { out[d] = e.code; }",
        '}',
        'console.log(JSON.stringify(out));',
      ].join('\n');
      const result = JSON.parse(await podmanOk(['exec', second, 'node', '-e', probe]));
      expect(result).toEqual({
        [STORE]: 'ok',
        [BACKUPS]: 'ok',
        '/tmp': 'ok',
        '/app': 'EROFS',
        '/app/dist': 'EROFS',
        '/': 'EROFS',
        '/home/node': 'EROFS',
        '/var/tmp': 'EROFS',
        '/run': 'EROFS',
        [SECRETS_DIR]: 'EROFS',
      });
      const mounts = JSON.parse(await inspect(second, '{{json .Mounts}}'))
        .map((m: { Destination: string; RW: boolean }) => `${m.Destination}:${m.RW ? 'rw' : 'ro'}`)
        .sort();
      expect(mounts).toEqual([`${BACKUPS}:rw`, `${SECRETS_DIR}:ro`, `${STORE}:rw`].sort());
    });

    it('logs JSON lines on stdout, and no secret or token anywhere', async () => {
      await podmanOk(['stop', `--time=${STOP_GRACE_S}`, second], (STOP_GRACE_S + 30) * 1000);
      for (const name of containers) {
        const { stdout, stderr } = await logsOf(name);
        for (const text of [stdout, stderr]) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(nextSecret);
          expect(text).not.toContain(token);
        }
        const env = await inspect(name, '{{json .Config.Env}}');
        expect(env).not.toContain(secret);
        const lines = stdout.split('\n').filter((l) => l !== '');
        for (const line of lines) {
          const entry = JSON.parse(line);
          expect(typeof entry.level).toBe('number');
          expect(typeof entry.time).toBe('number');
        }
      }
      // The services that ran logged on stdout and wrote nothing to stderr; only the refused one
      // explained itself there.
      expect(await logsOf(containers[0]).then((l) => l.stdout)).toContain('Sigil-DNA listening');
      const stderrs = await Promise.all(containers.map(async (name) => (await logsOf(name)).stderr.trim()));
      expect(stderrs.filter((s) => s !== '')).toHaveLength(1);
      expect(stderrs.find((s) => s !== '')).toMatch(/^sigil-dna: .*LOCK/);
    });
  });
});
