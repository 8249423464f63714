import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIOS = ['a', 'b', 'c', 'd', 'e'];
const TIMEOUT_MS = 180_000;

/**
 * The runbook's chaos harness, as CI runs it (`npm test`, as root: the disk-full scenario mounts a
 * tmpfs). It drives the built service, so `npm test` builds first.
 */
describe('scripts/chaos-harness.sh --short', () => {
  it(
    'passes every scenario: kill -9 storm, second instance, disk full, Redis killed, Postgres killed',
    async () => {
      const child = spawn('bash', ['scripts/chaos-harness.sh', '--short'], {
        cwd: ROOT,
        env: { ...process.env, CI: process.env.CI ?? 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS - 5_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      clearTimeout(timer);
      expect(output, output).not.toMatch(/^FAIL/m);
      for (const key of SCENARIOS) {
        expect(
          output.match(new RegExp(`^PASS \\(${key}\\) `, 'gm')),
          `scenario ${key}:\n${output}`,
        ).toHaveLength(1);
      }
      expect(code, output).toBe(0);
    },
    TIMEOUT_MS,
  );
});
