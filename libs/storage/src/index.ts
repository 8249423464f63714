export type { ConsciousnessState, SigilDna, SigilMetadata, SigilRecord } from './sigil-record.js';
export {
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
  SigilRepository,
} from './sigil.repository.js';
export {
  assertTenant,
  CorruptRecordError,
  StorageUnavailableError,
  StoreLockedError,
} from './storage.errors.js';
export type { StorageOptions } from './storage.options.js';
export { StorageModule, type StorageModuleAsyncOptions } from './storage.module.js';
export {
  LevelSigilRepository,
  type LevelSigilRepositoryOptions,
} from './adapters/level/level-sigil.repository.js';
export { MemorySigilRepository } from './adapters/memory/memory-sigil.repository.js';
export { PostgresSigilRepository } from './adapters/postgres/postgres-sigil.repository.js';
export {
  createSigilDataSource,
  type PostgresSigilRepositoryOptions,
} from './adapters/postgres/postgres.data-source.js';
export { runMigrations, schemaDrift } from './adapters/postgres/postgres.migrations.js';
export { compareHits, rankMatches, round6, similarity } from './adapters/shared/similarity.js';
export { InstrumentedSigilRepository, type StorageObserver } from './instrumented-sigil.repository.js';
export { recordsOf, tenantIdsOf, type UnreadableRecord } from './sigil-records.js';
