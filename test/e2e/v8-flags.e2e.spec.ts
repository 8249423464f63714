import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, freePort, spawnService, waitReady } from '../support/processes.js';
import { tempDir } from '../support/test-app.js';

// V8 prints one of these for each allocation site it decides to allocate in the old generation.
const TENURE_DECISION = /pretenuring: AllocationSite\(0x[0-9a-f]+\): .* => tenure$/m;

/**
 * The service as it is started turns V8's allocation-site pretenuring off before it loads anything
 * (apps/sigil-api/src/v8-flags.ts), and a flag on node's command line still wins. Observed through
 * V8's own trace of its pretenuring decisions, in a real service process under requests.
 */
describe('V8 flags of the service process', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('sigil-v8-flags-');
  });
  afterAll(() => dir?.remove());

  /** The service's output (V8's trace included) after startup and `requests` probes. */
  async function traceOf(name: string, nodeArgs: string[], requests = 2000): Promise<string> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = spawnService(
      { SIGIL_PORT: String(port), SIGIL_DB_PATH: `${dir.path}/${name}-db`, SIGIL_DEV_DIR: `${dir.path}/dev` },
      undefined,
      ['--trace-pretenuring-statistics', ...nodeArgs],
    );
    try {
      await waitReady(url, service.exited);
      for (let i = 0; i < requests; i += 50) {
        const batch = Array.from({ length: 50 }, () => fetch(`${url}/healthz`).then((r) => r.status));
        expect(new Set(await Promise.all(batch))).toEqual(new Set([200]));
      }
      return service.output();
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  }

  it('runs with allocation-site pretenuring off: V8 tenures no site', async () => {
    const out = await traceOf('default', []);
    expect(out).toContain('Sigil-DNA listening');
    expect(out).not.toMatch(TENURE_DECISION);
  });

  it('leaves the flag to the command line: with --allocation-site-pretenuring, V8 tenures sites', async () => {
    const out = await traceOf('override', ['--allocation-site-pretenuring']);
    expect(out).toContain('Sigil-DNA listening');
    expect(out).toMatch(TENURE_DECISION);
  });
});
