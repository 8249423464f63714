/**
 * The axes the match index's pruning bound projects onto. The bound is only valid for orthonormal
 * axes, so that is what this checks, plus that they come largest variance first.
 */
import { describe, expect, it } from 'vitest';

import { principalAxes } from '../adapters/shared/principal-axes.js';

describe('principalAxes', () => {
  it('returns orthonormal axes, the dominant direction first', () => {
    const n = 16;
    const direction = Float64Array.from({ length: n }, (_, i) => (i + 1) / 16);
    const length = Math.hypot(...direction);
    const moment = Array.from({ length: n }, () => new Float64Array(n));
    // Points along `direction` plus a little spread on every axis.
    for (let k = 0; k < 200; k++) {
      const point = direction.map((x, i) => x / length + (((k * 7 + i * 13) % 11) - 5) * 1e-3);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) moment[i][j] += point[i] * point[j];
    }
    const axes = principalAxes(moment, 6);
    expect(axes).toHaveLength(6);
    for (let a = 0; a < axes.length; a++) {
      for (let b = 0; b < axes.length; b++) {
        const dot = axes[a].reduce((sum, x, i) => sum + x * axes[b][i], 0);
        expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    const alignment = Math.abs(axes[0].reduce((sum, x, i) => sum + (x * direction[i]) / length, 0));
    expect(alignment).toBeGreaterThan(0.999);
  });
});
