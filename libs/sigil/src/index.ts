export { Clock, SystemClock } from './clock.js';
export { canonicalJson } from './dna/canonical-json.js';
export { dataDigest, resonancePattern, RESONANCE_LENGTH } from './dna/dna.js';
export {
  constantTimeEqualHex,
  deriveTenantKey,
  isValidSecret,
  KeyRing,
  keyIdOf,
  type KeyRingStatus,
} from './dna/key-ring.js';
export { authHash, signingInput, type SignedFields } from './dna/signing.js';
export { ApiProblems, PROBLEM_CONTENT_TYPE, ProblemView, type ProblemCode } from './http/problem.view.js';
export {
  DataTooLargeError,
  IdempotencyConflictError,
  SigilNotFoundError,
  SigilValidationError,
  type FieldError,
} from './sigil.errors.js';
export { keyRingProvider, SigilModule } from './sigil.module.js';
export { checkIntegrity, hasSigilShape, type IntegrityProblem } from './integrity.js';
export { mintSigil, normalizeMetadata, withConsciousnessDefaults, type MintInput } from './mint.js';
export { SigilService, type EncodeOutcome } from './sigil.service.js';
export * from './sigil.types.js';
