import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '#storage';
import { levelRecordKey } from '#storage/testing';
import { type SigilRecord } from '#sigil';
import { JwksServer } from '../support/jwks-server.js';
import { CLI } from '../support/processes.js';
import { client, SECRET_A, startApp, tempDir } from '../support/test-app.js';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/nightly-integrity-check.sh', import.meta.url).pathname;
const PROMTOOL = '/usr/bin/promtool';
const TENANTS = ['acme', 'globex', 'initech'];
const PER_TENANT = 7;

/** The nightly check as cron runs it: the wrapper script, the built CLI, a real LevelDB store. */
describe('scripts/nightly-integrity-check.sh', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let levelPath: string;
  const ids = new Map<string, string[]>();

  const check = async (...args: string[]) => {
    const result = await run(SCRIPT, args, {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        SIGIL_STORAGE: 'leveldb',
        SIGIL_DB_PATH: levelPath,
        SPIRAL_EVENT_SECRET: SECRET_A,
        JWT_ISSUER: jwks.issuer,
        JWT_JWKS_URI: jwks.url,
      },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );
    return result;
  };

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir();
    levelPath = `${dir.path}/level`;
    const app = await startApp(jwks, { SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: levelPath });
    for (const tenant of TENANTS) {
      const call = client(app.url, jwks.token({ tenant, scope: 'sigil:read sigil:write' }));
      const created = await Promise.all(
        Array.from({ length: PER_TENANT }, (_, n) => call('POST', '/api/v1/sigils', { data: { tenant, n } })),
      );
      ids.set(
        tenant,
        created.map((r) => {
          expect(r.status).toBe(201);
          return r.body.id as string;
        }),
      );
    }
    await app.close();
  });
  afterAll(async () => {
    await jwks.close();
    await dir?.remove();
  });

  it('exits 0 with a full report and a Prometheus textfile when every sigil is intact', async () => {
    const report = `${dir.path}/report.json`;
    const textfile = `${dir.path}/sigil_integrity.prom`;
    const res = await check('--json', '--report', report, '--textfile', textfile);
    expect(res.code, res.stderr).toBe(0);
    const body = JSON.parse(res.stdout);
    expect(body).toMatchObject({ tenants: 3, checked: 21, intact: 21, problems: [], byProblem: {} });
    expect(Date.parse(body.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual(body);
    const metrics = readFileSync(textfile, 'utf8');
    expect(metrics).toContain('# TYPE sigil_integrity_last_status gauge\nsigil_integrity_last_status 1\n');
    expect(metrics).toContain('sigil_integrity_records_checked 21\n');
    expect(metrics).toContain('sigil_integrity_problems{problem="signature_mismatch"} 0\n');
    expect(metrics).toMatch(/sigil_integrity_last_run_timestamp_seconds \d{10}\n/);
    // No temporary files left beside the textfile (the collector would read *.prom only, but still).
    expect(readFileSync(textfile, 'utf8')).toBe(metrics);
    if (existsSync(PROMTOOL)) {
      const checked = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = execFile(PROMTOOL, ['check', 'metrics'], (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
        child.stdin!.end(metrics);
      });
      expect(checked.code, checked.out).toBe(0);
    }
  });

  it('prints a human summary without --json', async () => {
    const res = await check();
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('21 sigils in 3 tenants');
    expect(res.stdout).toContain('result: OK');
  });

  it('runs in production with the signing secret and no JWT settings, creating no dev material', async () => {
    const devDir = `${dir.path}/never-created`;
    const res = await run(process.execPath, [CLI, 'integrity-check', '--json'], {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        SIGIL_DB_PATH: levelPath,
        SPIRAL_EVENT_SECRET: SECRET_A,
        SIGIL_DEV_DIR: devDir,
      },
    });
    expect(JSON.parse(res.stdout)).toMatchObject({ checked: 21, intact: 21, problems: [] });
    expect(existsSync(devDir)).toBe(false);
    expect(existsSync(`${dir.path}/.sigil-dev`)).toBe(false);
  });

  it('exits 1 naming tenant, id and problem for records altered directly in LevelDB', async () => {
    const altered = ids.get('globex')![3];
    const foreignKid = ids.get('initech')![0];
    const db = new ClassicLevel<string, string>(levelPath);
    await db.open();
    const key = levelRecordKey('globex', altered);
    const stored = JSON.parse((await db.get(key))!) as SigilRecord;
    await db.put(key, JSON.stringify({ ...stored, data: { tenant: 'globex', n: 999 } }));
    const key2 = levelRecordKey('initech', foreignKid);
    const stored2 = JSON.parse((await db.get(key2))!) as SigilRecord;
    await db.put(key2, JSON.stringify({ ...stored2, kid: '00000000' }));
    await db.close();

    const textfile = `${dir.path}/failed.prom`;
    const res = await check('--textfile', textfile);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`PROBLEM globex/${altered}: digest_mismatch`);
    expect(res.stdout).toContain(`PROBLEM initech/${foreignKid}: unknown_key`);
    expect(res.stdout).toContain('result: FAILED');
    const json = JSON.parse((await check('--json')).stdout);
    expect(json).toMatchObject({
      checked: 21,
      intact: 19,
      byProblem: { digest_mismatch: 1, unknown_key: 1 },
    });
    expect(json.problems).toEqual([
      { tenantId: 'globex', id: altered, problem: 'digest_mismatch' },
      { tenantId: 'initech', id: foreignKid, problem: 'unknown_key' },
    ]);
    const metrics = readFileSync(textfile, 'utf8');
    expect(metrics).toContain('sigil_integrity_last_status 0\n');
    expect(metrics).toContain('sigil_integrity_problems{problem="digest_mismatch"} 1\n');
    expect(metrics).toContain('sigil_integrity_problems{problem="unknown_key"} 1\n');
  });

  it('exits 2 when the store cannot be opened (held by another process) or on a usage error', async () => {
    const holder = await openStore({ kind: 'leveldb', path: levelPath });
    try {
      const res = await check();
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/sigil integrity-check: /);
    } finally {
      await holder.close();
    }
    expect((await check('--no-such-flag')).code).toBe(2);
  });
});
