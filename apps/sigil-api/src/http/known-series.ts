import type { OpenAPIObject } from '@nestjs/swagger';
import { AUTH_FAILURE_REASONS } from '#auth';
import type { KnownSeries } from '#metrics';
import { VERIFY_REASONS, type ProblemCode } from '#sigil';
import { STORAGE_OPERATIONS } from '#storage';
import { PROBLEM_TYPES } from './problem.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Any route can fail unexpectedly: the problem filter answers 500 INTERNAL. */
const UNEXPECTED = 500;

const CODE_OF_STATUS = new Map<number, ProblemCode>(
  (Object.entries(PROBLEM_TYPES) as [ProblemCode, { status: number }][]).map(([code, { status }]) => [
    status,
    code,
  ]),
);

/**
 * The label sets to initialise at zero, from what the app knows at start: the routes Fastify
 * registered (HEAD twins left out), each with the responses the OpenAPI document lists for it plus
 * 500 (a route the document leaves out, such as /metrics, with 200), and the closed sets of verify
 * results, auth failure reasons and storage operations.
 */
export function knownSeries(
  document: OpenAPIObject,
  routes: readonly { method: string; url: string }[],
): KnownSeries {
  const documented = new Map<string, number[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    const route = path.replace(/\{(\w+)\}/g, ':$1');
    for (const method of METHODS) {
      const responses = item[method]?.responses;
      if (!responses) continue;
      documented.set(
        `${method.toUpperCase()} ${route}`,
        Object.keys(responses).map(Number).filter(Number.isInteger),
      );
    }
  }
  const seen = new Set<string>();
  const known: KnownSeries['routes'] = [];
  for (const { method, url } of routes) {
    const key = `${method} ${url}`;
    if (method === 'HEAD' || seen.has(key)) continue;
    seen.add(key);
    const statuses = documented.get(key);
    known.push({
      method,
      route: url,
      statuses: statuses ? [...new Set([...statuses, UNEXPECTED])].sort() : [200],
    });
  }
  return {
    routes: known,
    problemCodeOf: (status) => CODE_OF_STATUS.get(status),
    verifyResults: VERIFY_REASONS,
    authFailureReasons: AUTH_FAILURE_REASONS,
    storageOperations: STORAGE_OPERATIONS,
  };
}
