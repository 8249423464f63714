import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSecretsFile } from '#config';
import { isValidSecret, keyIdOf } from '#sigil';
import { runProcess } from '../support/child-process.js';
import { UsageError } from '../support/exit.js';
import { writeFileAtomic } from '../support/fs.js';

export const ACTIVE = 'SPIRAL_EVENT_SECRET';
export const PREVIOUS = 'SPIRAL_EVENT_SECRET_PREVIOUS';

/**
 * Where the service's secrets live: an env file (`pid`: the service to send SIGHUP afterwards, which
 * reloads its ring in place) or a Kubernetes Secret (`deployment`: rolled afterwards). A Secret holds
 * either the two variables as keys, or (`key`) one key that is a whole env-format secrets file, as
 * the Helm chart mounts it for SIGIL_SECRETS_FILE (the pods then reload it on their own).
 */
export type SecretsTarget =
  | { kind: 'env-file'; file: string; pid?: number }
  | { kind: 'k8s-secret'; name: string; namespace?: string; deployment?: string; key?: string };

export interface Rotation {
  target: string;
  activeKid: string;
  verifyOnlyKids: string[];
  signalled: number | null;
  restarted: string | null;
}

interface Secrets {
  active: string;
  previous: string[];
}

/** A new active secret where the secrets live, the old one kept for verifying; reports kids, never secrets. */
export function rotateSecret(target: SecretsTarget): Promise<Rotation> {
  return target.kind === 'env-file' ? rotateEnvFile(target.file, target.pid) : rotateK8s(target);
}

/** A new 32-byte secret; the old active one moves to the front of the previous list (deduplicated). */
function rotated(active: string, previous: readonly string[]): Secrets {
  const next = randomBytes(32).toString('hex');
  const older = [...new Set([active, ...previous].map((s) => s.toLowerCase()))].filter((s) => s !== next);
  return { active: next, previous: older };
}

const kidOf = (secret: string) => keyIdOf(Buffer.from(secret, 'hex'));
const kidsOf = (secrets: readonly string[]) => [...new Set(secrets.map(kidOf))];

/** Rewrites (or appends) the two secret lines of an env file, keeping every other line as it was. */
function rewriteEnvFile(text: string, values: Record<string, string>): string {
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
  const current = loadSecretsFile(file);
  const next = rotated(current.active, current.previous);
  const text = await readFile(file, 'utf8');
  const content = rewriteEnvFile(text, { [ACTIVE]: next.active, [PREVIOUS]: next.previous.join(',') });
  // The new file keeps the old one's owner and group (a service running as another user, e.g. uid
  // 1000 in the image, must still read it after root rotated it) and its owner/group permissions,
  // never more than read-write for them: a secrets file is never world-readable.
  const before = await stat(file);
  const asRoot = process.getuid?.() === 0;
  await writeFileAtomic(
    file,
    content,
    before.mode & 0o660 || 0o600,
    asRoot ? { uid: before.uid, gid: before.gid } : undefined,
  );
  if (pid !== undefined) process.kill(pid, 'SIGHUP');
  return {
    target: file,
    activeKid: kidOf(next.active),
    verifyOnlyKids: kidsOf(next.previous),
    signalled: pid ?? null,
    restarted: null,
  };
}

/** Secrets only ever travel over stdin/stdout or in 0600 files: never in arguments, which `ps` shows. */
const kubectl = (args: string[], input?: string) => runProcess('kubectl', args, input);

/** The Secret's data, decoded (kubectl get prints base64 values on stdout, never on a command line). */
async function readK8sSecret(name: string, ns: string[]): Promise<Record<string, Buffer>> {
  const json = JSON.parse(await kubectl(['get', 'secret', name, ...ns, '-o', 'json'])) as {
    data?: Record<string, string>;
  };
  return Object.fromEntries(Object.entries(json.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

/** The secrets of a Secret's key that is an env-format file, validated as the service validates it. */
async function secretsFromK8sFile(data: Record<string, Buffer>, name: string, key: string): Promise<Secrets> {
  if (data[key] === undefined) throw new UsageError(`secret ${name} has no key ${key}`);
  const dir = await mkdtemp(join(tmpdir(), 'sigil-rotate-'));
  try {
    const file = join(dir, 'secrets.env');
    await writeFile(file, data[key], { mode: 0o600 });
    return loadSecretsFile(file);
  } catch (error) {
    // The problems name the temporary file and a line, never a value: say which Secret it was.
    const reason = error instanceof Error ? error.message.replaceAll(dir, `secret ${name}`) : String(error);
    throw new UsageError(`secret ${name}, key ${key}: ${reason}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function secretsFromK8s(data: Record<string, Buffer>, name: string): Secrets {
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

/** The secrets a Kubernetes Secret holds now (in its two keys, or in `key` as a file), validated. */
export async function k8sSecrets(name: string, namespace?: string, key?: string): Promise<Secrets> {
  const data = await readK8sSecret(name, namespace ? ['-n', namespace] : []);
  return key ? secretsFromK8sFile(data, name, key) : secretsFromK8s(data, name);
}

/**
 * Kubernetes: the Secret is re-created client-side from 0600 files (every existing key kept, the two
 * secret keys replaced) and applied; then the deployment rolls (new pods read the new Secret while
 * old pods keep serving). Secret values never appear in an argument list.
 */
async function rotateK8s({
  name,
  namespace,
  deployment,
  key,
}: Extract<SecretsTarget, { kind: 'k8s-secret' }>): Promise<Rotation> {
  const ns = namespace ? ['-n', namespace] : [];
  const data = await readK8sSecret(name, ns);
  const current = key ? await secretsFromK8sFile(data, name, key) : secretsFromK8s(data, name);
  const next = rotated(current.active, current.previous);
  if (key) {
    // Every other line of the file stays as it was, as with --env-file.
    data[key] = Buffer.from(
      rewriteEnvFile(data[key].toString('utf8'), {
        [ACTIVE]: next.active,
        [PREVIOUS]: next.previous.join(','),
      }),
    );
  } else {
    data[ACTIVE] = Buffer.from(next.active);
    data[PREVIOUS] = Buffer.from(next.previous.join(','));
  }
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
    activeKid: kidOf(next.active),
    verifyOnlyKids: kidsOf(next.previous),
    signalled: null,
    restarted: deployment ? `deployment/${deployment}` : null,
  };
}
