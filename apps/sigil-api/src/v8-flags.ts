import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags the service sets for itself. main.ts imports this module first, so they are in
 * effect before Nest, the stores or any request code is loaded. They are set from code because
 * NODE_OPTIONS refuses them: Node accepts only a handful of V8 flags there.
 *
 * `--no-allocation-site-pretenuring`: V8 decides, per object-literal site, from how many of the
 * site's objects survived the last scavenges, to allocate them straight in the old generation. Under
 * load it decides in the first few hundred milliseconds, while cold code keeps requests alive longer
 * than warm code will. Once a per-request object is allocated old, it holds every young object it
 * references (through the remembered set) until the next full collection. Each scavenge then
 * promotes all the requests since the one before, ~5.5 MB instead of ~0.7, and the process runs
 * ~20 % slower for as long as it lives. Whether a process landed there was chance; the numbers are in
 * docs/performance.md ("The garbage collector's two modes").
 *
 * A flag given on node's command line, with either polarity, wins:
 * `node --allocation-site-pretenuring dist/apps/sigil-api/src/main.js` keeps V8's default.
 */
export const SERVICE_V8_FLAGS: readonly string[] = ['--no-allocation-site-pretenuring'];

/** Sets each of SERVICE_V8_FLAGS that `execArgv` does not name; returns the ones it set. */
export function applyServiceV8Flags(
  execArgv: readonly string[] = process.execArgv,
  setFlag: (flag: string) => void = setFlagsFromString,
): string[] {
  const given = new Set(execArgv.map(v8FlagName));
  const applied: string[] = [];
  for (const flag of SERVICE_V8_FLAGS) {
    if (given.has(v8FlagName(flag))) continue;
    setFlag(flag);
    applied.push(flag);
  }
  return applied;
}

/** "--no-foo_bar=1" → "foo-bar": V8 reads `_` and `-` alike, and `--no-x` is x's negation. */
function v8FlagName(arg: string): string {
  return arg.replace(/^--?/, '').split('=', 1)[0].replaceAll('_', '-').replace(/^no-/, '');
}

applyServiceV8Flags();
