// The domain model and the ports the adapters implement.
export * from './domain/index.js';
// Pure functions of the sigil format (SPEC: docs/crypto.md), with known-answer tests beside them.
export { canonicalJson } from './dna/canonical-json.js';
export { dataDigest, resonancePattern, RESONANCE_LENGTH, round6 } from './dna/dna.js';
export { assertMatchQuery, compareHits, cosineOf, rankMatches, similarity } from './dna/similarity.js';
export {
  constantTimeEqualHex,
  deriveTenantKey,
  isValidSecret,
  KeyRing,
  keyIdOf,
  type KeyRingStatus,
} from './dna/key-ring.js';
export { authHash, signingInput, type SignedFields } from './dna/signing.js';
export { checkIntegrity, hasSigilShape, type IntegrityProblem } from './integrity.js';
export { mintSigil, normalizeMetadata, withConsciousnessDefaults, type MintInput } from './mint.js';
// The service and its Nest module.
export { Clock, SystemClock } from './clock.js';
export { LegacyDeprecation } from './legacy/legacy-deprecation.hook.js';
export { keyRingProvider, SigilModule } from './sigil.module.js';
export { SigilService, type EncodeOutcome } from './sigil.service.js';
export * from './sigil.types.js';
// Request DTO support the validation pipe reads.
export { OpaqueJson, opaqueJsonFields } from './dto/opaque-json.js';
// The HTTP surface's shared documentation pieces (the admin module documents its errors the same way).
export { ApiProblems, PROBLEM_CONTENT_TYPE, ProblemView, type ProblemCode } from './http/problem.view.js';
