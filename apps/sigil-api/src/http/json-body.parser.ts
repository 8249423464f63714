import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import type { FieldError } from '#sigil';

/** A JSON body refused before any code looks at it: malformed, or shaped to exhaust the server. */
export class JsonBodyError extends Error {
  override readonly name = 'JsonBodyError';
  readonly code: 'VALIDATION_FAILED' | 'PAYLOAD_TOO_LARGE';
  readonly errors: FieldError[];
  constructor(
    readonly status: 400 | 413,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED';
    this.errors = [{ field, message }];
  }
}

export interface JsonLimits {
  maxDepth: number;
  maxKeys: number;
}

/**
 * The one JSON parser: Fastify's body limit applies first (it never buffers more than that), then
 * secure-json-parse refuses `__proto__`/`constructor` keys, then an iterative walk caps nesting depth
 * and the total number of keys and elements. The walk is linear in the (already size-capped) body and
 * uses an explicit stack, so a 1000-deep or 100 000-key document costs milliseconds and a clear 400,
 * never a stack overflow or a validator grinding through it. Last, every string (keys included) must
 * be well-formed Unicode: RFC 8785 canonical JSON, which everything hashed or signed goes through,
 * has no form for a lone surrogate, so one must be refused here, naming its field, rather than fail
 * deep inside minting.
 */
export function registerJsonParser(fastify: FastifyInstance, limits: JsonLimits): void {
  fastify.removeContentTypeParser(['application/json']);
  fastify.addContentTypeParser(
    // The media type, with or without parameters (`; charset=utf-8`, as many HTTP libraries send).
    /^application\/([\w.+-]+\+)?json(\s*;.*)?$/i,
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        const text = body as string;
        if (text.trim() === '')
          throw new JsonBodyError(400, 'body', 'body is empty but Content-Type is JSON');
        let value: unknown;
        try {
          value = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
        } catch (error) {
          const poisoned = error instanceof SyntaxError && /prototype|constructor/i.test(error.message);
          throw new JsonBodyError(
            400,
            'body',
            poisoned ? 'body contains a forbidden __proto__ or constructor key' : 'body is not valid JSON',
          );
        }
        // Every body of this API is an object; `null` or `[]` would otherwise reach a handler whose
        // body is optional (revoke) as "no body".
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw new JsonBodyError(400, 'body', 'body must be a JSON object');
        }
        checkShape(value, limits);
        // A lone surrogate can only arrive as a `\uXXXX` escape: the body was decoded from UTF-8,
        // which turns unpaired surrogate bytes into U+FFFD. Bodies without an escape skip the walk.
        if (text.includes('\\u')) checkStrings(value);
        done(null, value);
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

export function checkShape(root: unknown, { maxDepth, maxKeys }: JsonLimits): void {
  const stack: [unknown, number][] = [[root, 1]];
  let entries = 0;
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) throw new JsonBodyError(400, 'body', `body nests deeper than ${maxDepth} levels`);
    const children = Array.isArray(value) ? value : Object.values(value);
    entries += children.length;
    if (entries > maxKeys)
      throw new JsonBodyError(400, 'body', `body has more than ${maxKeys} keys and elements`);
    for (const child of children)
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
}

/**
 * Refuses the first string, key or value, that is not well-formed UTF-16 (a lone surrogate), naming
 * its field by path as validation errors do (`data.items.0.name`); a key is reported at its object.
 * The string itself is never echoed.
 */
export function checkStrings(root: object): void {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    const field = (key: string | number) => (path === '' ? String(key) : `${path}.${key}`);
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, i) => [i, item])
      : Object.entries(value as object);
    for (const [key, child] of entries) {
      if (typeof key === 'string' && !key.isWellFormed()) {
        throw new JsonBodyError(
          400,
          path === '' ? 'body' : path,
          'has a key that is not well-formed Unicode (a lone surrogate)',
        );
      }
      if (typeof child === 'string' && !child.isWellFormed()) {
        throw new JsonBodyError(400, field(key), 'is not well-formed Unicode (a lone surrogate)');
      }
      if (typeof child === 'object' && child !== null) stack.push([child, field(key)]);
    }
  }
}
