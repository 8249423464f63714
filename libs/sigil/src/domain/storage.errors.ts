/**
 * Errors of the storage port's contract: every adapter raises these, and the domain and the HTTP
 * layer handle them without knowing which adapter is behind the port.
 */

/** The store cannot serve requests right now (down, full, closed). Maps to 503 STORAGE_UNAVAILABLE. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  readonly code = 'STORAGE_UNAVAILABLE';
}

/**
 * A stored record that cannot be decoded (bytes damaged on disk). Carries the id when the adapter
 * knows it, so whole-store tools can report the record and read past it.
 */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
  constructor(
    readonly where: string,
    readonly id?: string,
  ) {
    super(`Stored value at ${where} is not valid JSON`);
  }
}

/**
 * The configured store cannot do what was asked (an online backup of Postgres, say). Each backend
 * declares what it supports; the message says what to do instead. Maps to 409 CONFLICT: the request
 * is valid, but not against this deployment.
 */
export class UnsupportedStoreOperationError extends Error {
  override readonly name = 'UnsupportedStoreOperationError';
  readonly code = 'CONFLICT';
  constructor(
    readonly operation: string,
    readonly storeKind: string,
    hint: string,
  ) {
    super(`${operation} is not supported by the ${storeKind} store; ${hint}`);
  }
}

export function assertTenant(tenantId: string): void {
  if (typeof tenantId !== 'string' || tenantId.length === 0) {
    throw new TypeError('tenantId is required for every storage operation');
  }
}
