import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON. Everything that is hashed or signed goes through here, so two
 * implementations agree byte for byte. `undefined` at the top level (or a function, symbol) has no
 * JSON form: that is a programming error, not bad input, because the DTO layer admits only JSON.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) {
    throw new TypeError('value has no JSON representation');
  }
  return text;
}
