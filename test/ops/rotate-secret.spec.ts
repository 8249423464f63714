import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '#sigil';
import { JwksServer } from '../support/jwks-server.js';
import { freePort, spawnService, waitReady } from '../support/processes.js';
import { client, SECRET_A, SECRET_B, tempDir } from '../support/test-app.js';

const SCRIPT = new URL('../../scripts/rotate-spiral-secret.sh', import.meta.url).pathname;
const kid = (hex: string) => keyIdOf(Buffer.from(hex, 'hex'));
const HEX64 = /[0-9a-f]{64}/g;

function sh(args: string[], env: Record<string, string>, cwd: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(SCRIPT, args, { env: { PATH: process.env.PATH ?? '', ...env }, cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const secretsIn = (file: string) => {
  const text = readFileSync(file, 'utf8');
  return {
    active: /^SPIRAL_EVENT_SECRET=(.*)$/m.exec(text)![1],
    previous: /^SPIRAL_EVENT_SECRET_PREVIOUS=(.*)$/m.exec(text)![1],
    text,
  };
};

describe('scripts/rotate-spiral-secret.sh', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir();
  });
  afterAll(async () => {
    await jwks.close();
    await dir?.remove();
  });

  it('rotates an env file, SIGHUPs the running service and reloads its ring without a failed request', async () => {
    const secretsFile = `${dir.path}/secrets.env`;
    writeFileSync(secretsFile, `# sigil secrets\nOTHER=keep-me\nSPIRAL_EVENT_SECRET=${SECRET_A}\n`, {
      mode: 0o600,
    });
    const levelPath = `${dir.path}/level`;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      SIGIL_STORAGE: 'leveldb',
      SIGIL_DB_PATH: levelPath,
      JWT_ISSUER: jwks.issuer,
      JWT_JWKS_URI: jwks.url,
      SIGIL_RATE_LIMIT: '1000000',
    };
    // The env var is overridden by the secrets file.
    const service = spawnService({
      ...env,
      SIGIL_PORT: String(port),
      SIGIL_SECRETS_FILE: secretsFile,
      SPIRAL_EVENT_SECRET: SECRET_B,
    });
    try {
      await waitReady(url, service.exited);
      const call = client(url, jwks.token({ tenant: 'acme', scope: 'sigil:read sigil:write sigil:admin' }));
      const old = await call('POST', '/api/v1/sigils', { data: { before: 'rotation' } });
      expect(old.status).toBe(201);
      expect(old.body.kid).toBe(kid(SECRET_A));

      // Traffic across the reload: every request must succeed.
      const statuses: number[] = [];
      let stop = false;
      const loop = (async () => {
        while (!stop) {
          const [e, v] = await Promise.all([
            call('POST', '/api/v1/sigils', { data: { during: 'rotation' } }),
            call('POST', '/api/v1/sigils/verify', { id: old.body.id }),
          ]);
          statuses.push(e.status, v.status);
          expect(v.body.valid).toBe(true);
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      const rotated = await sh(
        ['--env-file', secretsFile, '--pid', String(service.child.pid), '--json'],
        {},
        dir.path,
      );
      expect(rotated.code, rotated.stderr).toBe(0);
      const after = secretsIn(secretsFile);
      const newKid = kid(after.active);
      expect(JSON.parse(rotated.stdout)).toMatchObject({
        activeKid: newKid,
        verifyOnlyKids: [kid(SECRET_A)],
        signalled: service.child.pid,
      });
      expect(after.previous).toBe(SECRET_A);
      expect(after.text).toContain('OTHER=keep-me\n');
      expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
      expect(rotated.stdout + rotated.stderr).not.toContain(after.active);

      let keys = await call('GET', '/api/v1/keys');
      for (let i = 0; i < 50 && keys.body.activeKid !== newKid; i++) {
        await new Promise((r) => setTimeout(r, 100));
        keys = await call('GET', '/api/v1/keys');
      }
      await new Promise((r) => setTimeout(r, 200));
      stop = true;
      await loop;
      expect(keys.body).toEqual({ activeKid: newKid, verifyOnlyKids: [kid(SECRET_A)] });
      expect(statuses.length).toBeGreaterThan(4);
      expect(statuses.filter((s) => s >= 300)).toEqual([]);

      const fresh = await call('POST', '/api/v1/sigils', { data: { after: 'rotation' } });
      expect(fresh.body.kid).toBe(newKid);
      const verified = await call('POST', '/api/v1/sigils/verify', { id: old.body.id });
      expect(verified.body).toMatchObject({ valid: true, kid: kid(SECRET_A) });

      // A broken file on SIGHUP: logged, the current ring stays.
      const good = readFileSync(secretsFile, 'utf8');
      writeFileSync(secretsFile, 'SPIRAL_EVENT_SECRET=not-a-secret\n');
      process.kill(service.child.pid!, 'SIGHUP');
      for (let i = 0; i < 50 && !service.output().includes('secrets not reloaded'); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(service.output()).toContain('secrets not reloaded, keeping the current key ring');
      expect((await call('GET', '/api/v1/keys')).body.activeKid).toBe(newKid);
      expect((await call('POST', '/api/v1/sigils', { data: { still: 'B' } })).body.kid).toBe(newKid);
      writeFileSync(secretsFile, good, { mode: 0o600 });

      const logs = service.output();
      expect(logs).toContain('keys.rotated');
      expect(logs).not.toContain(after.active);
      expect(logs).not.toContain(SECRET_A);
      expect(logs).not.toContain('not-a-secret');
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }

    // LevelDB allows one process: --verify-only runs once the service has stopped.
    const verify = await sh(
      ['--verify-only', '--env-file', secretsFile],
      { ...env, NODE_ENV: 'test' },
      dir.path,
    );
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`fresh sigil: kid ${kid(secretsIn(secretsFile).active)} ok`);
    expect(verify.stdout).toContain('result: OK');
    expect(verify.stdout.match(HEX64)).toBeNull();

    // Under a ring that lost the old secret, the stored kid-A sigil fails verification: exit 1.
    const lost = `${dir.path}/lost.env`;
    writeFileSync(lost, `SPIRAL_EVENT_SECRET=${secretsIn(secretsFile).active}\n`);
    const failing = await sh(['--verify-only', '--env-file', lost], { ...env, NODE_ENV: 'test' }, dir.path);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('unknown_key');
  }, 60_000);

  it('keeps the secrets file readable by the service that reads it: owner, group and mode, never world-readable', async () => {
    const file = `${dir.path}/owned.env`;
    writeFileSync(file, `SPIRAL_EVENT_SECRET=${SECRET_A}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    // As in the image: the service runs as uid/gid 1000 and root rotates the file.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(file, 1000, 1000);
    const before = statSync(file);
    const rotated = await sh(['--env-file', file, '--json'], {}, dir.path);
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = statSync(file);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
    expect(after.mode & 0o777).toBe(0o640);
    expect(secretsIn(file).previous).toBe(SECRET_A);
  });

  it('rotates a Kubernetes Secret via kubectl without a secret on any command line', async () => {
    const bin = `${dir.path}/bin`;
    mkdirSync(bin, { recursive: true });
    const log = `${dir.path}/kubectl.log`;
    const fake = `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, stdin }) + '\\n');
const b64 = (s) => Buffer.from(s).toString('base64');
if (args[0] === 'get') {
  process.stdout.write(JSON.stringify({ data: { SPIRAL_EVENT_SECRET: b64(${JSON.stringify(SECRET_A)}), SPIRAL_EVENT_SECRET_PREVIOUS: b64(${JSON.stringify(`${SECRET_B},${SECRET_A}`)}), DATABASE_URL: b64('postgresql://u:p@db/x') } }));
} else if (args[0] === 'create') {
  const lines = ['apiVersion: v1', 'kind: Secret', 'data:'];
  for (const a of args.filter((a) => a.startsWith('--from-file='))) {
    const [key, path] = a.slice('--from-file='.length).split(/=(.*)/s);
    lines.push('  ' + key + ': ' + fs.readFileSync(path).toString('base64'));
  }
  process.stdout.write(lines.join('\\n') + '\\n');
}
`;
    writeFileSync(`${bin}/kubectl`, fake);
    chmodSync(`${bin}/kubectl`, 0o755);
    const res = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        SCRIPT,
        ['--k8s-secret', 'sigil-secrets', '--namespace', 'sigil', '--deployment', 'sigil-api'],
        { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, cwd: dir.path },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(res.code, res.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[]; stdin: string });
    expect(calls.map((c) => c.args[0])).toEqual(['get', 'create', 'apply', 'rollout']);
    expect(calls[0].args).toEqual(['get', 'secret', 'sigil-secrets', '-n', 'sigil', '-o', 'json']);
    expect(calls[1].args.slice(0, 6)).toEqual([
      'create',
      'secret',
      'generic',
      'sigil-secrets',
      '-n',
      'sigil',
    ]);
    expect(calls[1].args).toContain('--dry-run=client');
    expect(calls[2].args).toEqual(['apply', '-n', 'sigil', '-f', '-']);
    expect(calls[3].args).toEqual(['rollout', 'restart', 'deployment/sigil-api', '-n', 'sigil']);
    // The manifest went over stdin; decode it.
    const data = Object.fromEntries(
      [...calls[2].stdin.matchAll(/^ {2}(\S+): (\S+)$/gm)].map(([, k, v]) => [
        k,
        Buffer.from(v, 'base64').toString(),
      ]),
    );
    expect(data.SPIRAL_EVENT_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(data.SPIRAL_EVENT_SECRET_PREVIOUS).toBe(`${SECRET_A},${SECRET_B}`);
    expect(data.DATABASE_URL).toBe('postgresql://u:p@db/x');
    expect(res.stdout).toContain(`new active kid ${kid(data.SPIRAL_EVENT_SECRET)}`);
    const everyArg = calls.flatMap((c) => c.args).join(' ');
    for (const s of [data.SPIRAL_EVENT_SECRET, SECRET_A, SECRET_B]) {
      expect(everyArg).not.toContain(s);
      expect(res.stdout + res.stderr).not.toContain(s);
    }
    // The 0600 files kubectl read are gone.
    const fromFile = calls[1].args.find((a) => a.startsWith('--from-file=SPIRAL_EVENT_SECRET='))!;
    expect(existsSync(fromFile.split('=')[2])).toBe(false);
  });

  it("rotates the Helm chart's Secret: one key holding the whole secrets file (--k8s-key)", async () => {
    const bin = `${dir.path}/bin-key`;
    mkdirSync(bin, { recursive: true });
    const log = `${dir.path}/kubectl-key.log`;
    const file = `# managed by the rotation\nSPIRAL_EVENT_SECRET=${SECRET_A}\n`;
    const fake = `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, stdin }) + '\\n');
if (args[0] === 'get') {
  process.stdout.write(JSON.stringify({ data: { 'secrets.env': Buffer.from(${JSON.stringify(file)}).toString('base64') } }));
} else if (args[0] === 'create') {
  const lines = ['apiVersion: v1', 'kind: Secret', 'data:'];
  for (const a of args.filter((a) => a.startsWith('--from-file='))) {
    const [key, path] = a.slice('--from-file='.length).split(/=(.*)/s);
    lines.push('  ' + key + ': ' + fs.readFileSync(path).toString('base64'));
  }
  process.stdout.write(lines.join('\\n') + '\\n');
}
`;
    writeFileSync(`${bin}/kubectl`, fake);
    chmodSync(`${bin}/kubectl`, 0o755);
    const rotate = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          SCRIPT,
          args,
          { env: { PATH: `${bin}:${process.env.PATH ?? ''}` }, cwd: dir.path },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const res = await rotate([
      '--k8s-secret',
      'sigil-signing',
      '--k8s-key',
      'secrets.env',
      '--namespace',
      'sigil',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[]; stdin: string });
    // No rollout: the chart's pods reload the mounted file themselves.
    expect(calls.map((c) => c.args[0])).toEqual(['get', 'create', 'apply']);
    const [, encoded] = /^ {2}secrets\.env: (\S+)$/m.exec(calls[2].stdin)!;
    const rotatedFile = Buffer.from(encoded, 'base64').toString();
    const active = /^SPIRAL_EVENT_SECRET=([0-9a-f]{64})$/m.exec(rotatedFile)![1];
    expect(rotatedFile).toBe(
      `# managed by the rotation\nSPIRAL_EVENT_SECRET=${active}\nSPIRAL_EVENT_SECRET_PREVIOUS=${SECRET_A}\n`,
    );
    expect(res.stdout).toContain(`new active kid ${kid(active)}`);
    const everyArg = calls.flatMap((c) => c.args).join(' ');
    for (const secret of [active, SECRET_A]) {
      expect(everyArg).not.toContain(secret);
      expect(res.stdout + res.stderr).not.toContain(secret);
    }

    // A key that is not a valid secrets file: exit 2, naming the Secret and key, echoing no value.
    const wrongKey = await rotate(['--k8s-secret', 'sigil-signing', '--k8s-key', 'other.env']);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain('secret sigil-signing has no key other.env');
    expect((await rotate(['--k8s-key', 'secrets.env'])).stderr).toContain(
      '--k8s-key applies to --k8s-secret only',
    );
  });

  it('exits 2 without a target or with an invalid secrets file, echoing no value', async () => {
    expect((await sh([], {}, dir.path)).code).toBe(2);
    const bad = `${dir.path}/bad.env`;
    writeFileSync(bad, 'SPIRAL_EVENT_SECRET=deadbeef-secret-ish\n');
    const res = await sh(['--env-file', bad], {}, dir.path);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('must be 64 hex characters');
    expect(res.stderr).not.toContain('deadbeef-secret-ish');
    // Node itself must not take the command's --env-file for its own option (it would exit 9).
    const missing = await sh(['--env-file', `${dir.path}/missing.env`], {}, dir.path);
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toMatch(/^sigil rotate-secret: /m);
  });
});
