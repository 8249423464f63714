export {
  SigilClient,
  type Backup,
  type EncodeOptions,
  type EncodeSigilRequest,
  type KeyStatus,
  type ListSigilsQuery,
  type MatchResult,
  type MatchSigilsRequest,
  type Sigil,
  type SigilClientOptions,
  type SigilList,
  type SigilSummary,
  type TokenProvider,
  type VerifyResult,
  type VerifySigilRequest,
} from './client.js';
export { SigilApiError, type FieldError, type Problem, type ProblemCode } from './errors.js';
export { RETRYABLE_STATUSES, type RetryOptions } from './retry.js';
export { API_VERSION } from './generated/version.js';
export type { components, operations, paths } from './generated/schema.js';
