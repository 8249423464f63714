import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export type SecurityHeaders = Readonly<Record<string, string>>;

/**
 * The headers helmet sets for `options`, computed once at start: with static options (no directive
 * functions, no nonces) helmet's middleware sets the same headers on every response, so running it
 * per request only repeats the work, and setting them on Node's response before Fastify writes its
 * own costs a second pass over every header. Names come back lower-cased, as Fastify stores them;
 * helmet stays the one definition of what the headers are. Throws what helmet would pass to `next`
 * (an invalid option) or if it ever stops answering synchronously.
 */
export function securityHeadersFor(options: HelmetOptions): SecurityHeaders {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let outcome: { error?: unknown } | undefined;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    outcome = { error };
  });
  if (outcome === undefined) throw new Error('helmet did not finish synchronously');
  if (outcome.error !== undefined) {
    throw outcome.error instanceof Error
      ? outcome.error
      : new Error('helmet refused its options', { cause: outcome.error });
  }
  return Object.freeze(headers);
}
