import { SigilValidationError } from './domain/sigil.errors.js';

const ID_PATTERN = /^sigil_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * List cursors are opaque to clients: base64url of `{v, after}`. Versioned so the encoding can change
 * without breaking clients holding old cursors for longer than a deploy.
 */
export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { v?: unknown }).v === 1 &&
      typeof (parsed as { after?: unknown }).after === 'string' &&
      ID_PATTERN.test((parsed as { after: string }).after)
    ) {
      return (parsed as { after: string }).after;
    }
  } catch {
    // fall through to the validation error
  }
  throw new SigilValidationError([{ field: 'cursor', message: 'is not a cursor this API issued' }]);
}

export function isSigilId(id: string): boolean {
  return ID_PATTERN.test(id);
}
