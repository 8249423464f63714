/**
 * The domain model: the sigil record, the storage port and the store capabilities. Adapters
 * (libs/storage) implement these; nothing here knows an adapter exists.
 */
export type { ConsciousnessState, SigilDna, SigilMetadata, SigilRecord } from './sigil-record.js';
export {
  SigilRepository,
  type CreateOutcome,
  type IdempotencyClaim,
  type ListPage,
  type ListQuery,
  type MatchHit,
  type MatchQuery,
  type PatternEntry,
  type RestoreOutcome,
  type Revocation,
  type Rewrapped,
  type SignatureRef,
} from './sigil.repository.js';
export { StoreBackup, type SnapshotReport } from './store-backup.js';
export {
  assertTenant,
  CorruptRecordError,
  StorageUnavailableError,
  UnsupportedStoreOperationError,
} from './storage.errors.js';
export { recordsOf, tenantIdsOf, type UnreadableRecord } from './sigil-records.js';
export {
  DataTooLargeError,
  IdempotencyConflictError,
  SigilNotFoundError,
  SigilValidationError,
  type FieldError,
} from './sigil.errors.js';
