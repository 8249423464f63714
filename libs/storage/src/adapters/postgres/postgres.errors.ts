import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

import { StorageUnavailableError } from '#sigil';

/**
 * SQLSTATE classes meaning "the database cannot serve right now", not "this request is wrong":
 * 08 connection exception, 53 insufficient resources (disk full, out of memory, too many
 * connections), 57 operator intervention (57014 statement timeout, 57P01 admin shutdown, 57P02 crash
 * shutdown, 57P03 starting up or in recovery), 58 system error (I/O).
 */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58']);

/** Single codes outside those classes: a lock wait that timed out, and a read-only server (a standby after failover). */
const UNAVAILABLE_CODES = new Set(['55P03', '25006']);

/** Socket-level failures reaching or keeping a connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * pg reports a lost or never-made connection with an Error carrying no code; these are its messages
 * (client, pool and TypeORM's wrapper around them).
 */
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable/i;

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** The error itself, TypeORM's `driverError`, and `cause`s, nearest first. */
function chain(err: unknown): unknown[] {
  const seen: unknown[] = [];
  let current = err;
  while (typeof current === 'object' && current !== null && !seen.includes(current) && seen.length < 5) {
    seen.push(current);
    const next = current as { driverError?: unknown; cause?: unknown };
    current = next.driverError ?? next.cause;
  }
  return seen;
}

/**
 * TypeORM releases a query runner as soon as its connection emits an error, so a transaction whose
 * connection died between two statements fails with one of these instead of the socket error. This
 * adapter never releases a runner it is still using, so here they only ever mean a lost connection.
 */
function isReleasedRunner(err: unknown): boolean {
  return (
    err instanceof QueryRunnerAlreadyReleasedError || err instanceof QueryRunnerProviderAlreadyReleasedError
  );
}

/** Why the store is unavailable, as a short code safe to put in a response, or null if it is not. */
export function unavailableReason(err: unknown): string | null {
  for (const link of chain(err)) {
    if (isReleasedRunner(link)) return 'connection lost';
    const code = codeOf(link);
    if (code !== undefined) {
      if (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code)) return code;
      if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_CLASSES.has(code.slice(0, 2))) return code;
    }
    if (link instanceof Error && CONNECTION_MESSAGES.test(link.message)) return 'connection lost';
  }
  return null;
}

/**
 * Turns an unavailability into StorageUnavailableError (503), with a message built only from the
 * operation and a code: never a statement, a parameter or the URL. The original stays as `cause` for
 * logs. Anything else (an unexpected constraint violation, a bug) is rethrown untouched.
 */
export function toStorageError(err: unknown, operation: string): unknown {
  if (err instanceof StorageUnavailableError) return err;
  const reason = unavailableReason(err);
  if (reason === null) return err;
  return new StorageUnavailableError(`Postgres ${operation} failed (${reason})`, { cause: err });
}
