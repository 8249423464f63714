import type { FastifyInstance } from 'fastify';

/** A request for a path the service has, with a method that path does not answer (RFC 9110 §15.5.6). */
export class MethodNotAllowedError extends Error {
  override readonly name = 'MethodNotAllowedError';
  constructor(
    readonly method: string,
    /** The methods the path does answer, for the `Allow` header. */
    readonly allow: string[],
  ) {
    super(`${method} is not allowed here; this path answers ${allow.join(', ')}`);
  }
}

interface RouteEntry {
  pattern: RegExp;
  /** Literal segments: `/api/v1/sigils/verify` (5) is more specific than `/api/v1/sigils/:id` (4). */
  literals: number;
  methods: Set<string>;
}

/** `/api/v1/sigils/:id` → a RegExp for concrete paths; `*` (static assets) matches the rest. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment === '*'
          ? '.*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Which methods each route path answers, learnt from Fastify's `onRoute` as routes are registered:
 * the router itself only knows "no route for this method and path", which Nest answers with 404.
 * Register before the app's routes are (i.e. before `app.init()`).
 */
export class AllowedMethods {
  private readonly routes = new Map<string, RouteEntry>();

  static register(fastify: FastifyInstance): AllowedMethods {
    const table = new AllowedMethods();
    fastify.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      table.add(route.url, methods);
    });
    return table;
  }

  add(url: string, methods: string[]): void {
    // A catch-all (CORS preflight's `OPTIONS *`) says nothing about which paths exist.
    if (url === '*' || url === '/*') return;
    const entry = this.routes.get(url) ?? {
      pattern: patternOf(url),
      literals: url.split('/').filter((segment) => segment && !segment.startsWith(':') && segment !== '*')
        .length,
      methods: new Set<string>(),
    };
    for (const method of methods) entry.methods.add(method.toUpperCase());
    // Fastify answers HEAD for every GET route.
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
    this.routes.set(url, entry);
  }

  /**
   * The methods `path` (no query string) answers, sorted; empty when no route has that path. Where
   * routes overlap, the most specific wins: `/api/v1/sigils/verify` is the verify resource, which
   * answers POST, even though `GET /api/v1/sigils/:id` would also match it.
   */
  allowedFor(path: string): string[] {
    let best = -1;
    let allowed = new Set<string>();
    for (const { pattern, literals, methods } of this.routes.values()) {
      if (literals < best || !pattern.test(path)) continue;
      if (literals > best) {
        best = literals;
        allowed = new Set();
      }
      for (const method of methods) allowed.add(method);
    }
    return [...allowed].sort();
  }
}
