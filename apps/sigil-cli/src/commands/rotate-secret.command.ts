import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, loadSecretsFile } from '#config';
import type { SigilMetrics } from '#metrics';
import { checkIntegrity, isValidSecret, keyIdOf, SigilService, SystemClock } from '#sigil';
import { MemorySigilRepository } from '#storage';
import { withOps } from '../ops-context.js';
import { describeError, usageExit } from './cli-exit.js';
import { scanIntegrity, type IntegrityReport } from './integrity-scan.js';
import { kubectl } from './kubectl.js';
import { writeFileAtomic } from './prometheus-textfile.js';

const ACTIVE = 'SPIRAL_EVENT_SECRET';
const PREVIOUS = 'SPIRAL_EVENT_SECRET_PREVIOUS';

interface Options {
  envFile?: string;
  k8sSecret?: string;
  namespace?: string;
  deployment?: string;
  pid?: string;
  verifyOnly: boolean;
  json: boolean;
}

export interface Rotation {
  target: string;
  activeKid: string;
  verifyOnlyKids: string[];
  signalled: number | null;
  restarted: string | null;
}

export interface VerifyReport {
  activeKid: string;
  verifyOnlyKids: string[];
  integrity: IntegrityReport;
  selfTest: { kid: string; intact: boolean };
  ok: boolean;
}

class UsageError extends Error {}

/** A new 32-byte secret; the old active one moves to the front of the previous list (deduplicated). */
export function rotated(active: string, previous: readonly string[]): { active: string; previous: string[] } {
  const next = randomBytes(32).toString('hex');
  const older = [...new Set([active, ...previous].map((s) => s.toLowerCase()))].filter((s) => s !== next);
  return { active: next, previous: older };
}

const kidsOf = (secrets: readonly string[]) => [
  ...new Set(secrets.map((s) => keyIdOf(Buffer.from(s, 'hex')))),
];

/** Rewrites (or appends) the two secret lines of an env file, keeping every other line as it was. */
export function rewriteEnvFile(text: string, values: Record<string, string>): string {
  const pending = new Map(Object.entries(values));
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const out = lines.map((line) => {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (name === undefined || !pending.has(name)) return line;
    const value = pending.get(name)!;
    pending.delete(name);
    return `${name}=${value}`;
  });
  for (const [name, value] of pending) out.push(`${name}=${value}`);
  return `${out.join('\n')}\n`;
}

async function rotateEnvFile(file: string, pid: number | undefined): Promise<Rotation> {
  let current: { active: string; previous: string[] };
  try {
    current = loadSecretsFile(file);
  } catch (error) {
    throw new UsageError(describeError(error));
  }
  const next = rotated(current.active, current.previous);
  const text = await readFile(file, 'utf8');
  const content = rewriteEnvFile(text, { [ACTIVE]: next.active, [PREVIOUS]: next.previous.join(',') });
  await writeFileAtomic(file, content, 0o600);
  await chmod(file, 0o600);
  if (pid !== undefined) process.kill(pid, 'SIGHUP');
  return {
    target: file,
    activeKid: keyIdOf(Buffer.from(next.active, 'hex')),
    verifyOnlyKids: kidsOf(next.previous),
    signalled: pid ?? null,
    restarted: null,
  };
}

/** The Secret's data, decoded (kubectl get prints base64 values on stdout, never on a command line). */
async function readK8sSecret(name: string, ns: string[]): Promise<Record<string, Buffer>> {
  const json = JSON.parse(await kubectl(['get', 'secret', name, ...ns, '-o', 'json'])) as {
    data?: Record<string, string>;
  };
  return Object.fromEntries(Object.entries(json.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

function secretsFromK8s(data: Record<string, Buffer>, name: string): { active: string; previous: string[] } {
  const active = data[ACTIVE]?.toString('utf8').trim() ?? '';
  const previous = (data[PREVIOUS]?.toString('utf8') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!isValidSecret(active)) throw new UsageError(`secret ${name}: ${ACTIVE} must be 64 hex characters`);
  previous.forEach((s, i) => {
    if (!isValidSecret(s))
      throw new UsageError(`secret ${name}: ${PREVIOUS} entry ${i + 1} must be 64 hex characters`);
  });
  return { active: active.toLowerCase(), previous: previous.map((s) => s.toLowerCase()) };
}

/**
 * Kubernetes: the Secret is re-created client-side from 0600 files (every existing key kept, the two
 * secret keys replaced) and applied; then the deployment rolls (new pods read the new Secret while
 * old pods keep serving). Secret values never appear in an argument list.
 */
async function rotateK8s(
  name: string,
  namespace: string | undefined,
  deployment: string | undefined,
): Promise<Rotation> {
  const ns = namespace ? ['-n', namespace] : [];
  const data = await readK8sSecret(name, ns);
  const current = secretsFromK8s(data, name);
  const next = rotated(current.active, current.previous);
  data[ACTIVE] = Buffer.from(next.active);
  data[PREVIOUS] = Buffer.from(next.previous.join(','));
  const dir = await mkdtemp(join(tmpdir(), 'sigil-rotate-'));
  try {
    const fromFiles: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      if (!/^[-._a-zA-Z0-9]+$/.test(key)) throw new UsageError(`secret ${name}: unexpected key name`);
      const path = join(dir, key);
      await writeFile(path, value, { mode: 0o600 });
      fromFiles.push(`--from-file=${key}=${path}`);
    }
    const manifest = await kubectl([
      'create',
      'secret',
      'generic',
      name,
      ...ns,
      ...fromFiles,
      '--dry-run=client',
      '-o',
      'yaml',
    ]);
    await kubectl(['apply', ...ns, '-f', '-'], manifest);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (deployment) await kubectl(['rollout', 'restart', `deployment/${deployment}`, ...ns]);
  return {
    target: `secret/${name}${namespace ? ` (namespace ${namespace})` : ''}`,
    activeKid: keyIdOf(Buffer.from(next.active, 'hex')),
    verifyOnlyKids: kidsOf(next.previous),
    signalled: null,
    restarted: deployment ? `deployment/${deployment}` : null,
  };
}

/**
 * Every stored sigil passes checkIntegrity under the ring from config (or the given secrets file),
 * and a sigil freshly minted in memory, through the API's own encode, carries the active kid.
 */
export async function verifyRotation(env: Record<string, string | undefined>): Promise<VerifyReport> {
  return withOps(async ({ repository, keys, config }) => {
    const integrity = await scanIntegrity(repository, keys);
    const metrics = { encoded: () => undefined } as unknown as SigilMetrics;
    const service = new SigilService(new MemorySigilRepository(), keys, new SystemClock(), metrics, config);
    const tenantId = 'rotation-self-test';
    const { sigil } = await service.encode(
      { sub: 'sigil-cli', tenantId, scopes: new Set() },
      { data: { selfTest: 'rotate-secret --verify-only' } },
    );
    const status = keys.status();
    const selfTest = {
      kid: sigil.kid,
      intact: sigil.kid === status.activeKid && checkIntegrity(sigil, tenantId, keys) === null,
    };
    return { ...status, integrity, selfTest, ok: integrity.problems.length === 0 && selfTest.intact };
  }, env);
}

export function registerRotateSecretCommand(program: Command): void {
  program
    .command('rotate-secret')
    .description(
      'rotate SPIRAL_EVENT_SECRET: a new 32-byte secret becomes active, the old one moves to SPIRAL_EVENT_SECRET_PREVIOUS (still verifies). Target: --env-file (default $SIGIL_SECRETS_FILE; then --pid sends the service SIGHUP) or --k8s-secret. Prints kids, never secrets. --verify-only: check every stored sigil and a fresh one under the current ring; exit 0 ok, 1 problems, 2 usage/config error',
    )
    .addOption(
      new Option('--env-file <file>', "env-format secrets file (the service's SIGIL_SECRETS_FILE)").env(
        'SIGIL_SECRETS_FILE',
      ),
    )
    .option('--k8s-secret <name>', 'Kubernetes Secret holding SPIRAL_EVENT_SECRET[_PREVIOUS] (uses kubectl)')
    .option('--namespace <ns>', 'Kubernetes namespace')
    .option('--deployment <name>', 'deployment to `kubectl rollout restart` after updating the Secret')
    .option('--pid <pid>', 'service process to send SIGHUP after rewriting --env-file')
    .option(
      '--verify-only',
      'change nothing: verify stored sigils and a fresh one under the current ring',
      false,
    )
    .option('--json', 'print the result as JSON on stdout', false)
    .exitOverride(usageExit)
    .action(async (options: Options) => {
      try {
        if (options.verifyOnly) {
          const env = await verifyEnv(options);
          let report: VerifyReport;
          try {
            report = await verifyRotation(env);
          } catch (error) {
            throw new UsageError(describeError(error));
          }
          printVerify(report, options.json);
          process.exitCode = report.ok ? 0 : 1;
          return;
        }
        const pid = parsePid(options.pid);
        let rotation: Rotation;
        if (options.k8sSecret) {
          if (pid !== undefined) throw new UsageError('--pid applies to --env-file only');
          rotation = await rotateK8s(options.k8sSecret, options.namespace, options.deployment);
        } else if (options.envFile) {
          rotation = await rotateEnvFile(options.envFile, pid);
        } else {
          throw new UsageError(
            'say where the secrets live: --env-file FILE (or SIGIL_SECRETS_FILE) or --k8s-secret NAME',
          );
        }
        printRotation(rotation, options.json);
      } catch (error) {
        process.stderr.write(`sigil rotate-secret: ${describeError(error)}\n`);
        process.exitCode = error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
      }
    });
}

/** The environment the check runs with: the secrets from --env-file or the Kubernetes Secret, if named. */
async function verifyEnv(options: Options): Promise<Record<string, string | undefined>> {
  if (options.k8sSecret) {
    const ns = options.namespace ? ['-n', options.namespace] : [];
    const current = secretsFromK8s(await readK8sSecret(options.k8sSecret, ns), options.k8sSecret);
    return {
      ...process.env,
      SIGIL_SECRETS_FILE: '',
      [ACTIVE]: current.active,
      [PREVIOUS]: current.previous.join(','),
    };
  }
  if (options.envFile) return { ...process.env, SIGIL_SECRETS_FILE: options.envFile };
  return process.env;
}

function parsePid(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError('--pid must be a process id');
  return Number(value);
}

function printRotation(r: Rotation, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const lines = [
    `rotated ${r.target}: new active kid ${r.activeKid}`,
    `  verify-only kids: ${r.verifyOnlyKids.join(', ') || '(none)'}`,
    r.signalled !== null
      ? `  sent SIGHUP to pid ${r.signalled} (the service reloads its key ring in place)`
      : '',
    r.restarted ? `  rolling restart of ${r.restarted} requested` : '',
  ].filter((l) => l !== '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printVerify(r: VerifyReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const i = r.integrity;
  const lines = [
    `active kid ${r.activeKid}; verify-only kids: ${r.verifyOnlyKids.join(', ') || '(none)'}`,
    `${i.checked} stored sigils in ${i.tenants} tenant${i.tenants === 1 ? '' : 's'}: ${i.intact} intact`,
    ...i.problems.map((p) => `  PROBLEM ${p.tenantId}/${p.id}: ${p.problem}`),
    `fresh sigil: kid ${r.selfTest.kid} ${r.selfTest.intact ? 'ok' : 'NOT the active kid or not intact'}`,
    r.ok ? 'result: OK' : 'result: FAILED',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
