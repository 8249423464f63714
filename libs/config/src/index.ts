export {
  AppConfig,
  type DevAuthConfig,
  type JwksAuthConfig,
  type OpsConfig,
  type SigningOpsConfig,
  type StoreSettings,
} from './app-config.js';
export { ConfigError } from './config.errors.js';
export { DEV_FILES, DEV_KEY_ID, ensureDevMaterial } from './dev-material.js';
export {
  SECRETS_POLL_INTERVAL_MS,
  watchSecretsFile,
  type SecretsFileWatcher,
  type SecretsFileWatchOptions,
} from './secrets-file.watcher.js';
export {
  DEV_ISSUER,
  loadSecretsFile,
  readSecretsFile,
  TENANT_ID_PATTERN,
  parseConfig,
  parseOpsConfig,
  type DevMaterial,
  type DevNeeds,
} from './parse-config.js';
