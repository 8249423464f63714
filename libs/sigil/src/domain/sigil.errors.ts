/**
 * Domain errors. Each names its problem `code` (SPEC §5); the HTTP layer's one exception filter
 * turns them into problem+json, so nothing here knows about status lines.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class SigilNotFoundError extends Error {
  override readonly name = 'SigilNotFoundError';
  readonly code = 'NOT_FOUND';
  constructor(readonly sigilId: string) {
    super(`sigil ${sigilId} not found`);
  }
}

export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  readonly code = 'CONFLICT';
  constructor() {
    super('Idempotency-Key was already used with a different request body');
  }
}

export class DataTooLargeError extends Error {
  override readonly name = 'DataTooLargeError';
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly errors: FieldError[];
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`data is ${size} bytes as canonical JSON; the limit is ${limit}`);
    this.errors = [{ field: 'data', message: this.message }];
  }
}

export class SigilValidationError extends Error {
  override readonly name = 'SigilValidationError';
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}
