// Printing a soak or rate run: plain-text tables for the terminal (the JSON report has everything).

function table(rows, columns) {
  const cells = rows.map((row) => columns.map(([key]) => String(row[key] ?? '–')));
  const widths = columns.map(([, title], i) => Math.max(title.length, ...cells.map((r) => r[i].length)));
  const line = (values) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [
    line(columns.map(([, title]) => title)),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

const LATENCY_COLUMNS = [
  ['count', 'requests'],
  ['rps', 'RPS'],
  ['p50Ms', 'p50 ms'],
  ['p95Ms', 'p95 ms'],
  ['p99Ms', 'p99 ms'],
  ['maxMs', 'max ms'],
  ['failures', 'failures'],
];

/** Per kind (or per scenario) latencies and failures, then the overall line. */
export function latencyTable(named) {
  return table(
    Object.entries(named).map(([name, s]) => ({ name, ...s })),
    [['name', 'requests of'], ...LATENCY_COLUMNS],
  );
}

/** The time series: one line per window, so a run that degrades late shows it. */
export function windowTable(windows) {
  return table(windows, [
    ['fromS', 'from s'],
    ['count', 'requests'],
    ['p50Ms', 'p50 ms'],
    ['p99Ms', 'p99 ms'],
    ['maxMs', 'max ms'],
    ['failures', 'failures'],
    ['rssMiB', 'RSS MiB'],
  ]);
}

/** The verdicts: [{ check, goal, actual, pass }]. */
export function checkTable(checks) {
  return table(
    checks.map((c) => ({ ...c, verdict: c.pass ? 'PASS' : c.blocking === false ? 'MISS' : 'FAIL' })),
    [
      ['check', 'check'],
      ['goal', 'goal'],
      ['actual', 'actual'],
      ['verdict', 'verdict'],
    ],
  );
}
