import { describe, expect, it } from 'vitest';
import { RestartPolicy } from './restart.policy.js';

const options = { windowMs: 60_000, maxCrashes: 3, initialDelayMs: 100, maxDelayMs: 300 };

describe('RestartPolicy', () => {
  it('backs off exponentially up to the cap, then gives up past maxCrashes within the window', () => {
    let now = 0;
    const policy = new RestartPolicy(options, () => now);
    expect(policy.crashed()).toEqual({ action: 'restart', delayMs: 100 });
    expect(policy.crashed()).toEqual({ action: 'restart', delayMs: 200 });
    expect(policy.crashed()).toEqual({ action: 'restart', delayMs: 300 });
    now = 1_000;
    expect(policy.crashed()).toEqual({ action: 'give-up', crashes: 4 });
  });

  it('forgets crashes older than the window', () => {
    let now = 0;
    const policy = new RestartPolicy(options, () => now);
    for (let i = 0; i < 3; i++) policy.crashed();
    now = 60_000;
    expect(policy.crashed()).toEqual({ action: 'restart', delayMs: 100 });
  });
});
