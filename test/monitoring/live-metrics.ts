import { JwksServer, makeKey } from '../support/jwks-server.js';
import { ensureBuilt, freePort, spawnService } from '../support/processes.js';
import { client, SECRET_A, startApp, tempDir } from '../support/test-app.js';
import { parseExposition, type Exposition } from './promql.js';

/** What Prometheus would send: METRICS_TOKEN as a bearer token (prometheus.yml's credentials_file). */
export const METRICS_TOKEN = 'monitoring-test-metrics-token-0123456789abcdef';

export interface LiveScrape extends Exposition {
  /** "METHOD path → status" of every request made before the scrape, for assertion messages. */
  traffic: string[];
}

/**
 * Starts the real service (LevelDB in a temp folder, JWKS on loopback), drives a little of every kind of
 * traffic so labelled series exist (encode, decode, list, verify with several results, match, revoke,
 * erase, a 404, 400, 401s, a 403, 429s for both scopes, the probes) and returns GET /metrics, scraped as
 * Prometheus would (bearer METRICS_TOKEN), after one earlier scrape so /metrics itself is counted too.
 */
export async function scrapeAfterTraffic(): Promise<LiveScrape> {
  const jwks = await new JwksServer().start();
  const dir = await tempDir('sigil-monitoring-');
  const running = await startApp(jwks, {
    SIGIL_STORAGE: 'leveldb',
    SIGIL_DB_PATH: `${dir.path}/db`,
    METRICS_TOKEN,
    // Small budgets so both rate-limit scopes trip; every other principal below stays far under them.
    SIGIL_RATE_LIMIT: '20',
    SIGIL_RATE_WINDOW: '60',
    SIGIL_ANON_RATE_LIMIT: '5',
  });
  const traffic: string[] = [];
  try {
    const as = (scope: string, sub: string) => {
      const call = client(running.url, jwks.token({ scope, sub }));
      return async (method: string, path: string, body?: unknown) => {
        const res = await call(method, path, body);
        traffic.push(`${method} ${path} → ${res.status}`);
        return res;
      };
    };
    const writer = as('sigil:write', 'monitoring-writer');
    const reader = as('sigil:read', 'monitoring-reader');
    const revoker = as('sigil:revoke sigil:read', 'monitoring-revoker');
    const admin = as('sigil:admin', 'monitoring-admin');

    const created = [];
    for (const data of [
      { invoice: 'INV-1', amount: 1 },
      { invoice: 'INV-2', amount: 2 },
      { invoice: 'INV-3' },
    ]) {
      const res = await writer('POST', '/api/v1/sigils', {
        data,
        metadata: { source: 'billing', tags: ['invoice'] },
      });
      if (res.status !== 201) throw new Error(`encode answered ${res.status}: ${res.text}`);
      created.push(res.body as { id: string; signature: string });
    }
    const [first, second, third] = created;
    await writer('POST', '/api/v1/sigils', { data: {} }); // 400 VALIDATION_FAILED
    await reader('GET', `/api/v1/sigils/${first.id}`);
    await reader('GET', '/api/v1/sigils/sigil_00000000000000000000000000'); // 404 NOT_FOUND
    await reader('GET', '/api/v1/sigils?limit=2');
    await reader('GET', '/api/v1/sigils?tag=invoice&source=billing');
    await reader('POST', '/api/v1/sigils/verify', { id: first.id, data: { amount: 1, invoice: 'INV-1' } }); // ok
    await reader('POST', '/api/v1/sigils/verify', { id: first.id, data: { invoice: 'other' } }); // data_mismatch
    await reader('POST', '/api/v1/sigils/verify', { id: first.id, signature: '0'.repeat(64) }); // signature_mismatch
    await reader('POST', '/api/v1/sigils/verify', { id: 'sigil_00000000000000000000000000' }); // not_found
    await reader('POST', '/api/v1/sigils/match', { sigilId: first.id, threshold: 0 });
    await reader('POST', '/api/v1/sigils', { data: { denied: true } }); // 403 FORBIDDEN
    await revoker('POST', `/api/v1/sigils/${second.id}/revoke`, { reason: 'monitoring test' });
    await reader('POST', '/api/v1/sigils/verify', { id: second.id }); // revoked
    await admin('DELETE', `/api/v1/sigils/${third.id}`);
    await admin('GET', '/api/v1/keys');
    await reader('GET', '/api/consciousness/sigils');
    await reader('GET', '/api/v1/no-such-route'); // 404, route "unmatched"
    // Authentication failures (each reason once), then one more from the same address: 429 anonymous.
    await raw(running.url, traffic);
    await raw(running.url, traffic, 'not-a-jwt');
    await raw(running.url, traffic, jwks.token({ expiresIn: -3600 }));
    await raw(running.url, traffic, jwks.token({ audience: 'someone-else' }));
    await raw(running.url, traffic, jwks.token({ key: makeKey('unpublished-key') }));
    await raw(running.url, traffic, 'still-not-a-jwt');
    // One principal over its budget: 429 principal.
    const flooder = as('sigil:read', 'monitoring-flooder');
    for (let i = 0; i <= 20; i++) await flooder('GET', '/api/v1/sigils?limit=1');
    for (const probe of ['/health', '/healthz', '/readyz']) await raw(running.url, traffic, undefined, probe);

    await scrape(running.url);
    const text = await scrape(running.url);
    return { ...parseExposition(text), traffic };
  } finally {
    await running.close();
    await jwks.close();
    await dir.remove();
  }
}

/**
 * The very first GET /metrics of the built service in a process of its own (not this test process,
 * whose prom-client registry other apps have already filled), before any other request has reached
 * it: what Prometheus sees on its first scrape of a new pod. Started on the same settings as
 * scrapeAfterTraffic; readiness is waited for on the log line, not by calling /readyz.
 */
export async function scrapeFresh(): Promise<LiveScrape> {
  await ensureBuilt();
  const jwks = await new JwksServer().start();
  const dir = await tempDir('sigil-monitoring-fresh-');
  const port = await freePort();
  const service = spawnService({
    SIGIL_STORAGE: 'leveldb',
    SIGIL_DB_PATH: `${dir.path}/db`,
    SIGIL_PORT: String(port),
    JWT_ISSUER: jwks.issuer,
    JWT_JWKS_URI: jwks.url,
    SPIRAL_EVENT_SECRET: SECRET_A,
    METRICS_TOKEN,
  });
  try {
    for (let i = 0; i < 300 && !service.output().includes('Sigil-DNA listening on'); i++) {
      if (service.child.exitCode !== null) throw new Error(`the service exited:\n${service.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const text = await scrape(`http://127.0.0.1:${port}`);
    return { ...parseExposition(text), traffic: ['(none: this scrape is the first request)'] };
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
    await jwks.close();
    await dir.remove();
  }
}

async function raw(
  baseUrl: string,
  traffic: string[],
  token?: string,
  path = '/api/v1/sigils',
): Promise<void> {
  const res = await fetch(baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  await res.arrayBuffer();
  traffic.push(`GET ${path}${token ? ' (bad token)' : ''} → ${res.status}`);
}

async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${text.slice(0, 500)}`);
  if (!/^text\/plain/.test(res.headers.get('content-type') ?? '')) {
    throw new Error(`GET /metrics content-type is ${res.headers.get('content-type')}`);
  }
  return text;
}
