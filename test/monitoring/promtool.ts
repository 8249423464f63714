import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The monitoring artifacts, resolved from this file so the tests run from any working directory. */
export const MONITORING = fileURLToPath(new URL('../../monitoring/', import.meta.url));
export const PROMETHEUS_DIR = `${MONITORING}prometheus/`;
export const ALERTS = `${PROMETHEUS_DIR}alerts.yml`;
export const ALERT_TESTS = `${PROMETHEUS_DIR}alerts.test.yml`;
export const PROMETHEUS_CONFIG = `${PROMETHEUS_DIR}prometheus.yml`;
export const DASHBOARD = `${MONITORING}grafana/sigil_dashboard_v2.json`;

/** `PROMTOOL` overrides the binary (e.g. a newer upstream release); else `promtool` on PATH. */
const BINARY = process.env.PROMTOOL ?? 'promtool';

const MISSING =
  `promtool not found (${BINARY}): the monitoring tests need it and are never skipped. ` +
  'Run `bash scripts/ensure-test-services.sh` (as root it installs Debian\'s "prometheus" package, which ' +
  'provides /usr/bin/promtool; otherwise it names the package to install), or set PROMTOOL to a promtool binary.';

export interface PromtoolResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Everything it printed, for assertion messages. */
  output: string;
}

/** Runs promtool synchronously (it is fast); `input` goes to its stdin. Throws a clear error if it is missing. */
export function promtool(args: string[], options: { cwd?: string; input?: string } = {}): PromtoolResult {
  const run = spawnSync(BINARY, args, {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    if ((run.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(MISSING);
    throw run.error;
  }
  const stdout = run.stdout ?? '';
  const stderr = run.stderr ?? '';
  return {
    code: run.status ?? -1,
    stdout,
    stderr,
    output: `$ promtool ${args.join(' ')}\n${stdout}${stderr}`,
  };
}

/** Fails (never skips) when promtool is not installed. */
export function requirePromtool(): void {
  promtool(['--version']);
}
