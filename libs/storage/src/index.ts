/**
 * The storage adapters behind the domain's ports (#sigil: SigilRepository, StoreBackup). Callers get
 * a store from the module (the app) or the factory (CLI commands), never an adapter class.
 */
export { StorageModule, type StorageModuleAsyncOptions } from './storage.module.js';
export { openStore, withStore, type OpenStore } from './store.factory.js';
export type { StorageOptions } from './storage.options.js';
export { SchemaBehindError, StoreLockedError } from './storage.errors.js';
export { STORAGE_OPERATIONS, type StorageObserver } from './instrumented-sigil.repository.js';
