import type { ConsciousnessState, SigilMetadata, SigilRecord } from './domain/index.js';

export const DEFAULT_CONSCIOUSNESS: Readonly<ConsciousnessState> = Object.freeze({
  phi: 1.618033988749895,
  coherence: 0.5,
  awareness: 0.5,
});

/** Every verify outcome (also the `result` label of sigil_verify_total, initialised at zero for each). */
export const VERIFY_REASONS = [
  'ok',
  'not_found',
  'unknown_key',
  'tampered',
  'signature_mismatch',
  'data_mismatch',
  'revoked',
  'expired',
] as const;
export type VerifyReason = (typeof VERIFY_REASONS)[number];

export interface EncodeInput {
  data: Record<string, unknown>;
  consciousnessState?: Partial<ConsciousnessState>;
  metadata?: SigilMetadata;
  expiresAt?: string;
}

export interface VerifyInput {
  id: string;
  signature?: string;
  data?: Record<string, unknown>;
}

export interface VerifyResult {
  valid: boolean;
  reason: VerifyReason;
  sigilId: string;
  kid: string | null;
  checkedAt: string;
}

export interface ListInput {
  limit: number;
  cursor?: string;
  tag?: string;
  source?: string;
  revoked?: boolean;
  /** An imported sigil's id in the old system: the tag `legacy:<id>` (LEGACY_ID_TAG_PREFIX). */
  legacyId?: string;
}

/** Imported sigils carry the tag `legacy:<their old id>`, which `legacyId` filters by. */
export const LEGACY_ID_TAG_PREFIX = 'legacy:';

/** A list item: the sigil without its payload. */
export type SigilSummary = Omit<SigilRecord, 'data'>;

export interface ListResult {
  items: SigilSummary[];
  nextCursor: string | null;
}

export type MatchInput = { topN: number; threshold: number } & (
  { dnaPattern: number[]; sigilId?: undefined } | { sigilId: string; dnaPattern?: undefined }
);

export interface MatchResult {
  matches: { sigilId: string; similarity: number }[];
}
