/**
 * Postgres `text` cannot hold every JavaScript string: NUL is rejected outright and a lone UTF-16
 * surrogate is silently turned into U+FFFD on the way in. Both can reach us from clients (a revocation
 * reason, a tag, a token `sub`), so every free-text column stores its string through this codec:
 * backslash, NUL and lone surrogates become `\\`, `\u0000` and `\udxxx`; every other character,
 * which is nearly every string ever stored, is kept as itself. The mapping is injective, so equality
 * filters (tag, source) compare encoded values and still mean exact string equality.
 */
// NUL is precisely what these look for.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\\\u0000\ud800-\udfff]/u;
// eslint-disable-next-line no-control-regex
const TO_ESCAPE = /[\\\u0000\ud800-\udfff]/gu;
const ESCAPED = /\\(\\|u[0-9a-f]{4})/g;

export function encodeText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  // With the `u` flag a surrogate pair is one code point outside the class: only lone ones match.
  return value.replace(TO_ESCAPE, (c) =>
    c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function decodeText(stored: string): string {
  if (!stored.includes('\\')) return stored;
  return stored.replace(ESCAPED, (_, escape: string) =>
    escape === '\\' ? '\\' : String.fromCharCode(parseInt(escape.slice(1), 16)),
  );
}

export function encodeNullableText(value: string | null): string | null {
  return value === null ? null : encodeText(value);
}

export function decodeNullableText(stored: string | null): string | null {
  return stored === null ? null : decodeText(stored);
}
