/** The consciousness state a sigil was minted with, defaults filled in (`resonance` only when given). */
export interface ConsciousnessState {
  phi: number;
  coherence: number;
  awareness: number;
  resonance?: number;
}

export interface SigilMetadata {
  source?: string;
  version?: string;
  tags?: string[];
}

export interface SigilDna {
  /** `sha256:<64 hex>` of the RFC 8785 canonical JSON of `data`. */
  digest: string;
  /** 16 numbers in [0, 1], 6 decimals. */
  resonancePattern: number[];
}

/** A sigil exactly as stored and returned: the signed fields plus the mutable revocation fields. */
export interface SigilRecord {
  id: string;
  tenantId: string;
  kid: string;
  signature: string;
  authHash: string;
  dna: SigilDna;
  data: Record<string, unknown>;
  consciousnessState: ConsciousnessState;
  metadata: SigilMetadata;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revocationReason: string | null;
  version: 1;
}
