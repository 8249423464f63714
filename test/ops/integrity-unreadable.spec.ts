import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelRecordKey } from '#storage/testing';
import { JwksServer } from '../support/jwks-server.js';
import { CLI } from '../support/processes.js';
import { client, SECRET_A, startApp, tempDir } from '../support/test-app.js';

const run = promisify(execFile);

/** Bytes damaged on disk: the nightly check must name the record and still check all the others. */
describe('integrity-check with a record damaged past decoding', () => {
  const jwks = new JwksServer();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const ids: string[] = [];

  beforeAll(async () => {
    await jwks.start();
    dir = await tempDir();
    const app = await startApp(jwks, { SIGIL_STORAGE: 'leveldb', SIGIL_DB_PATH: `${dir.path}/db` });
    const call = client(app.url, jwks.token({ tenant: 'acme', scope: 'sigil:write' }));
    for (let i = 0; i < 30; i++)
      ids.push((await call('POST', '/api/v1/sigils', { data: { i } })).body.id as string);
    await app.close();
    const db = new ClassicLevel<string, string>(`${dir.path}/db`);
    await db.put(levelRecordKey('acme', ids[12]), '{"id":"sigil_');
    await db.close();
  });
  afterAll(async () => {
    await jwks.close();
    await dir?.remove();
  });

  it('reports it as unreadable, checks every other record, and exits 1', async () => {
    const result = await run(
      process.execPath,
      [CLI, 'integrity-check', '--json', '--textfile', `${dir.path}/integrity.prom`],
      {
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          SIGIL_DB_PATH: `${dir.path}/db`,
          SPIRAL_EVENT_SECRET: SECRET_A,
          SIGIL_DEV_DIR: `${dir.path}/dev`,
        },
      },
    ).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      checked: 30,
      intact: 29,
      problems: [{ tenantId: 'acme', id: ids[12], problem: 'unreadable' }],
    });
    const textfile = await readFile(`${dir.path}/integrity.prom`, 'utf8');
    expect(textfile).toMatch(/^sigil_integrity_problems\{problem="unreadable"\} 1$/m);
    expect(textfile).toMatch(/^sigil_integrity_last_status 0$/m);
  });
});
