import { StorageUnavailableError } from '#sigil';

/**
 * Codes meaning "the store cannot serve right now" rather than "this request is wrong": LevelDB
 * I/O and corruption failures, the database or one of its iterators being closed underneath us,
 * and the errno values a full, read-only or exhausted file system produces.
 */
const UNAVAILABLE_CODES = new Set([
  'LEVEL_IO_ERROR',
  'LEVEL_CORRUPTION',
  'LEVEL_DATABASE_NOT_OPEN',
  'LEVEL_ITERATOR_NOT_OPEN',
  'LEVEL_SNAPSHOT_NOT_OPEN',
  'LEVEL_BATCH_NOT_OPEN',
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EROFS',
  'EMFILE',
  'ENFILE',
]);

export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function causeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
}

/** classic-level reports a held LOCK as LEVEL_DATABASE_NOT_OPEN caused by LEVEL_LOCKED. */
export function isLockedError(err: unknown): boolean {
  return errorCode(err) === 'LEVEL_LOCKED' || errorCode(causeOf(err)) === 'LEVEL_LOCKED';
}

/**
 * Turns an I/O-class failure into StorageUnavailableError (503) with a message built only from
 * the operation name and error code, so no key or value can reach a response. The original error
 * stays available as `cause` for logs. Anything else is a bug and is rethrown untouched.
 */
export function toStorageError(err: unknown, operation: string): unknown {
  if (err instanceof StorageUnavailableError) return err;
  const code = [errorCode(err), errorCode(causeOf(err))].find(
    (c) => c !== undefined && UNAVAILABLE_CODES.has(c),
  );
  if (code !== undefined) {
    return new StorageUnavailableError(`LevelDB ${operation} failed (${code})`, { cause: err });
  }
  return err;
}
