import { hash } from 'node:crypto';
import type { ConsciousnessState } from '../domain/sigil-record.js';

/** How many numbers a resonance pattern has; also the only match query length adapters accept. */
export const RESONANCE_LENGTH = 16;

/** `sha256:<hex>` of the canonical JSON of a sigil's data (one-shot `hash`: half the cost of a Hash object). */
export function dataDigest(canonicalData: string): string {
  return `sha256:${hash('sha256', canonicalData, 'hex')}`;
}

/**
 * The 16-number resonance pattern (SPEC §5): for i in 0..15,
 * r = sin(i·phi·π/8)·coherence + cos(i·phi·π/8)·awareness + 0.1·(codeUnit(canonical[i mod len]) / 255),
 * clamped to [0, 1] and rounded to 6 decimals. Code units are UTF-16, as JavaScript strings index them.
 */
export function resonancePattern(canonicalData: string, state: ConsciousnessState): number[] {
  const { phi, coherence, awareness } = state;
  const length = canonicalData.length;
  const pattern = new Array<number>(RESONANCE_LENGTH);
  for (let i = 0; i < RESONANCE_LENGTH; i++) {
    const angle = (i * phi * Math.PI) / 8;
    const unit = canonicalData.charCodeAt(i % length) / 255;
    const r = Math.sin(angle) * coherence + Math.cos(angle) * awareness + 0.1 * unit;
    pattern[i] = round6(Math.min(1, Math.max(0, r)));
  }
  return pattern;
}

/** Rounds to 6 decimals: resonance patterns and similarities are both reported at this precision. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
