import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '#metrics';
import { scrapeAfterTraffic, scrapeFresh, type LiveScrape } from './live-metrics.js';
import { baseName, familyOf, groupingLabels, metricNames, selectorLabels } from './promql.js';
import { ALERTS, DASHBOARD } from './promtool.js';
import { parseAlertRules } from './rule-files.js';

interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null }[] } } };
  panels?: Panel[];
}

const DS_UID = '${DS_PROMETHEUS}';
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
/** Rows may nest their panels (when collapsed); everything else is top level. */
const allPanels: Panel[] = (dashboard.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);
const queryPanels = allPanels.filter((p) => p.type !== 'row');

/** Every PromQL expression: panel targets and `label_values(metric…, label)` variable queries. */
const dashboardExprs: { where: string; expr: string }[] = [
  ...queryPanels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })),
  ),
  ...(dashboard.templating?.list ?? []).flatMap((v: any) => {
    const query: string = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const m = /^label_values\((.*),\s*\w+\)$/.exec(query.trim());
    return m ? [{ where: `variable $${v.name}`, expr: m[1] }] : [];
  }),
];
const alertExprs = parseAlertRules(readFileSync(ALERTS, 'utf8')).map((r) => ({
  where: `alert ${r.alert}`,
  expr: r.expr,
}));

/** Labels Prometheus adds at scrape time (never in /metrics) or that histograms carry. */
const TARGET_LABELS = new Set(['job', 'instance', 'le']);

/** prom-client's default process/Node metrics, from a private registry (no app needed). */
async function defaultMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
  registry.clear();
  return new Set(names);
}

describe('Grafana dashboard monitoring/grafana/sigil_dashboard_v2.json', () => {
  it('is an importable dashboard: uid, title, tags, schema version, the DS_PROMETHEUS input', () => {
    expect(dashboard.uid).toBe('sigil-dna-v2');
    expect(dashboard.title).toBe('Sigil-DNA');
    expect(dashboard.tags).toEqual(expect.arrayContaining(['sigil-dna']));
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.id ?? null).toBeNull(); // an instance-specific id would clash on import
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    expect(dashboard.__requires).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'datasource', id: 'prometheus' })]),
    );
    expect(queryPanels.length).toBeGreaterThanOrEqual(15);
  });

  it('queries only through ${DS_PROMETHEUS}: every panel, every target, every query variable', () => {
    const wrong: string[] = [];
    for (const p of queryPanels) {
      if (p.datasource?.uid !== DS_UID || p.datasource?.type !== 'prometheus')
        wrong.push(`panel "${p.title}"`);
      if (!p.targets?.length) wrong.push(`panel "${p.title}" has no targets`);
      for (const t of p.targets ?? []) {
        if (t.datasource && t.datasource.uid !== DS_UID) wrong.push(`panel "${p.title}" target ${t.refId}`);
        if (!t.expr?.trim()) wrong.push(`panel "${p.title}" target ${t.refId} has no expr`);
      }
      const refIds = (p.targets ?? []).map((t) => t.refId);
      if (new Set(refIds).size !== refIds.length) wrong.push(`panel "${p.title}" repeats a refId`);
    }
    for (const v of dashboard.templating?.list ?? []) {
      if (v.type === 'query' && v.datasource?.uid !== DS_UID) wrong.push(`variable $${v.name}`);
    }
    // Nothing may point at a concrete data source uid left over from an export.
    const uids = [...JSON.stringify(dashboard).matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1]);
    for (const uid of uids)
      if (![DS_UID, 'sigil-dna-v2', '-- Grafana --'].includes(uid)) wrong.push(`uid ${uid}`);
    expect(wrong, wrong.join('\n')).toEqual([]);
  });

  it('has $job and $instance variables that every panel query filters on', () => {
    const names = (dashboard.templating?.list ?? []).map((v: { name: string }) => v.name);
    expect(names).toEqual(expect.arrayContaining(['job', 'instance']));
    const unfiltered = queryPanels
      .flatMap((p) => (p.targets ?? []).map((t) => ({ p, t })))
      .filter(({ t }) => !t.expr.includes('job=~"$job"') || !t.expr.includes('instance=~"$instance"'))
      .map(({ p, t }) => `panel "${p.title}" ${t.refId}`);
    expect(unfiltered, unfiltered.join('\n')).toEqual([]);
  });

  it('has unique panel ids and a sane grid layout', () => {
    const ids = allPanels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    const problems: string[] = [];
    for (const p of allPanels) {
      const { h, w, x, y } = p.gridPos ?? ({} as Panel['gridPos']);
      if (![h, w, x, y].every((n) => Number.isInteger(n) && n >= 0) || w < 1 || h < 1 || x + w > 24) {
        problems.push(`panel "${p.title}" gridPos ${JSON.stringify(p.gridPos)}`);
        continue;
      }
      for (let row = y; row < y + h; row++) {
        for (let col = x; col < x + w; col++) {
          const other = cells.get(`${row}:${col}`);
          if (other) problems.push(`panel "${p.title}" overlaps "${other}"`);
          cells.set(`${row}:${col}`, p.title);
        }
      }
    }
    expect([...new Set(problems)], problems.join('\n')).toEqual([]);
  });

  it('has the panels the runbook needs, with units', () => {
    const titles = queryPanels.map((p) => p.title);
    for (const needed of [
      /request rate by route and status/i,
      /error ratio/i,
      /problem responses by code/i,
      /encode latency/i,
      /verify latency/i,
      /http p95 by route/i,
      /storage latency/i,
      /verify results/i,
      /rate-limited/i,
      /rate-limit backend/i,
      /auth failures/i,
      /readiness/i,
      /disk free/i,
      /memory/i,
      /heap/i,
      /cpu/i,
      /event-loop lag/i,
    ]) {
      expect(
        titles.some((t) => needed.test(t)),
        `no panel matches ${needed}`,
      ).toBe(true);
    }
    const unitless = queryPanels.filter((p) => !p.fieldConfig?.defaults?.unit).map((p) => p.title);
    expect(unitless, `panels without a unit: ${unitless.join(', ')}`).toEqual([]);
  });

  it('marks the runbook budgets: encode P95 0.5 s, verify P95 0.1 s', () => {
    const thresholdOf = (title: RegExp) => {
      const panel = queryPanels.find((p) => title.test(p.title))!;
      return panel.fieldConfig?.defaults?.thresholds?.steps.map((s) => s.value).filter((v) => v !== null);
    };
    expect(thresholdOf(/encode latency/i)).toEqual([0.5]);
    expect(thresholdOf(/verify latency/i)).toEqual([0.1]);
    const percentiles = (title: RegExp) =>
      queryPanels
        .find((p) => title.test(p.title))!
        .targets!.map((t) => /histogram_quantile\((0\.\d+)/.exec(t.expr)?.[1]);
    expect(percentiles(/encode latency/i)).toEqual(['0.5', '0.95', '0.99']);
    expect(percentiles(/verify latency/i)).toEqual(['0.5', '0.95', '0.99']);
  });
});

const PROMETHEUS_SYNTHETIC = new Set(['up']);
/**
 * Exported by kube-state-metrics, not by the service: the rule that watches the Helm chart's
 * integrity-check CronJob (a failed run is a failed Job, whatever the check found).
 */
const EXTERNAL_METRICS = new Set([
  'kube_cronjob_status_last_schedule_time',
  'kube_cronjob_status_last_successful_time',
]);

describe('metric names in the dashboard and the alert rules', () => {
  const everyExpr = [...dashboardExprs, ...alertExprs];

  it('finds metric names in every expression', () => {
    const empty = everyExpr.filter(({ expr }) => metricNames(expr).length === 0).map((e) => e.where);
    expect(empty, `no metric name found in: ${empty.join(', ')}`).toEqual([]);
  });

  it('uses only names from libs/metrics/src/metric-names.ts, prom-client defaults and `up`', async () => {
    const known = new Set<string>([
      ...Object.values(METRICS),
      ...(await defaultMetricNames()),
      ...PROMETHEUS_SYNTHETIC,
      ...EXTERNAL_METRICS,
    ]);
    const unknown = everyExpr.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !known.has(baseName(name, known)))
        .map((name) => `${name} (${where})`),
    );
    expect(unknown, `not in metric-names.ts nor a prom-client default:\n${unknown.join('\n')}`).toEqual([]);
  });

  /**
   * The same checks against two scrapes: after a little of every kind of traffic, and the very first
   * scrape of a process that has served nothing. On the fresh one every queried metric must already
   * have a series (a labelled counter nobody incremented is not exported, so a panel on it reads "no
   * data" and a rate() alert on it can't fire), and every label the queries use must be on it.
   */
  describe.each([
    { when: 'after some traffic', scrapeOf: scrapeAfterTraffic, fresh: false },
    {
      when: 'on the first scrape of a fresh process that has served no traffic',
      scrapeOf: scrapeFresh,
      fresh: true,
    },
  ])('against a live /metrics of the real app, $when', ({ scrapeOf, fresh }) => {
    let live: LiveScrape;
    beforeAll(async () => {
      live = await scrapeOf();
    });

    const check = (exprs: { where: string; expr: string }[]) => {
      const missing = new Map<string, string[]>();
      const misused: string[] = [];
      const noSeries = new Map<string, string[]>();
      for (const { where, expr } of exprs) {
        for (const name of metricNames(expr)) {
          // `up` is Prometheus's own per-target series, not something /metrics exports.
          if (PROMETHEUS_SYNTHETIC.has(name) || EXTERNAL_METRICS.has(name)) continue;
          const family = familyOf(name, live.types);
          if (family === undefined) {
            missing.set(name, [...(missing.get(name) ?? []), where]);
          } else if (family === name && ['histogram', 'summary'].includes(live.types.get(name)!)) {
            misused.push(
              `${where}: ${name} is a ${live.types.get(name)}; select ${name}_bucket, _sum or _count`,
            );
          } else if (!seriesOf(name)) {
            noSeries.set(name, [...(noSeries.get(name) ?? []), where]);
          }
        }
      }
      return { missing, misused, noSeries };
    };
    /** Whether /metrics has at least one sample of exactly this series name (x, x_bucket, x_count…). */
    const seriesOf = (name: string) => new RegExp(`^${name}(\\{| )`, 'm').test(live.text);

    const report = (missing: Map<string, string[]>) =>
      [...missing].map(([name, where]) => `${name}  ← ${[...new Set(where)].join('; ')}`).join('\n') +
      `\n\n/metrics declared: ${[...live.types.keys()].sort().join(', ')}`;

    it('every dashboard metric is exported', () => {
      const { missing, misused, noSeries } = check(dashboardExprs);
      expect([...missing.keys()], `missing from a live /metrics:\n${report(missing)}`).toEqual([]);
      expect(misused, misused.join('\n')).toEqual([]);
      if (fresh) expect([...noSeries.keys()], `declared but no series yet:\n${report(noSeries)}`).toEqual([]);
    });

    it('every alert rule metric is exported', () => {
      const { missing, misused, noSeries } = check(alertExprs);
      expect([...missing.keys()], `missing from a live /metrics:\n${report(missing)}`).toEqual([]);
      expect(misused, misused.join('\n')).toEqual([]);
      if (fresh) expect([...noSeries.keys()], `declared but no series yet:\n${report(noSeries)}`).toEqual([]);
    });

    it('reports readiness as of the scrape: sigil_ready 1 and every readiness check up', () => {
      expect(live.text).toMatch(/^sigil_ready 1$/m);
      for (const check of ['lifecycle', 'storage', 'signing', 'rateLimit', 'disk', 'heap']) {
        expect(live.text).toMatch(new RegExp(`^sigil_readiness_check\\{check="${check}"\\} 1$`, 'm'));
      }
    });

    it('every label the expressions filter or group by is on the live series', () => {
      const wrong: string[] = [];
      for (const { where, expr } of everyExpr) {
        const families = metricNames(expr)
          .map((name) => familyOf(name, live.types))
          .filter((f): f is string => f !== undefined && (live.labels.get(f)?.size ?? 0) > 0);
        for (const { metric, labels } of selectorLabels(expr)) {
          const seen = live.labels.get(familyOf(metric, live.types) ?? metric);
          // No samples yet: reported by the name checks (fresh) or not produced by this traffic.
          if (!seen?.size) continue;
          for (const label of labels) {
            if (!TARGET_LABELS.has(label) && !seen.has(label))
              wrong.push(`${where}: ${metric} has no label "${label}"`);
          }
        }
        if (families.length === 0) continue;
        for (const label of groupingLabels(expr)) {
          if (TARGET_LABELS.has(label)) continue;
          if (!families.some((f) => live.labels.get(f)!.has(label))) {
            wrong.push(`${where}: no series of ${families.join(', ')} has label "${label}"`);
          }
        }
      }
      expect(wrong, `${wrong.join('\n')}\n\ntraffic:\n${live.traffic.join('\n')}`).toEqual([]);
    });
  });
});

describe('the PromQL name extractor these checks rely on', () => {
  it('finds metric names, not functions, keywords, labels, strings, durations or Grafana variables', () => {
    const expr =
      'histogram_quantile(0.95, sum by (route, le) (rate(http_request_duration_seconds_bucket{job=~"$job", route!~"/a|/b"}[$__rate_interval])))' +
      ' / on (job) group_left clamp_min(sum without (instance) (increase(sigil_error_total{code="NOT_FOUND"}[5m] offset 1h)), 1e-9)' +
      ' > bool 0.01 and ignoring (status) process_resident_memory_bytes unless absent(sigil_ready)';
    expect(metricNames(expr).sort()).toEqual(
      [
        'http_request_duration_seconds_bucket',
        'process_resident_memory_bytes',
        'sigil_error_total',
        'sigil_ready',
      ].sort(),
    );
    expect(groupingLabels(expr).sort()).toEqual(['instance', 'job', 'le', 'route', 'status']);
    expect(selectorLabels(expr)).toEqual([
      { metric: 'http_request_duration_seconds_bucket', labels: ['job', 'route'] },
      { metric: 'sigil_error_total', labels: ['code'] },
    ]);
  });

  it('maps histogram series to their family only when /metrics declares a histogram', () => {
    const types = new Map([
      ['sigil_encode_duration_seconds', 'histogram'],
      ['sigil_encode_total', 'counter'],
    ]);
    expect(familyOf('sigil_encode_duration_seconds_bucket', types)).toBe('sigil_encode_duration_seconds');
    expect(familyOf('sigil_encode_duration_seconds_count', types)).toBe('sigil_encode_duration_seconds');
    expect(familyOf('sigil_encode_total', types)).toBe('sigil_encode_total');
    expect(familyOf('sigil_encode_total_count', types)).toBeUndefined();
    expect(familyOf('sigil_verify_duration_seconds_bucket', types)).toBeUndefined(); // → reported missing
  });
});
