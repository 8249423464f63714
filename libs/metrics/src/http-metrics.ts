import type { FastifyInstance } from 'fastify';
import { workerRequestCounter } from './cluster/cluster-metrics.js';
import type { SigilMetrics } from './sigil-metrics.js';

/**
 * One observation per answered request: `route` is Fastify's route template (`/api/v1/sigils/:id`),
 * never the raw URL, and "unmatched" for requests no route took, so label values stay bounded.
 */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: SigilMetrics): void {
  const perWorker = workerRequestCounter();
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest(request.method, httpRoute(request), reply.statusCode, reply.elapsedTime / 1000);
    perWorker?.inc();
    done();
  });
}

export function httpRoute(request: { routeOptions: { url?: string } }): string {
  return request.routeOptions.url ?? 'unmatched';
}
