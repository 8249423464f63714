/**
 * Just enough PromQL lexing to find the metric names and label names an expression uses (the
 * dashboard's and the alert rules'), so they can be checked against what /metrics really exports.
 */

/** Words that look like identifiers but are not metric names (lower-cased). */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/gi;
const STRINGS = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
/** Grafana's variables: $job, ${DS_PROMETHEUS}, [[var]], $__rate_interval. */
const VARIABLES = /\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\]/g;

function withoutStringsAndVariables(expr: string): string {
  return expr.replace(STRINGS, '""').replace(VARIABLES, ' ');
}

/** The metric names an expression selects, exactly as written (histogram series keep their _bucket suffix). */
export function metricNames(expr: string): string[] {
  const text = withoutStringsAndVariables(expr)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery selectors
    .replace(GROUPING, ' '); // by (...), on (...), group_left (...)
  const names = new Set<string>();
  const token = /[A-Za-z_:][\w:]*|\d[\w.]*/g;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    const word = m[0];
    if (/^\d/.test(word) || KEYWORDS.has(word.toLowerCase())) continue;
    const after = text.slice(token.lastIndex).trimStart();
    if (after.startsWith('(')) continue; // a function or an aggregation
    names.add(word);
  }
  return [...names];
}

/** Each `metric{…}` selector's label names (the values are irrelevant here). */
export function selectorLabels(expr: string): { metric: string; labels: string[] }[] {
  const text = withoutStringsAndVariables(expr);
  const found: { metric: string; labels: string[] }[] = [];
  const selector = /([A-Za-z_:][\w:]*)\s*\{([^}]*)\}/g;
  for (let m = selector.exec(text); m; m = selector.exec(text)) {
    const labels = [...m[2].matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]);
    found.push({ metric: m[1], labels });
  }
  return found;
}

/** Labels named in `by (…)` / `without (…)` / `on (…)` clauses. */
export function groupingLabels(expr: string): string[] {
  const text = withoutStringsAndVariables(expr);
  const labels = new Set<string>();
  for (const m of text.matchAll(GROUPING)) {
    for (const label of m[2].split(',')) if (label.trim()) labels.add(label.trim());
  }
  return [...labels];
}

const SERIES_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * The metric family a series name belongs to, given the families and their types (`# TYPE` lines):
 * `x_bucket`/`x_sum`/`x_count` → `x` when `x` is a histogram (or `x_sum`/`x_count` of a summary).
 */
export function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of SERIES_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const type = types.get(base);
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return base;
  }
  return undefined;
}

/** Strips a histogram series suffix, for checks against a plain list of family names. */
export function baseName(name: string, families: ReadonlySet<string>): string {
  if (families.has(name)) return name;
  for (const suffix of SERIES_SUFFIXES) {
    if (name.endsWith(suffix) && families.has(name.slice(0, -suffix.length)))
      return name.slice(0, -suffix.length);
  }
  return name;
}

/** The families a Prometheus text exposition declares, and the label names seen on each family's samples. */
export interface Exposition {
  text: string;
  types: Map<string, string>;
  labels: Map<string, Set<string>>;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE ([A-Za-z_:][\w:]*) (\w+)$/gm)) types.set(m[1], m[2]);
  const labels = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+\S+/gm)) {
    const family = familyOf(m[1], types) ?? m[1];
    const set = labels.get(family) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/([A-Za-z_]\w*)="(?:[^"\\]|\\.)*"/g)) set.add(l[1]);
    labels.set(family, set);
  }
  return { text, types, labels };
}
