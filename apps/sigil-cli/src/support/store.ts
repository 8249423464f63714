import type { OpsConfig, SigningOpsConfig } from '#config';
import { KeyRing } from '#sigil';
import { withStore, type OpenStore, type StorageOptions } from '#storage';

/** A store a flag names instead of the configured one: a backup, a restore or migration target. */
export type StoreTarget =
  { kind: 'leveldb'; path: string } | { kind: 'postgres'; url: string; migrate: boolean };

/** The configured store, or `target` opened with the settings the config gives stores of its kind. */
function storageOptions(config: OpsConfig, target?: StoreTarget): StorageOptions {
  if (target === undefined) return config.storage;
  return target.kind === 'leveldb'
    ? { kind: 'leveldb', path: target.path, ...config.storeSettings.leveldb }
    : { kind: 'postgres', ...config.storeSettings.postgres, url: target.url, migrate: target.migrate };
}

/**
 * Runs `work` on the configured store (or `target`), opened by the factory the app uses and closed
 * afterwards even on failure, so a command never leaves a LevelDB LOCK held.
 */
export function withOpsStore<T>(
  config: OpsConfig,
  work: (store: OpenStore) => Promise<T>,
  target?: StoreTarget,
): Promise<T> {
  return withStore(storageOptions(config, target), work);
}

/** The key ring the service would sign and verify with under this configuration. */
export function keyRingOf(config: SigningOpsConfig): KeyRing {
  return new KeyRing(config.secrets.active, config.secrets.previous);
}
