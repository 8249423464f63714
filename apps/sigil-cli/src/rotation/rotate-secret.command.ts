import { Option, type Command } from 'commander';
import { action, UsageError } from '../support/exit.js';
import { plural, printReport } from '../support/output.js';
import { verifyRotation, type VerifyReport } from './rotation-check.js';
import { rotateSecret, type Rotation, type SecretsTarget } from './secret-rotation.js';

interface Options {
  envFile?: string;
  k8sSecret?: string;
  k8sKey?: string;
  namespace?: string;
  deployment?: string;
  pid?: string;
  verifyOnly: boolean;
  json: boolean;
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
    .option(
      '--k8s-key <key>',
      "with --k8s-secret: the Secret's key holding a whole env-format secrets file (the Helm chart's secrets.env)",
    )
    .option('--namespace <ns>', 'Kubernetes namespace')
    .option('--deployment <name>', 'deployment to `kubectl rollout restart` after updating the Secret')
    .option('--pid <pid>', 'service process to send SIGHUP after rewriting --env-file')
    .option(
      '--verify-only',
      'change nothing: verify stored sigils and a fresh one under the current ring',
      false,
    )
    .option('--json', 'print the result as JSON on stdout', false)
    .action(
      action(
        async (options: Options) => {
          if (options.verifyOnly) {
            const report = await verifyRotation(options);
            printReport(report, options.json, verifyLines);
            return report.ok;
          }
          printReport(await rotateSecret(targetOf(options)), options.json, rotationLines);
        },
        (options) => options.verifyOnly,
      ),
    );
}

function targetOf(options: Options): SecretsTarget {
  const pid = parsePid(options.pid);
  if (options.k8sSecret) {
    if (pid !== undefined) throw new UsageError('--pid applies to --env-file only');
    return {
      kind: 'k8s-secret',
      name: options.k8sSecret,
      namespace: options.namespace,
      deployment: options.deployment,
      ...(options.k8sKey ? { key: options.k8sKey } : {}),
    };
  }
  if (options.k8sKey) throw new UsageError('--k8s-key applies to --k8s-secret only');
  if (options.envFile) return { kind: 'env-file', file: options.envFile, pid };
  throw new UsageError(
    'say where the secrets live: --env-file FILE (or SIGIL_SECRETS_FILE) or --k8s-secret NAME',
  );
}

function parsePid(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError('--pid must be a process id');
  return Number(value);
}

function rotationLines(r: Rotation): string[] {
  return [
    `rotated ${r.target}: new active kid ${r.activeKid}`,
    `  verify-only kids: ${r.verifyOnlyKids.join(', ') || '(none)'}`,
    r.signalled !== null
      ? `  sent SIGHUP to pid ${r.signalled} (the service reloads its key ring in place)`
      : '',
    r.restarted ? `  rolling restart of ${r.restarted} requested` : '',
  ].filter((l) => l !== '');
}

function verifyLines(r: VerifyReport): string[] {
  const i = r.integrity;
  return [
    `active kid ${r.activeKid}; verify-only kids: ${r.verifyOnlyKids.join(', ') || '(none)'}`,
    `${i.checked} stored sigils in ${plural(i.tenants, 'tenant')}: ${i.intact} intact`,
    ...i.problems.map((p) => `  PROBLEM ${p.tenantId}/${p.id}: ${p.problem}`),
    `fresh sigil: kid ${r.selfTest.kid} ${r.selfTest.intact ? 'ok' : 'NOT the active kid or not intact'}`,
    r.ok ? 'result: OK' : 'result: FAILED',
  ];
}
