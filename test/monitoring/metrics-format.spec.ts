import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '#metrics';
import { scrapeAfterTraffic, type LiveScrape } from './live-metrics.js';
import { promtool, requirePromtool } from './promtool.js';

/**
 * promtool's exit codes for `check metrics`: 0 clean, 1 the exposition does not parse, 3 it parses but
 * the linter has findings (printed as "<metric> <problem>" lines).
 */
const PARSE_ERROR = 1;
const LINT_FINDINGS = 3;

/**
 * Findings in prom-client's own default metrics, which this project does not name: these gauges end in
 * `_total`. Anything else promtool complains about fails the test.
 */
const UPSTREAM_FINDINGS = new Set([
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
]);

describe('GET /metrics is valid Prometheus exposition (promtool check metrics)', () => {
  let live: LiveScrape;
  beforeAll(async () => {
    requirePromtool(); // fails, never skips, when promtool is missing
    live = await scrapeAfterTraffic();
  });

  it('parses, and lints clean apart from known prom-client default findings', () => {
    const run = promtool(['check', 'metrics'], { input: live.text });
    const findings = run.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const message = `promtool check metrics exited ${run.code}:\n${run.output}`;
    expect(run.code, message).not.toBe(PARSE_ERROR);
    expect([0, LINT_FINDINGS], message).toContain(run.code);
    const ours = findings.filter((f) => !UPSTREAM_FINDINGS.has(f));
    expect(ours, message).toEqual([]);
    if (run.code === LINT_FINDINGS) expect(findings.length, message).toBeGreaterThan(0);
  });

  it("nothing promtool reports concerns this service's own metrics", () => {
    const run = promtool(['check', 'metrics'], { input: live.text });
    const own = new Set<string>(Object.values(METRICS));
    const flagged = run.stderr
      .split('\n')
      .map((l) => l.trim().split(' ')[0])
      .filter((name) => name && [...own].some((m) => name === m || name.startsWith(`${m}_`)));
    expect(flagged, run.output).toEqual([]);
  });

  it('exports every metric named in metric-names.ts, each with HELP and TYPE', () => {
    const missing = Object.values(METRICS).filter((name) => !live.types.has(name));
    expect(missing, `not in /metrics: ${missing.join(', ')}`).toEqual([]);
    const noHelp = Object.values(METRICS).filter((name) => !live.text.includes(`# HELP ${name} `));
    expect(noHelp, `no HELP line: ${noHelp.join(', ')}`).toEqual([]);
  });

  it('the check is not vacuous: promtool rejects a broken exposition', () => {
    const broken = `${live.text}# TYPE broken counter\nbroken_total{label="unterminated 1\n`;
    const run = promtool(['check', 'metrics'], { input: broken });
    expect(run.code, run.output).toBe(PARSE_ERROR);
  });
});
