import { LevelSigilRepository } from './adapters/level/level-sigil.repository.js';
import { MemorySigilRepository } from './adapters/memory/memory-sigil.repository.js';
import { PostgresSigilRepository } from './adapters/postgres/postgres-sigil.repository.js';
import type { SigilRepository } from './sigil.repository.js';
import type { StorageOptions } from './storage.options.js';

/**
 * Builds the configured adapter. Open errors (StoreLockedError, an unreachable or unmigrated Postgres)
 * propagate unchanged, so they stop the app at start.
 */
export async function createSigilRepository(options: StorageOptions): Promise<SigilRepository> {
  switch (options.kind) {
    case 'leveldb':
      return LevelSigilRepository.open({ path: options.path, sync: options.sync });
    case 'memory':
      return new MemorySigilRepository();
    case 'postgres':
      return PostgresSigilRepository.open({
        url: options.url,
        poolSize: options.poolSize,
        connectTimeoutMs: options.connectTimeoutMs,
        statementTimeoutMs: options.statementTimeoutMs,
        migrate: options.migrate,
      });
    default: {
      // Adding a kind to StorageOptions without a case here fails to compile.
      const unknownKind: never = options;
      throw new Error(`Unknown storage kind: ${JSON.stringify(unknownKind)}`);
    }
  }
}
