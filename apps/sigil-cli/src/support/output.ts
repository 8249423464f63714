/**
 * Prints a report on stdout: with `--json` the report itself, so stdout holds nothing else for a
 * script to skip (progress goes to stderr), else its lines for people. `indent` 0 is one line of JSON,
 * which backup and restore have always printed.
 */
export function printReport<Report>(
  report: Report,
  json: boolean,
  lines: (report: Report) => string[],
  indent: 0 | 2 = 2,
): void {
  process.stdout.write(json ? `${JSON.stringify(report, null, indent)}\n` : `${lines(report).join('\n')}\n`);
}

/** `1 tenant`, `3 tenants`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
