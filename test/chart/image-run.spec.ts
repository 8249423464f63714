import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, inspect, podman, podmanOk, waitExit } from '../support/containers.js';
import { JwksServer } from '../support/jwks-server.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { freePort } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { render, type K8sObject, type Rendered } from './helm.js';
import { podmanRun, podSpecOf, type Cluster, type PodmanRun } from './pod-spec.js';

/**
 * The chart runs the real image: for each storage mode, render the chart, take the pod specs that
 * Kubernetes would run (pod-spec.ts translates each one to `podman run`, refusing any field it can't
 * honour), run the image built from this tree with exactly that, call every rendered probe at its
 * path and port, run the migration Job's rendered command against a throwaway Postgres, and the
 * CronJob's rendered command against the running container.
 *
 * Kubernetes' networking is played by host networking: every pod listens on 127.0.0.1, and the
 * Service's DNS name resolves to 127.0.0.1 (--add-host) with service.port set to the container port,
 * so a rendered URL reaches the pod unchanged. The identity provider is a JWKS on loopback.
 */
const IMAGE = process.env.SIGIL_IMAGE;
const RELEASE = 'sigil';
const NAMESPACE = 'sigil';
const FULLNAME = 'sigil-sigil-dna';
const SERVICE_HOST = `${FULLNAME}.${NAMESPACE}.svc`;

interface Mode {
  kind: 'leveldb' | 'postgres';
  port: number;
  rendered: Rendered;
  cluster: Cluster;
  containers: string[];
  volumes: string[];
}

const run = randomBytes(4).toString('hex');
const jwks = new JwksServer();
let work: string;
let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;
const modes: Mode[] = [];

beforeAll(async () => {
  if (!IMAGE) throw new Error('SIGIL_IMAGE is unset: run `npm run test:chart`, which builds the image first');
  if (!process.env.CONTAINERS_CONF) throw new Error('CONTAINERS_CONF is unset: run `npm run test:chart`');
  if (process.getuid?.() !== 0) throw new Error('the chart test runs Podman as root');
  await podmanOk(['image', 'exists', IMAGE]);
  await jwks.start();
  work = mkdtempSync(join(tmpdir(), 'sigil-chart-'));
});

afterAll(async () => {
  for (const mode of modes) {
    if (mode.containers.length > 0) await podman(['rm', '--force', '--time=0', ...mode.containers]);
    if (mode.volumes.length > 0) await podman(['volume', 'rm', '--force', ...mode.volumes]);
  }
  await jwks.close();
  await redis?.stop();
  await postgres?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Values for a render against this machine: the built image, the loopback JWKS, a free port. */
function valuesFile(kind: Mode['kind'], port: number, extra: Record<string, unknown>): string {
  const [repository, tag] = splitImage(IMAGE!);
  const values = {
    image: { repository, tag, pullPolicy: 'IfNotPresent' },
    storage: { kind },
    auth: { issuer: jwks.issuer, jwksUri: jwks.url },
    signingSecret: { existingSecret: 'sigil-signing' },
    metricsToken: { existingSecret: 'sigil-metrics' },
    containerPort: port,
    service: { port },
    // Shorter than production's 5 s so the test stays quick; the drain and its arithmetic are the same.
    shutdown: { delayMs: 1000, graceMs: 5000 },
    ...extra,
  };
  const file = join(work, `values-${kind}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

function splitImage(image: string): [string, string] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, 'latest'];
}

function clusterOf(
  rendered: Rendered,
  secrets: Record<string, Record<string, string>>,
  dir: string,
): Cluster {
  const configMaps = new Map(
    rendered.objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [o.metadata.name, o.data as Record<string, string>]),
  );
  const claims = new Map(
    rendered.objects
      .filter((o) => o.kind === 'PersistentVolumeClaim')
      .map((o) => [o.metadata.name, `sigil-chart-test-${run}-${o.metadata.name}`]),
  );
  return {
    configMaps,
    secrets: new Map(Object.entries(secrets)),
    claims,
    workDir: dir,
    hosts: [SERVICE_HOST],
  };
}

/** Starts one container of a rendered object's pod. */
async function start(
  mode: Mode,
  object: K8sObject,
  container: string,
): Promise<{ name: string; spec: PodmanRun }> {
  const name = `sigil-chart-test-${run}-${mode.kind}-${container}-${mode.containers.length + 1}`;
  const spec = podmanRun(podSpecOf(object), container, name, mode.cluster);
  mode.containers.push(name);
  await podmanOk(spec.args);
  return { name, spec };
}

/** Runs a Job-like container to its end; returns its exit code and log. */
async function runToEnd(mode: Mode, object: K8sObject, container: string) {
  const { name } = await start(mode, object, container);
  const code = await waitExit(name, 120_000);
  const logs = await podman(['logs', name]);
  return { code, output: logs.stdout + logs.stderr };
}

const probeOk = async (port: number, path: string, timeoutSeconds: number) =>
  fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutSeconds * 1000) }).then(
    (r) => r.status >= 200 && r.status < 400,
    () => false,
  );

/**
 * The kubelet's order: the startup probe until it succeeds (within failureThreshold × periodSeconds),
 * then liveness and readiness; each must succeed. Returns what each probe answered.
 */
async function probe(name: string, spec: PodmanRun): Promise<string[]> {
  const startup = spec.probes.find((p) => p.kind === 'startup')!;
  expect(startup, 'a startupProbe').toBeDefined();
  const deadline = Date.now() + startup.failureThreshold * startup.periodSeconds * 1000;
  let started = false;
  while (!started && Date.now() < deadline) {
    started = await probeOk(startup.port, startup.path, startup.timeoutSeconds);
    if (!started) {
      if ((await inspect(name, '{{.State.Running}}')) !== 'true') {
        const logs = await podman(['logs', name]);
        throw new Error(`${name} exited before its startup probe passed:\n${logs.stdout}${logs.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  expect(started, `startup probe ${startup.path} on ${startup.port}`).toBe(true);
  const answered: string[] = [];
  for (const p of spec.probes) {
    // Readiness may need a moment after startup (the first storage self-test): give it its threshold.
    let ok = false;
    for (let i = 0; i < p.failureThreshold && !ok; i++) {
      ok = await probeOk(p.port, p.path, p.timeoutSeconds);
      if (!ok) await new Promise((r) => setTimeout(r, 500));
    }
    expect(ok, `${p.kind} probe GET ${p.path} on ${p.port}`).toBe(true);
    answered.push(`${p.kind} ${p.path}:${p.port}`);
  }
  return answered;
}

/** `podman stop` waits the rendered terminationGracePeriodSeconds, then kills: the drain must fit. */
async function stopWithinGrace(name: string, spec: PodmanRun): Promise<void> {
  const started = Date.now();
  await podmanOk(['stop', `--time=${spec.stopTimeout}`, name], (spec.stopTimeout + 30) * 1000);
  expect(Number(await inspect(name, '{{.State.ExitCode}}')), 'exit code after SIGTERM').toBe(0);
  expect(Date.now() - started).toBeLessThan(spec.stopTimeout * 1000);
  const logs = await podman(['logs', name]);
  expect(logs.stdout + logs.stderr).toContain('SIGTERM received: draining');
}

describe('the chart runs the real image: storage.kind=leveldb', () => {
  let mode: Mode;
  let server: { name: string; spec: PodmanRun };
  const secret = randomBytes(32).toString('hex');

  beforeAll(async () => {
    const port = await freePort();
    const rendered = render({
      release: RELEASE,
      namespace: NAMESPACE,
      values: [
        valuesFile('leveldb', port, {
          integrityCheck: { adminToken: { existingSecret: 'sigil-admin-token' } },
        }),
      ],
    });
    const dir = join(work, 'leveldb');
    const secrets = {
      'sigil-signing': { 'secrets.env': `SPIRAL_EVENT_SECRET=${secret}\n` },
      'sigil-metrics': { METRICS_TOKEN: randomBytes(32).toString('hex') },
      'sigil-admin-token': {
        token: jwks.token({ tenant: 'ops', scope: 'sigil:admin', sub: 'integrity-check' }),
      },
    };
    mode = {
      kind: 'leveldb',
      port,
      rendered,
      cluster: clusterOf(rendered, secrets, dir),
      containers: [],
      volumes: [],
    };
    modes.push(mode);
    for (const volume of mode.cluster.claims.values()) {
      await podmanOk(['volume', 'create', volume]);
      mode.volumes.push(volume);
    }
  });

  it('starts the Deployment pod as rendered and passes every rendered probe', async () => {
    const deployment = mode.rendered.one('Deployment');
    expect(podSpecOf(deployment).containers).toHaveLength(1);
    server = await start(mode, deployment, 'sigil-dna');
    expect(await probe(server.name, server.spec)).toEqual([
      `startup /healthz:${mode.port}`,
      `liveness /healthz:${mode.port}`,
      `readiness /readyz:${mode.port}`,
    ]);
    // What the pod got: uid/gid, groups, a read-only root, the secrets file, the store on the claim.
    const exec = async (script: string) => (await podmanOk(['exec', server.name, 'sh', '-c', script])).trim();
    expect(await exec('id -u; id -g; id -G')).toMatch(/^1000\n1000\n.*\b1000\b/);
    expect(await exec('touch /app/x 2>&1 || echo refused')).toContain('refused');
    expect(await exec('touch /tmp/x && echo ok')).toBe('ok');
    expect(await exec('touch /var/lib/sigil-leveldb/x && rm /var/lib/sigil-leveldb/x && echo ok')).toBe('ok');
    expect(await exec('grep -c SPIRAL_EVENT_SECRET /run/sigil/secrets.env')).toBe('1');
    expect(await exec('grep -q CapEff:.0000000000000000 /proc/self/status && echo none')).toBe('none');
  });

  it('serves the API, and /metrics only with the token from the Secret', async () => {
    const url = `http://127.0.0.1:${mode.port}`;
    const token = jwks.token({ tenant: 'acme', scope: 'sigil:read sigil:write' });
    for (let i = 0; i < 3; i++) {
      expect((await call(url, token, 'POST', '/api/v1/sigils', { data: { n: i } })).status).toBe(201);
    }
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${mode.cluster.secrets.get('sigil-metrics')!.METRICS_TOKEN}` },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^sigil_rate_limited_total\{scope="anonymous"\} 0$/m);
  });

  it("runs the CronJob's rendered pod (snapshot retention, then the check through the live service)", async () => {
    const cronJob = mode.rendered.one('CronJob');
    const pod = podSpecOf(cronJob);
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['prune-snapshots']);
    const prune = await runToEnd(mode, cronJob, 'prune-snapshots');
    expect(prune.code, prune.output).toBe(0);
    const check = await runToEnd(mode, cronJob, 'integrity-check');
    expect(check.code, check.output).toBe(0);
    expect(check.output).toContain('snapshot of the live store: /var/backups/sigil/sigil-');
    expect(check.output).toMatch(/3 sigils in 1 tenant checked at .*: 3 intact/);
    expect(check.output).toContain('result: OK');
    expect(check.output).not.toContain(secret);
  });

  it('stops within the rendered grace period, draining', async () => {
    await stopWithinGrace(server.name, server.spec);
  });
});

describe('the chart runs the real image: storage.kind=postgres', () => {
  let mode: Mode;
  let server: { name: string; spec: PodmanRun };
  let databaseUrl: string;

  beforeAll(async () => {
    postgres = await startPostgres();
    redis = await startRedis();
    databaseUrl = await postgres.createDatabase();
    const port = await freePort();
    const rendered = render({
      release: RELEASE,
      namespace: NAMESPACE,
      values: [
        valuesFile('postgres', port, {
          replicaCount: 2,
          storage: { kind: 'postgres', postgres: { existingSecret: 'sigil-postgres' } },
          redis: { existingSecret: 'sigil-redis' },
        }),
      ],
    });
    const dir = join(work, 'postgres');
    const secrets = {
      'sigil-signing': { 'secrets.env': `SPIRAL_EVENT_SECRET=${randomBytes(32).toString('hex')}\n` },
      'sigil-metrics': { METRICS_TOKEN: randomBytes(32).toString('hex') },
      'sigil-postgres': { DATABASE_URL: databaseUrl },
      'sigil-redis': { REDIS_URL: redis.url },
    };
    mode = {
      kind: 'postgres',
      port,
      rendered,
      cluster: clusterOf(rendered, secrets, dir),
      containers: [],
      volumes: [],
    };
    modes.push(mode);
  });

  it("runs the migration hook's rendered command against a fresh Postgres", async () => {
    const job = mode.rendered.one('Job', `${FULLNAME}-migrate`);
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const migrate = await runToEnd(mode, job, 'migrate');
    expect(migrate.code, migrate.output).toBe(0);
    expect(migrate.output).toContain('migrations: up to date');
  });

  it('starts a Deployment pod (SIGIL_DB_MIGRATE=false, on the migrated schema) and passes every probe', async () => {
    const deployment = mode.rendered.one('Deployment');
    expect(deployment.spec.replicas).toBe(2); // one is run here: every replica has this same pod spec
    expect(mode.cluster.configMaps.get(FULLNAME)!.SIGIL_DB_MIGRATE).toBe('false');
    server = await start(mode, deployment, 'sigil-dna');
    expect((await probe(server.name, server.spec)).length).toBe(3);
    const url = `http://127.0.0.1:${mode.port}`;
    const ready = (await fetch(`${url}/readyz`).then((r) => r.json())) as any;
    expect(ready.details).toMatchObject({
      storage: { status: 'up', kind: 'postgres' },
      rateLimit: { status: 'up', backend: 'redis' },
    });
    const token = jwks.token({ tenant: 'acme', scope: 'sigil:read sigil:write' });
    for (let i = 0; i < 2; i++) {
      expect((await call(url, token, 'POST', '/api/v1/sigils', { data: { pg: i } })).status).toBe(201);
    }
  });

  it("runs the CronJob's rendered command: the check reads the database directly", async () => {
    const cronJob = mode.rendered.one('CronJob');
    expect(podSpecOf(cronJob).initContainers).toBeUndefined();
    const check = await runToEnd(mode, cronJob, 'integrity-check');
    expect(check.code, check.output).toBe(0);
    expect(check.output).toMatch(/2 sigils in 1 tenant checked at .*: 2 intact/);
    expect(check.output).toContain('result: OK');
    expect(check.output).not.toContain(databaseUrl);
  });

  it('stops within the rendered grace period, draining', async () => {
    await stopWithinGrace(server.name, server.spec);
  });
});
