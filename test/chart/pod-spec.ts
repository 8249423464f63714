import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KubeletSecretVolume } from '../support/kubelet-secret-volume.js';
import type { K8sObject } from './helm.js';

/**
 * A rendered pod spec turned into `podman run` flags, the way the kubelet would run it on a node with
 * host networking: the command, args, environment (envFrom and env, resolved against the rendered
 * ConfigMaps and the test's Secrets, in Kubernetes' order: envFrom first, env over it), the user and
 * groups, the read-only root, capabilities, privilege escalation, seccomp, the memory limit, the stop
 * grace and every volume (PVC → a Podman named volume, emptyDir → a size-limited tmpfs, Secret → a
 * folder laid out as the kubelet lays out a Secret volume, owned root:fsGroup with the item mode).
 *
 * A field it does not know how to honour is an error, not a silent skip: a chart change that adds
 * one must teach this translation first, or the test would run something other than what was rendered.
 */

export interface Cluster {
  /** Rendered ConfigMaps by name. */
  configMaps: Map<string, Record<string, string>>;
  /** The test's Secrets by name (values in clear). */
  secrets: Map<string, Record<string, string>>;
  /** PVC claim name → Podman volume name. */
  claims: Map<string, string>;
  /** Where Secret volumes are laid out on the host. */
  workDir: string;
  /** Host names to resolve to 127.0.0.1 (the Services, under host networking). */
  hosts: string[];
}

export interface PodmanRun {
  args: string[];
  /** The probes, with the named port resolved. */
  probes: {
    kind: 'startup' | 'liveness' | 'readiness';
    path: string;
    port: number;
    periodSeconds: number;
    failureThreshold: number;
    timeoutSeconds: number;
  }[];
  stopTimeout: number;
}

const POD_FIELDS = new Set([
  'serviceAccountName',
  'automountServiceAccountToken',
  'enableServiceLinks',
  'securityContext',
  'terminationGracePeriodSeconds',
  'containers',
  'initContainers',
  'volumes',
  'restartPolicy',
  'topologySpreadConstraints', // scheduling: one node here
  'affinity', // scheduling: one node here
]);
const CONTAINER_FIELDS = new Set([
  'name',
  'image',
  'imagePullPolicy',
  'command',
  'args',
  'ports',
  'envFrom',
  'env',
  'startupProbe',
  'livenessProbe',
  'readinessProbe',
  'resources',
  'securityContext',
  'volumeMounts',
]);

function only(what: string, object: Record<string, unknown>, known: Set<string>): void {
  const unknown = Object.keys(object).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`${what}: no translation to podman for ${unknown.join(', ')}`);
}

/** The pod template of a Deployment, Job or CronJob. */
export function podSpecOf(object: K8sObject): Record<string, any> {
  switch (object.kind) {
    case 'Deployment':
    case 'Job':
      return object.spec.template.spec;
    case 'CronJob':
      return object.spec.jobTemplate.spec.template.spec;
    default:
      throw new Error(`${object.kind} has no pod template`);
  }
}

export function podmanRun(
  pod: Record<string, any>,
  containerName: string,
  name: string,
  cluster: Cluster,
): PodmanRun {
  only('pod spec', pod, POD_FIELDS);
  const container = [...(pod.initContainers ?? []), ...pod.containers].find(
    (c: any) => c.name === containerName,
  );
  if (!container) throw new Error(`no container ${containerName}`);
  only(`container ${containerName}`, container, CONTAINER_FIELDS);
  if (pod.automountServiceAccountToken !== false)
    throw new Error('the pod would mount a service account token');

  const args = ['run', '--detach', `--name=${name}`, '--network=host', '--log-driver=k8s-file'];
  for (const host of cluster.hosts) args.push(`--add-host=${host}:127.0.0.1`);
  args.push(`--pull=${container.imagePullPolicy === 'Never' ? 'never' : 'missing'}`);

  // Security: the pod's context, then the container's over it (as the kubelet merges them).
  const security = { ...(pod.securityContext ?? {}), ...(container.securityContext ?? {}) };
  only(
    'securityContext',
    security,
    new Set([
      'runAsNonRoot',
      'runAsUser',
      'runAsGroup',
      'fsGroup',
      'fsGroupChangePolicy',
      'seccompProfile',
      'allowPrivilegeEscalation',
      'privileged',
      'readOnlyRootFilesystem',
      'capabilities',
    ]),
  );
  if (security.runAsNonRoot && !(security.runAsUser > 0))
    throw new Error('runAsNonRoot needs a numeric non-zero runAsUser');
  if (security.privileged) throw new Error('privileged containers are not translated');
  args.push(`--user=${security.runAsUser}:${security.runAsGroup ?? security.runAsUser}`);
  if (security.fsGroup !== undefined) args.push(`--group-add=${security.fsGroup}`);
  if (security.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
  if (security.allowPrivilegeEscalation === false) args.push('--security-opt=no-new-privileges');
  for (const cap of security.capabilities?.drop ?? []) args.push(`--cap-drop=${cap}`);
  for (const cap of security.capabilities?.add ?? []) args.push(`--cap-add=${cap}`);
  // RuntimeDefault is Podman's default seccomp profile; anything else is not translated.
  if (security.seccompProfile && security.seccompProfile.type !== 'RuntimeDefault') {
    throw new Error(`seccompProfile ${security.seccompProfile.type} is not translated`);
  }

  const memory = container.resources?.limits?.memory as string | undefined;
  if (memory) args.push(`--memory=${memory.replace(/Mi$/, 'm').replace(/Gi$/, 'g')}`);
  const stopTimeout = pod.terminationGracePeriodSeconds ?? 30;
  args.push(`--stop-timeout=${stopTimeout}`);

  // Environment: envFrom first, env over it.
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    only('envFrom', source, new Set(['configMapRef', 'secretRef']));
    const data = source.configMapRef
      ? cluster.configMaps.get(source.configMapRef.name)
      : cluster.secrets.get(source.secretRef.name);
    if (!data) throw new Error(`envFrom ${JSON.stringify(source)}: no such object`);
    for (const [k, v] of Object.entries(data)) env.set(k, v);
  }
  for (const entry of container.env ?? []) {
    if ('value' in entry) env.set(entry.name, String(entry.value));
    else if (entry.valueFrom?.secretKeyRef) {
      const { name: secret, key } = entry.valueFrom.secretKeyRef;
      const value = cluster.secrets.get(secret)?.[key];
      if (value === undefined) throw new Error(`env ${entry.name}: no key ${key} in Secret ${secret}`);
      env.set(entry.name, value);
    } else if (entry.valueFrom?.configMapKeyRef) {
      const { name: configMap, key } = entry.valueFrom.configMapKeyRef;
      const value = cluster.configMaps.get(configMap)?.[key];
      if (value === undefined) throw new Error(`env ${entry.name}: no key ${key} in ConfigMap ${configMap}`);
      env.set(entry.name, value);
    } else throw new Error(`env ${entry.name}: ${JSON.stringify(entry)} is not translated`);
  }
  for (const [k, v] of env) args.push(`--env=${k}=${v}`);

  // Volumes.
  const volumes = new Map<string, any>((pod.volumes ?? []).map((v: any) => [v.name, v]));
  for (const mount of container.volumeMounts ?? []) {
    only('volumeMount', mount, new Set(['name', 'mountPath', 'readOnly']));
    const volume = volumes.get(mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name}: no such volume`);
    const ro = mount.readOnly ? ':ro' : '';
    if (volume.persistentVolumeClaim) {
      const podmanVolume = cluster.claims.get(volume.persistentVolumeClaim.claimName);
      if (!podmanVolume) throw new Error(`no volume for claim ${volume.persistentVolumeClaim.claimName}`);
      args.push(`--volume=${podmanVolume}:${mount.mountPath}${ro}`);
    } else if (volume.emptyDir) {
      const size = String(volume.emptyDir.sizeLimit ?? '64Mi').replace(/Mi$/, 'm');
      args.push(`--tmpfs=${mount.mountPath}:rw,nosuid,nodev,size=${size},mode=1777`);
    } else if (volume.secret) {
      args.push(
        `--volume=${secretVolume(volume, security.fsGroup, cluster)}:${mount.mountPath}${ro || ':ro'}`,
      );
    } else throw new Error(`volume ${mount.name}: ${Object.keys(volume).join(', ')} is not translated`);
  }

  // Command and args: `command` replaces the image's entrypoint, `args` its CMD.
  if (container.command) args.push(`--entrypoint=${JSON.stringify(container.command)}`);
  args.push(container.image);
  if (container.args) args.push(...container.args);

  const ports = new Map<string, number>((container.ports ?? []).map((p: any) => [p.name, p.containerPort]));
  const probes: PodmanRun['probes'] = [];
  for (const kind of ['startup', 'liveness', 'readiness'] as const) {
    const probe = container[`${kind}Probe`];
    if (!probe) continue;
    only(
      `${kind}Probe`,
      probe,
      new Set([
        'httpGet',
        'periodSeconds',
        'timeoutSeconds',
        'failureThreshold',
        'successThreshold',
        'initialDelaySeconds',
      ]),
    );
    const port = typeof probe.httpGet.port === 'number' ? probe.httpGet.port : ports.get(probe.httpGet.port);
    if (port === undefined) throw new Error(`${kind}Probe: no container port named ${probe.httpGet.port}`);
    probes.push({
      kind,
      path: probe.httpGet.path,
      port,
      periodSeconds: probe.periodSeconds ?? 10,
      failureThreshold: probe.failureThreshold ?? 3,
      timeoutSeconds: probe.timeoutSeconds ?? 1,
    });
  }
  return { args, probes, stopTimeout };
}

/**
 * A Secret volume as the kubelet makes it: the items (or every key) in a `..data` folder the keys
 * link into, files owned root:fsGroup with the item mode (else defaultMode, else 0644).
 */
function secretVolume(volume: any, fsGroup: number | undefined, cluster: Cluster): string {
  const { secretName, items, defaultMode } = volume.secret;
  const data = cluster.secrets.get(secretName);
  if (!data) throw new Error(`Secret ${secretName} is not in the test's cluster`);
  const files: Record<string, string> = {};
  for (const item of items ?? Object.keys(data).map((key) => ({ key, path: key }))) {
    if (data[item.key] === undefined) throw new Error(`Secret ${secretName} has no key ${item.key}`);
    files[item.path] = data[item.key];
  }
  const dir = join(cluster.workDir, `secret-${secretName}-${volume.name}`);
  mkdirSync(dir, { recursive: true });
  new KubeletSecretVolume(dir).write(files);
  const mode = defaultMode ?? 0o644;
  const dataDir = join(dir, '..data');
  for (const file of readdirSync(dataDir)) {
    chownSync(join(dataDir, file), 0, fsGroup ?? 0);
    chmodSync(join(dataDir, file), mode);
  }
  chmodSync(dir, 0o755);
  if (!statSync(dataDir).isDirectory()) throw new Error('secret volume layout');
  return dir;
}
