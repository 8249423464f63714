export { BackupInProgressError, BackupsNotConfiguredError } from './admin.errors.js';
export { AdminModule } from './admin.module.js';
export { BACKUPS_PATH, KEYS_PATH } from './admin.paths.js';
export { type BackupResult } from './backups/backup.service.js';
