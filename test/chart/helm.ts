import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The chart and the pinned tools `scripts/chart.sh test` installs and hands down (HELM, PYTHON):
 * `npm run test:chart` runs this suite; run alone, it fails with what to do instead.
 */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CHART = `${REPO}helm/sigil-dna`;
export const EXAMPLES = `${CHART}/examples`;
/** The APIs of the Prometheus Operator, as a cluster that has it reports them. */
export const MONITORING_APIS = [
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
];

function tool(name: 'HELM' | 'PYTHON'): string {
  const path = process.env[name];
  if (!path)
    throw new Error(`${name} is unset: run \`npm run test:chart\` (scripts/chart.sh installs the tools)`);
  return path;
}

/** A Kubernetes object as helm renders it (parsed from YAML). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: any;
}

export interface RenderOptions {
  values?: string[];
  set?: Record<string, string | number | boolean>;
  apiVersions?: string[];
  release?: string;
  namespace?: string;
}

export interface Rendered {
  text: string;
  objects: K8sObject[];
  /** The one object of this kind (and name, when given); throws if there is not exactly one. */
  one(kind: string, name?: string): K8sObject;
}

/** `helm template`; throws with helm's message when rendering fails. */
export function render(options: RenderOptions = {}): Rendered {
  const result = tryRender(options);
  if (result.error !== undefined) throw new Error(result.error);
  return result.rendered!;
}

/** `helm template`, returning helm's error message instead of throwing (for the refusals). */
export function tryRender(options: RenderOptions): { rendered?: Rendered; error?: string } {
  const args = [
    'template',
    options.release ?? 'sigil',
    CHART,
    '--namespace',
    options.namespace ?? 'sigil',
    ...(options.values ?? []).flatMap((f) => ['-f', f]),
    ...Object.entries(options.set ?? {}).flatMap(([k, v]) =>
      typeof v === 'string' ? ['--set-string', `${k}=${v}`] : ['--set', `${k}=${v}`],
    ),
    ...(options.apiVersions ?? []).flatMap((a) => ['--api-versions', a]),
  ];
  const run = spawnSync(tool('HELM'), args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  if (run.status !== 0) {
    const message = (run.stderr ?? '')
      .split('\n')
      .filter((l) => !l.includes('symbolic link'))
      .join('\n')
      .trim();
    return { error: message || `helm template exited ${run.status}` };
  }
  const objects = yamlDocuments(run.stdout) as K8sObject[];
  return {
    rendered: {
      text: run.stdout,
      objects,
      one(kind, name) {
        const found = objects.filter(
          (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
        );
        if (found.length !== 1)
          throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
        return found[0];
      },
    },
  };
}

/** Every non-empty document of a YAML stream, parsed by PyYAML (the project has no JS YAML dependency). */
export function yamlDocuments(text: string): unknown[] {
  const run = spawnSync(
    tool('PYTHON'),
    [
      '-c',
      'import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d is not None], sys.stdout)',
    ],
    { input: text, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 },
  );
  if (run.status !== 0) throw new Error(`YAML did not parse: ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown[];
}

/** Runs the pinned Python on a script of the repository (scripts/chart/…). */
export function python(args: string[]): { code: number; stdout: string; stderr: string } {
  const run = spawnSync(tool('PYTHON'), args, { encoding: 'utf8', timeout: 60_000, cwd: REPO });
  return { code: run.status ?? -1, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}
