import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { requestContext, type RequestLogFields } from '../logging.js';

/** Probes hit these every few seconds; their request lines would drown the rest. */
const QUIET_PATHS = new Set(['/health', '/healthz', '/readyz', '/metrics']);

type RequestWithLog = FastifyRequest & { [LOG_FIELDS]?: RequestLogFields };
const LOG_FIELDS = Symbol('requestLogFields');

/**
 * One JSON line per request, written when the response has been sent:
 * `{req: {id, method, url}, route, res: {statusCode}, responseTime, msg: "request completed"}` at
 * info (4xx: warn, 5xx: error), none for a healthy probe, and "request aborted" when the client
 * hung up first. Everything logged while the request is handled carries the same `req` (see
 * `requestContext`).
 *
 * These are Fastify hooks rather than pino-http's middleware: the line costs one pino call on a
 * logger without redaction (its fields are fixed and hold no credentials), where the middleware
 * built two child loggers per request, serialised the request twice and redacted every line:
 * 14 % of a verify's CPU went to logging. Call it before any other hook is added, so every other
 * hook and the handler run inside the request's context.
 */
export function registerRequestLog(fastify: FastifyInstance, root: Logger): void {
  const log = root.child({}, { redact: [] });

  fastify.addHook('onRequest', (request: RequestWithLog, _reply, done) => {
    const fields = { id: String(request.id), method: request.method, url: request.url };
    request[LOG_FIELDS] = fields;
    requestContext.run(fields, done);
  });

  fastify.addHook('onResponse', (request: RequestWithLog, reply, done) => {
    const status = reply.statusCode;
    const quiet = status < 500 && QUIET_PATHS.has(request.url.split('?', 1)[0]);
    if (!quiet) {
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      log[level](lineOf(request, reply, status), 'request completed');
    }
    done();
  });

  fastify.addHook('onRequestAbort', (request: RequestWithLog, done) => {
    log.info(lineOf(request, undefined, null), 'request aborted');
    done();
  });
}

function lineOf(request: RequestWithLog, reply: FastifyReply | undefined, statusCode: number | null) {
  return {
    req: request[LOG_FIELDS],
    route: (request.raw as { routeTemplate?: string }).routeTemplate,
    res: { statusCode },
    // Milliseconds from the first byte of the request to the last of the response, to the µs.
    responseTime: reply === undefined ? undefined : Math.round(reply.elapsedTime * 1000) / 1000,
  };
}
