import { monotonicFactory } from 'ulid';

import type { SigilRecord } from '#sigil';

// Monotonic: ids made within one millisecond still sort in creation order, as list order assumes.
const ulid = monotonicFactory();

export function newSigilId(): string {
  return `sigil_${ulid()}`;
}

/** A plausible SigilRecord with a fresh id. Not cryptographically valid; storage never checks. */
export function makeSigilRecord(overrides: Partial<SigilRecord> = {}): SigilRecord {
  const id = overrides.id ?? newSigilId();
  return {
    id,
    tenantId: 'tenant-a',
    kid: 'tenant-a.k1',
    signature: 'c2lnbmF0dXJlLW5vdC1yZWFs',
    authHash: 'sha256:' + 'ab'.repeat(32),
    dna: {
      digest: 'sha256:' + 'cd'.repeat(32),
      resonancePattern: Array.from({ length: 16 }, (_, i) => Number(((i + 1) / 17).toFixed(6))),
    },
    data: { subject: 'fixture', n: 1 },
    consciousnessState: { phi: 0.5, coherence: 0.75, awareness: 0.25 },
    metadata: { source: 'fixture', version: '1', tags: ['fixture'] },
    createdAt: '2025-01-01T00:00:00.000Z',
    createdBy: 'user-fixture',
    expiresAt: null,
    revokedAt: null,
    revokedBy: null,
    revocationReason: null,
    version: 1,
    ...overrides,
  };
}
