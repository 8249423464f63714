import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { applyServiceV8Flags, SERVICE_V8_FLAGS } from './v8-flags.js';

describe('applyServiceV8Flags', () => {
  it('sets every service flag when the command line names none of them', () => {
    const setFlag = vi.fn();
    const applied = applyServiceV8Flags(['--enable-source-maps', '--max-old-space-size=512'], setFlag);
    expect(applied).toEqual(['--no-allocation-site-pretenuring']);
    expect(setFlag.mock.calls).toEqual([['--no-allocation-site-pretenuring']]);
  });

  it.each([
    '--allocation-site-pretenuring',
    '--no-allocation-site-pretenuring',
    '--allocation_site_pretenuring',
    '--no_allocation-site_pretenuring',
    '--allocation-site-pretenuring=true',
  ])('leaves the flag to the command line when it says %s', (given) => {
    const setFlag = vi.fn();
    expect(applyServiceV8Flags(['--enable-source-maps', given], setFlag)).toEqual([]);
    expect(setFlag).not.toHaveBeenCalled();
  });

  it('does not take a flag whose name only starts like a service flag for it', () => {
    const setFlag = vi.fn();
    expect(applyServiceV8Flags(['--allocation-site-pretenuring-extra'], setFlag)).toEqual([
      '--no-allocation-site-pretenuring',
    ]);
  });

  // setFlagsFromString ignores a flag V8 does not know, so a rename in a Node upgrade would drop
  // it without a sound: this Node's V8 must list each one.
  it('names flags this Node’s V8 knows', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    for (const flag of SERVICE_V8_FLAGS) {
      const name = flag.replace(/^--no-/, '--');
      expect(options, name).toMatch(new RegExp(`^\\s*${name} \\(`, 'm'));
    }
  });
});
