/** Admin operations that are valid requests but cannot run in this deployment or at this moment. */

/** SIGIL_BACKUP_DIR is unset: the operator has not chosen where online backups go. */
export class BackupsNotConfiguredError extends Error {
  override readonly name = 'BackupsNotConfiguredError';
  readonly code = 'CONFLICT';
  constructor() {
    super('SIGIL_BACKUP_DIR (an absolute path) is not configured');
  }
}

/** One online backup at a time: a second would double the I/O for the same snapshot. */
export class BackupInProgressError extends Error {
  override readonly name = 'BackupInProgressError';
  readonly code = 'CONFLICT';
  constructor() {
    super('a backup is already running');
  }
}
