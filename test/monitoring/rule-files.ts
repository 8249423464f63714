/**
 * Readers for the two rule files' layout (monitoring/prometheus/alerts.yml and alerts.test.yml). The
 * project has no YAML dependency, and promtool already validates the YAML itself: these only pick out
 * what the tests assert on, and fail loudly if the layout stops matching.
 */

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/** A `key: value` at `lines[i]`, following a block scalar (`|`, `>-`, …) onto the more-indented lines below. */
function scalarAt(lines: string[], i: number): { key: string; value: string; next: number } | undefined {
  const m = /^\s*(?:- )?([\w.]+):\s*(.*)$/.exec(lines[i]);
  if (!m) return undefined;
  const [, key, rest] = m;
  if (!/^[|>][-+]?$/.test(rest)) return { key, value: unquote(rest), next: i + 1 };
  const keyIndent = indentOf(lines[i]);
  const body: string[] = [];
  let j = i + 1;
  while (j < lines.length && (lines[j].trim() === '' || indentOf(lines[j]) > keyIndent))
    body.push(lines[j++]);
  const folded = rest.startsWith('>');
  const text = body.map((l) => l.trim()).filter((l, k, all) => l !== '' || k < all.length - 1);
  return { key, value: (folded ? text.join(' ') : text.join('\n')).trim(), next: j };
}

/** The alerting rules of alerts.yml, in file order. */
export function parseAlertRules(yaml: string): AlertRule[] {
  const lines = yaml.split('\n');
  const rules: AlertRule[] = [];
  let rule: AlertRule | undefined;
  let section: 'labels' | 'annotations' | undefined;
  let sectionIndent = 0;
  for (let i = 0; i < lines.length;) {
    const line = lines[i];
    if (line.trim() === '' || line.trim().startsWith('#')) {
      i++;
      continue;
    }
    const alert = /^\s*- alert:\s*(\S+)\s*$/.exec(line);
    if (alert) {
      rule = { alert: alert[1], expr: '', labels: {}, annotations: {} };
      rules.push(rule);
      section = undefined;
      i++;
      continue;
    }
    if (section && indentOf(line) <= sectionIndent) section = undefined;
    const scalar = scalarAt(lines, i);
    if (!rule || !scalar) {
      i++;
      continue;
    }
    if (section) {
      rule[section][scalar.key] = scalar.value;
    } else if (scalar.key === 'labels' || scalar.key === 'annotations') {
      section = scalar.key;
      sectionIndent = indentOf(line);
    } else if (scalar.key === 'expr') {
      rule.expr = scalar.value;
    } else if (scalar.key === 'for') {
      rule.for = scalar.value;
    }
    i = scalar.next;
  }
  return rules;
}

export interface AlertTestCase {
  group: string;
  evalTime: string;
  alertname: string;
  /** How many alerts the case expects to be firing (0: the alert must not fire). */
  expectedAlerts: number;
}

/** The `alert_rule_test` cases of a promtool test file. */
export function parseAlertTests(yaml: string): AlertTestCase[] {
  const cases: AlertTestCase[] = [];
  let group = '';
  const chunks = yaml.split(/^(?=\s*- (?:name|eval_time):)/m);
  for (const chunk of chunks) {
    const name = /^\s*- name:\s*(.+)$/m.exec(chunk);
    if (name && chunk.trimStart().startsWith('- name:')) {
      group = unquote(name[1]);
      continue;
    }
    const evalTime = /^\s*- eval_time:\s*(\S+)/.exec(chunk);
    if (!evalTime) continue;
    const alertname = /^\s*alertname:\s*(\S+)/m.exec(chunk);
    if (!alertname) throw new Error(`alert test at ${evalTime[1]} in "${group}" names no alertname`);
    const none = /^\s*exp_alerts:\s*\[\s*\]\s*$/m.test(chunk) || !/^\s*exp_alerts:/m.test(chunk);
    const expected = none ? 0 : (chunk.match(/^\s*- exp_(?:labels|annotations):/gm) ?? []).length;
    if (!none && expected === 0) throw new Error(`cannot read exp_alerts of "${group}" at ${evalTime[1]}`);
    cases.push({ group, evalTime: evalTime[1], alertname: unquote(alertname[1]), expectedAlerts: expected });
  }
  return cases;
}
