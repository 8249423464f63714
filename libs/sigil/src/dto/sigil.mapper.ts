/**
 * The one way a domain value becomes an HTTP body: every field written out by name, so a field
 * added to the stored record (or to a service result) never reaches the wire unless it is added
 * here too — together with its documentation in the matching *View class.
 */
import type { ConsciousnessState, SigilMetadata, SigilRecord } from '../domain/index.js';
import type { ListResult, MatchResult, SigilSummary, VerifyResult } from '../sigil.types.js';
import type { MatchResultDto } from './match-sigils.dto.js';
import type {
  ConsciousnessStateView,
  MetadataView,
  SigilListView,
  SigilSummaryView,
  SigilView,
} from './sigil.response.js';
import type { VerifyResultDto } from './verify-sigil.dto.js';

function consciousnessView(state: ConsciousnessState): ConsciousnessStateView {
  return {
    phi: state.phi,
    coherence: state.coherence,
    awareness: state.awareness,
    ...(state.resonance === undefined ? {} : { resonance: state.resonance }),
  };
}

function metadataView(metadata: SigilMetadata): MetadataView {
  return {
    ...(metadata.source === undefined ? {} : { source: metadata.source }),
    ...(metadata.version === undefined ? {} : { version: metadata.version }),
    ...(metadata.tags === undefined ? {} : { tags: [...metadata.tags] }),
  };
}

/** A list item: every field of the sigil but its payload. */
export function toSigilSummaryView(sigil: SigilSummary): SigilSummaryView {
  return {
    id: sigil.id,
    tenantId: sigil.tenantId,
    kid: sigil.kid,
    signature: sigil.signature,
    authHash: sigil.authHash,
    dna: { digest: sigil.dna.digest, resonancePattern: [...sigil.dna.resonancePattern] },
    consciousnessState: consciousnessView(sigil.consciousnessState),
    metadata: metadataView(sigil.metadata),
    createdAt: sigil.createdAt,
    createdBy: sigil.createdBy,
    expiresAt: sigil.expiresAt,
    revokedAt: sigil.revokedAt,
    revokedBy: sigil.revokedBy,
    revocationReason: sigil.revocationReason,
    version: sigil.version,
  };
}

/** The whole sigil. `data` is the client's own payload and goes back exactly as it was signed. */
export function toSigilView(sigil: SigilRecord): SigilView {
  const { data, ...summary } = sigil;
  const view = toSigilSummaryView(summary);
  // `data` sits after `dna`, as SPEC lists the fields.
  return {
    id: view.id,
    tenantId: view.tenantId,
    kid: view.kid,
    signature: view.signature,
    authHash: view.authHash,
    dna: view.dna,
    data,
    consciousnessState: view.consciousnessState,
    metadata: view.metadata,
    createdAt: view.createdAt,
    createdBy: view.createdBy,
    expiresAt: view.expiresAt,
    revokedAt: view.revokedAt,
    revokedBy: view.revokedBy,
    revocationReason: view.revocationReason,
    version: view.version,
  };
}

export function toSigilListView(result: ListResult): SigilListView {
  return { items: result.items.map(toSigilSummaryView), nextCursor: result.nextCursor };
}

export function toVerifyResultView(result: VerifyResult): VerifyResultDto {
  return {
    valid: result.valid,
    reason: result.reason,
    sigilId: result.sigilId,
    kid: result.kid,
    checkedAt: result.checkedAt,
  };
}

export function toMatchResultView(result: MatchResult): MatchResultDto {
  return { matches: result.matches.map((m) => ({ sigilId: m.sigilId, similarity: m.similarity })) };
}
