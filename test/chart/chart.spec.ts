import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHART, EXAMPLES, MONITORING_APIS, python, render, REPO, tryRender, yamlDocuments } from './helm.js';

const example = (name: string) => `${EXAMPLES}/${name}`;
const SUITE_VALUES = {
  leveldb: `${CHART}/tests/values/leveldb.yaml`,
  postgres: `${CHART}/tests/values/postgres.yaml`,
};

describe('one source of truth for the rules and the dashboard', () => {
  const monitoring = render({
    values: [example('embedded-ingress-monitoring.yaml')],
    apiVersions: MONITORING_APIS,
  });

  it('the PrometheusRule holds exactly the groups of monitoring/prometheus/alerts.yml', () => {
    const file = yamlDocuments(readFileSync(`${REPO}monitoring/prometheus/alerts.yml`, 'utf8'))[0] as {
      groups: unknown[];
    };
    const rule = monitoring.one('PrometheusRule');
    expect(rule.spec).toEqual({ groups: file.groups });
    expect(file.groups.length).toBeGreaterThanOrEqual(2);
  });

  it('the files are symlinks into monitoring/, not copies that could drift', () => {
    for (const [link, target] of [
      ['alerts.yml', '../../../monitoring/prometheus/alerts.yml'],
      ['sigil_dashboard_v2.json', '../../../monitoring/grafana/sigil_dashboard_v2.json'],
    ]) {
      expect(readdirSync(`${CHART}/files`)).toContain(link);
      expect(readFileSync(`${CHART}/files/${link}`, 'utf8')).toBe(
        readFileSync(new URL(target, `file://${CHART}/files/`), 'utf8'),
      );
    }
  });

  it("the dashboard ConfigMap is monitoring/grafana/sigil_dashboard_v2.json with the sidecar's data source", () => {
    const file = readFileSync(`${REPO}monitoring/grafana/sigil_dashboard_v2.json`, 'utf8');
    const configMap = monitoring.one('ConfigMap', 'sigil-sigil-dna-dashboard');
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(JSON.parse(configMap.data['sigil_dashboard_v2.json'])).toEqual(
      JSON.parse(file.replaceAll('${DS_PROMETHEUS}', 'prometheus')),
    );
  });
});

describe('secrets', () => {
  it('a generated secret appears in its own Secret and nowhere else, raw or base64', () => {
    const rendered = render({
      values: [SUITE_VALUES.postgres],
      set: {
        'signingSecret.existingSecret': '',
        'signingSecret.create': true,
        'metricsToken.existingSecret': '',
        'metricsToken.create': true,
        'networkPolicy.enabled': true,
        'networkPolicy.egress.postgres.to[0].ipBlock.cidr': '10.0.0.0/8',
        'networkPolicy.egress.redis.to[0].ipBlock.cidr': '10.0.0.0/8',
      },
      apiVersions: MONITORING_APIS,
    });
    const secrets = rendered.objects.filter((o) => o.kind === 'Secret');
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual([
      'sigil-sigil-dna-metrics',
      'sigil-sigil-dna-signing',
    ]);
    const values = secrets.flatMap((s) => Object.values(s.data as Record<string, string>));
    const decoded = values.map((v) => Buffer.from(v, 'base64').toString('utf8'));
    const hex = decoded.flatMap((d) => d.match(/[0-9a-f]{64}/g) ?? []);
    expect(hex).toHaveLength(2);
    const others = rendered.objects.filter((o) => o.kind !== 'Secret').map((o) => JSON.stringify(o));
    for (const needle of [...values, ...hex]) {
      expect(others.filter((o) => o.includes(needle))).toEqual([]);
    }
  });

  it('no ConfigMap and no env literal of any rendered object names a secret variable', () => {
    const SECRET_NAMES = /^(SPIRAL_EVENT_SECRET(_PREVIOUS)?|DATABASE_URL|REDIS_URL|METRICS_TOKEN)$/;
    for (const file of readdirSync(EXAMPLES)) {
      const rendered = render({ values: [example(file)], apiVersions: MONITORING_APIS });
      for (const o of rendered.objects) {
        if (o.kind === 'ConfigMap') {
          expect(
            Object.keys(o.data ?? {}).filter((k) => SECRET_NAMES.test(k)),
            `${file}: ${o.metadata.name}`,
          ).toEqual([]);
        }
        const literal = JSON.stringify(o).match(/\{"name":"[A-Z_]+","value":[^}]*\}/g) ?? [];
        expect(
          literal.filter((l) => SECRET_NAMES.test(JSON.parse(l).name)),
          `${file}: ${o.kind}`,
        ).toEqual([]);
      }
    }
  });
});

describe('checksum/config rolls the pods exactly when the configuration changes', () => {
  const checksumOf = (set: Record<string, string | number | boolean>) => {
    const rendered = render({ values: [SUITE_VALUES.leveldb], set });
    const deployment = rendered.one('Deployment');
    const cronJob = rendered.one('CronJob');
    const sum = deployment.spec.template.metadata.annotations['checksum/config'];
    expect(cronJob.spec.jobTemplate.spec.template.metadata.annotations['checksum/config']).toBe(sum);
    return sum as string;
  };

  it('changes with a setting, stays for a change outside the ConfigMap', () => {
    const base = checksumOf({});
    expect(checksumOf({})).toBe(base);
    expect(checksumOf({ 'config.rateLimit': 500 })).not.toBe(base);
    expect(checksumOf({ 'auth.audience': 'other' })).not.toBe(base);
    expect(checksumOf({ 'config.extraEnv.SIGIL_MAX_JSON_DEPTH': '64' })).not.toBe(base);
    expect(checksumOf({ 'resources.limits.memory': '1Gi' })).toBe(base);
    expect(checksumOf({ 'podAnnotations.team': 'sre' })).toBe(base);
  });
});

describe('values.schema.json and the render refuse wrong values at install time', () => {
  const refusal = (set: Record<string, string | number | boolean>, values = [SUITE_VALUES.leveldb]) =>
    tryRender({ values, set }).error ?? '(rendered)';

  it.each([
    [{ 'storage.kind': 'mysql' }, /storage\/kind.*leveldb.*postgres/],
    [{ replicaCount: 0 }, /replicaCount/],
    [{ 'image.digest': 'latest' }, /image\/digest/],
    [{ 'config.logLevel': 'verbose' }, /config\/logLevel/],
    [{ 'config.extraEnv.METRICS_TOKEN': 'x' }, /METRICS_TOKEN/],
    [{ 'backups.persistence.accessModes[0]': 'ReadWriteOncePod' }, /accessModes/],
    [{ 'service.type': 'ExternalName' }, /service\/type/],
    [{ 'probes.readiness.periodSeconds': 0 }, /periodSeconds/],
    [{ unknownKey: true }, /unknownKey/],
  ])('schema: %j', (set, message) => {
    expect(refusal(set)).toMatch(message);
  });

  it.each([
    [
      { replicaCount: 2 },
      /storage.kind=leveldb runs exactly one replica, not replicaCount=2: LevelDB's LOCK admits one process/,
    ],
    [
      { 'autoscaling.enabled': true },
      /storage.kind=leveldb runs exactly one replica: autoscaling.enabled=true/,
    ],
    [{ 'auth.jwksUri': '' }, /auth.issuer and auth.jwksUri are required/],
    [
      { 'integrityCheck.adminToken.existingSecret': '' },
      /integrityCheck.adminToken.existingSecret is required/,
    ],
    [{ 'backups.persistence.enabled': false }, /needs backups.persistence.enabled=true/],
    [{ 'shutdown.terminationGracePeriodSeconds': 12 }, /shorter than the drain/],
  ])('render: %j', (set, message) => {
    expect(refusal(set)).toMatch(message);
  });

  it('every example renders', () => {
    for (const file of readdirSync(EXAMPLES)) {
      expect(
        tryRender({ values: [example(file)], apiVersions: MONITORING_APIS }).error,
        file,
      ).toBeUndefined();
    }
  });
});

describe('documentation of the values', () => {
  it('values.yaml, values.schema.json and the README table agree (scripts/chart/values_table.py --check)', () => {
    const run = python(['scripts/chart/values_table.py', CHART, '--check']);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
