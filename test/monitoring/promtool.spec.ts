import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/test-app.js';
import {
  ALERT_TESTS,
  ALERTS,
  PROMETHEUS_CONFIG,
  PROMETHEUS_DIR,
  promtool,
  requirePromtool,
} from './promtool.js';
import { parseAlertRules, parseAlertTests } from './rule-files.js';

/** Heading anchors of docs/operations.md, as GitHub makes them (what `runbook_url` points at). */
const runbookAnchors = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => /^#{1,6} /.test(line))
  .map((line) =>
    line
      .replace(/^#+ /, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-'),
  );

/** The runbook's four critical alerts (Monitoring & Alerting › Critical Alerts) and readiness. */
const EXPECTED_ALERTS = {
  SigilHighErrorRate: { severity: 'critical', for: '5m', metric: 'http_requests_total' },
  SigilHighLatency: { severity: 'critical', for: '10m', metric: 'http_request_duration_seconds_bucket' },
  SigilDiskFull: { severity: 'critical', for: '5m', metric: 'sigil_disk_free_ratio' },
  SigilMemoryHigh: { severity: 'critical', for: '5m', metric: 'sigil_memory_limit_bytes' },
  SigilNotReady: { severity: 'warning', for: '3m', metric: 'sigil_ready' },
  SigilTargetDown: { severity: 'critical', for: '2m', metric: 'up' },
} as const;
/** The Helm chart's integrity-check CronJob, through kube-state-metrics (whatever its scrape job). */
const KUBERNETES_ALERTS = {
  SigilIntegrityCheckFailed: {
    severity: 'warning',
    for: '90m',
    metric: 'kube_cronjob_status_last_successful_time',
    selects: 'cronjob=~".+-integrity-check"',
  },
} as const;
const ALL_ALERTS = { ...EXPECTED_ALERTS, ...KUBERNETES_ALERTS };

/**
 * One threshold changed per alert: each must make `promtool test rules` fail, or the unit tests would
 * not be pinning that alert's behaviour.
 */
const MUTATIONS: [alert: string, from: string, to: string][] = [
  ['SigilHighErrorRate', ') > 0.01', ') > 0.05'],
  ['SigilHighLatency', ') > 1\n', ') > 5\n'],
  ['SigilDiskFull', '< 0.10', '< 0.01'],
  ['SigilMemoryHigh', '> 0.8\n', '> 0.95\n'],
  ['SigilNotReady', 'sigil_ready{job="sigil-dna"} == 0', 'sigil_ready{job="sigil-dna"} < 2'],
  ['SigilTargetDown', 'up{job="sigil-dna"} == 0', 'up{job="sigil-dna"} < 2'],
  ['SigilIntegrityCheckFailed', '> on (namespace, cronjob)', '< on (namespace, cronjob)'],
];

describe('Prometheus rules and config (promtool)', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    requirePromtool(); // fails, never skips, when promtool is missing
    work = await tempDir('sigil-promtool-');
  });
  afterAll(async () => {
    await work?.remove();
  });

  it('promtool check rules alerts.yml passes', () => {
    const run = promtool(['check', 'rules', ALERTS]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`SUCCESS: ${Object.keys(ALL_ALERTS).length} rules found`);
  });

  it('promtool test rules alerts.test.yml passes', () => {
    const run = promtool(['test', 'rules', ALERT_TESTS]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/SUCCESS/);
  });

  it('promtool check config prometheus.yml passes (with a token file next to it, as deployed)', () => {
    for (const file of ['prometheus.yml', 'alerts.yml'])
      copyFileSync(join(PROMETHEUS_DIR, file), join(work.path, file));
    writeFileSync(join(work.path, 'sigil-dna-metrics.token'), 'example-metrics-token\n', { mode: 0o600 });
    const run = promtool(['check', 'config', join(work.path, 'prometheus.yml')]);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`SUCCESS: ${Object.keys(ALL_ALERTS).length} rules found`); // it loaded the sibling alerts.yml

    // In the tree (no token file there), the syntax still checks.
    const syntax = promtool(['check', 'config', '--syntax-only', PROMETHEUS_CONFIG]);
    expect(syntax.code, syntax.output).toBe(0);
  });

  it('prometheus.yml scrapes job sigil-dna at /metrics every 15s with a bearer token file and loads alerts.yml', () => {
    const config = readFileSync(PROMETHEUS_CONFIG, 'utf8');
    expect(config).toMatch(/^rule_files:\n\s+- alerts\.yml$/m);
    expect(config).toMatch(/- job_name: sigil-dna\b/);
    expect(config).toMatch(/^\s+metrics_path: \/metrics$/m);
    expect(config).toMatch(/^\s+scrape_interval: 15s$/m);
    expect(config).toMatch(/authorization:\n\s+type: Bearer\n\s+credentials_file: \S+/);
  });

  it("alerts.yml holds the runbook's alerts, each with for, severity, summary, description and runbook", () => {
    const rules = parseAlertRules(readFileSync(ALERTS, 'utf8'));
    expect(rules.map((r) => r.alert).sort()).toEqual(Object.keys(ALL_ALERTS).sort());
    for (const rule of rules) {
      const expected: { severity: string; for: string; metric: string; selects?: string } =
        ALL_ALERTS[rule.alert as keyof typeof ALL_ALERTS];
      expect(rule.for, rule.alert).toBe(expected.for);
      expect(rule.labels.severity, rule.alert).toBe(expected.severity);
      expect(rule.expr, rule.alert).toContain(expected.metric);
      const selects = expected.selects ?? 'job="sigil-dna"';
      expect(rule.expr, `${rule.alert} must select ${selects}`).toContain(selects);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.description, rule.alert).toBeTruthy();
      expect(rule.annotations.runbook, rule.alert).toMatch(/^docs\/operations\.md — /);
      expect(rule.annotations.runbook_url, rule.alert).toMatch(/^docs\/operations\.md#[a-z-]+$/);
      // The anchor is a heading of the operations runbook (GitHub's slug: lower case, no punctuation).
      const anchor = rule.annotations.runbook_url.split('#')[1];
      expect(runbookAnchors, rule.alert).toContain(anchor);
    }
  });

  it('alerts.test.yml has a firing and a non-firing case for every alert', () => {
    const cases = parseAlertTests(readFileSync(ALERT_TESTS, 'utf8'));
    const summary = cases
      .map((c) => `${c.alertname} @${c.evalTime} → ${c.expectedAlerts} (${c.group})`)
      .join('\n');
    for (const alert of Object.keys(ALL_ALERTS)) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => c.expectedAlerts > 0),
        `${alert} never fires in a test:\n${summary}`,
      ).toBe(true);
      expect(
        mine.some((c) => c.expectedAlerts === 0),
        `${alert} never stays quiet in a test:\n${summary}`,
      ).toBe(true);
    }
    const strangers = cases.filter((c) => !(c.alertname in ALL_ALERTS)).map((c) => c.alertname);
    expect(strangers, 'tests for alerts that alerts.yml does not define').toEqual([]);
  });

  it.each(MUTATIONS)('the unit tests catch a changed %s threshold (%j → %j)', (_alert, from, to) => {
    const original = readFileSync(ALERTS, 'utf8');
    expect(original.split(from).length - 1, `"${from}" should occur exactly once in alerts.yml`).toBe(1);
    writeFileSync(join(work.path, 'alerts.yml'), original.replace(from, to));
    copyFileSync(ALERT_TESTS, join(work.path, 'alerts.test.yml'));
    const run = promtool(['test', 'rules', join(work.path, 'alerts.test.yml')]);
    expect(run.code, `promtool test rules still passed with the mutation:\n${run.output}`).not.toBe(0);
  });
});
