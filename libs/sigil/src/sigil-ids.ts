import { getRandomValues } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Bytes of OS randomness fetched at a time: one fetch serves 256 new ids. */
const POOL_BYTES = 4096;

/**
 * ulid's PRNG contract (a number in [0, 1) from one random byte, as its default has it) served from a
 * pooled buffer. The default asks the OS for one byte per character, 16 calls per new millisecond:
 * 2 % of an encode's CPU. The bytes are the same CSPRNG's, fetched in bulk.
 */
export function pooledRandom(poolBytes = POOL_BYTES): () => number {
  const pool = new Uint8Array(poolBytes);
  let next = poolBytes;
  return () => {
    if (next === poolBytes) {
      getRandomValues(pool);
      next = 0;
    }
    return pool[next++] / 256;
  };
}

/** `sigil_` + a monotonic ULID for the given time: ids sort by creation, even within one millisecond. */
export function sigilIdFactory(): (now: number) => string {
  const ulid = monotonicFactory(pooledRandom());
  return (now) => `sigil_${ulid(now)}`;
}
