import type { ConsciousnessState, SigilMetadata, SigilRecord } from './domain/index.js';
import { canonicalJson } from './dna/canonical-json.js';
import { dataDigest, resonancePattern } from './dna/dna.js';
import type { KeyRing } from './dna/key-ring.js';
import { authHash, signingInput } from './dna/signing.js';
import { DEFAULT_CONSCIOUSNESS } from './sigil.types.js';

/** Everything a sigil is minted from; the caller chooses id, time and principal (the API: now + ULID). */
export interface MintInput {
  /** `sigil_` + ULID. */
  id: string;
  tenantId: string;
  /** ISO-8601 with milliseconds (`Date#toISOString`). */
  createdAt: string;
  createdBy: string;
  data: Record<string, unknown>;
  /**
   * `canonicalJson(data)`, when the caller has already computed it (the API does, for its size
   * check): canonicalising is the costliest step of minting, so it is done once per encode.
   */
  canonicalData?: string;
  consciousnessState?: Partial<ConsciousnessState>;
  metadata?: SigilMetadata;
  /** Already normalized to ISO ms, or null. */
  expiresAt: string | null;
}

/**
 * The one minting rule (SPEC §5), pure: canonical JSON → digest and resonance pattern, defaults
 * filled, signed with the ring's active kid under the tenant key, authHash. The API's encode and the
 * legacy import both mint through here, so a sigil can't be minted two ways. Throws (TypeError) for
 * data canonical JSON can't take; size limits are the caller's.
 */
export function mintSigil(input: MintInput, keys: KeyRing): SigilRecord {
  const canonical = input.canonicalData ?? canonicalJson(input.data);
  const consciousnessState = withConsciousnessDefaults(input.consciousnessState);
  const metadata = normalizeMetadata(input.metadata);
  const dna = {
    digest: dataDigest(canonical),
    resonancePattern: resonancePattern(canonical, consciousnessState),
  };
  const signed = {
    id: input.id,
    tenantId: input.tenantId,
    dna,
    consciousnessState,
    metadata,
    createdAt: input.createdAt,
    expiresAt: input.expiresAt,
  };
  const kid = keys.activeKid;
  const signature = keys.sign(kid, input.tenantId, signingInput(signed));
  return {
    id: input.id,
    tenantId: input.tenantId,
    kid,
    signature,
    authHash: authHash(input.id, signature),
    dna,
    data: input.data,
    consciousnessState,
    metadata,
    createdAt: input.createdAt,
    createdBy: input.createdBy,
    expiresAt: input.expiresAt,
    revokedAt: null,
    revokedBy: null,
    revocationReason: null,
    version: 1,
  };
}

/** phi/coherence/awareness default per SPEC §5; `resonance` only when given. */
export function withConsciousnessDefaults(
  given: Partial<ConsciousnessState> | undefined,
): ConsciousnessState {
  const state: ConsciousnessState = {
    phi: given?.phi ?? DEFAULT_CONSCIOUSNESS.phi,
    coherence: given?.coherence ?? DEFAULT_CONSCIOUSNESS.coherence,
    awareness: given?.awareness ?? DEFAULT_CONSCIOUSNESS.awareness,
  };
  if (given?.resonance !== undefined) state.resonance = given.resonance;
  return state;
}

/** Only the known metadata members, in a fixed order, tags copied. */
export function normalizeMetadata(given: SigilMetadata | undefined): SigilMetadata {
  const metadata: SigilMetadata = {};
  if (given?.source !== undefined) metadata.source = given.source;
  if (given?.version !== undefined) metadata.version = given.version;
  if (given?.tags !== undefined) metadata.tags = [...given.tags];
  return metadata;
}
