import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '#sigil';
import { JwksServer } from '../support/jwks-server.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { ensureBuilt, freePort, spawnService, waitReady, type ServiceProcess } from '../support/processes.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { SECRET_A, SECRET_B, tempDir } from '../support/test-app.js';

const kid = (hex: string) => keyIdOf(Buffer.from(hex, 'hex'));
const LIMIT = 40;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/**
 * One request on a connection of its own (no keep-alive agent): node:cluster hands each new
 * connection to the next worker, so a batch of these reaches every worker, and a killed worker
 * leaves no pooled socket behind.
 */
function call(url: string, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** `count` calls, `width` at a time (so several connections are open at once, on several workers). */
async function batch(count: number, width: number, one: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let start = 0; start < count; start += width) {
    const size = Math.min(width, count - start);
    answers.push(...(await Promise.all(Array.from({ length: size }, (_, j) => one(start + j)))));
  }
  return answers;
}

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Every `sigil_worker_requests_total{worker="…"}` series: requests answered per worker id. */
function perWorker(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const m of text.matchAll(/^sigil_worker_requests_total\{worker="(\d+)"\} (\d+)$/gm)) {
    found.set(m[1], Number(m[2]));
  }
  return found;
}

/** The JSON log lines of the primary and its workers (they share stdout). */
function logLines(service: ServiceProcess): Record<string, any>[] {
  return service
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const listeningPids = (service: ServiceProcess) =>
  new Set(
    logLines(service)
      .filter((l) => /listening on/.test(l.msg ?? ''))
      .map((l) => l.pid as number),
  );

describe('SIGIL_WORKERS=2 on Postgres: one instance, two worker processes', () => {
  const jwks = new JwksServer();
  let postgres: PostgresServer;
  let redis: RedisServer;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let secretsFile: string;
  let databaseUrl: string;
  const services: ServiceProcess[] = [];

  const startInstance = async (env: Record<string, string> = {}) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const service = spawnService({
      SIGIL_PORT: String(port),
      DATABASE_URL: databaseUrl,
      SIGIL_WORKERS: '2',
      SIGIL_SECRETS_FILE: secretsFile,
      JWT_ISSUER: jwks.issuer,
      JWT_JWKS_URI: jwks.url,
      SIGIL_RATE_LIMIT: String(LIMIT),
      // Long enough that every test runs inside one window.
      SIGIL_RATE_WINDOW: '600',
      ...env,
    });
    services.push(service);
    await waitReady(url, service.exited);
    // /readyz answered by one worker; both must be listening before a test counts on them.
    await until('both workers listening', () => (listeningPids(service).size >= 2 ? true : undefined));
    return { url, service };
  };

  let instance: { url: string; service: ServiceProcess };
  /** The worker the restart test kills: it never sees the SIGTERM. */
  let victim: number | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    await jwks.start();
    dir = await tempDir('sigil-workers-');
    secretsFile = `${dir.path}/secrets.env`;
    writeFileSync(secretsFile, `SPIRAL_EVENT_SECRET=${SECRET_A}\n`);
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    databaseUrl = await postgres.createDatabase('workers');
    instance = await startInstance();
  });
  afterAll(async () => {
    for (const service of services) {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    }
    await Promise.all([postgres?.destroy(), redis?.stop(), jwks.close()]);
    await dir?.remove();
  });

  const metrics = async (url: string) => (await call(url, 'GET', '/metrics')).text;

  it('migrates once in the primary, before any worker, and the workers start with migrations off', () => {
    const lines = logLines(instance.service);
    const migrated = lines.filter((l) => l.msg === 'migrations: up to date');
    expect(migrated).toHaveLength(1);
    expect(migrated[0].context).toBe('Cluster');
    const primaryPid = instance.service.child.pid;
    expect(migrated[0].pid).toBe(primaryPid);
    expect([...listeningPids(instance.service)].every((pid) => pid !== primaryPid)).toBe(true);
  });

  it('serves requests from both workers, and /metrics counts the whole instance', async () => {
    const token = jwks.token({ sub: 'metrics', scope: 'sigil:read' });
    const before = await metrics(instance.url);
    const series = 'http_requests_total{method="GET",route="/api/v1/sigils",status="200"}';
    const answers = await batch(30, 10, () => call(instance.url, 'GET', '/api/v1/sigils?limit=1', token));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));

    const after = await metrics(instance.url);
    // Summed over both workers, whichever one answered the scrape.
    expect(sample(after, series)! - (sample(before, series) ?? 0)).toBe(30);
    const served = perWorker(after);
    expect(served.size).toBe(2);
    const grew = [...served].filter(([id, n]) => n > (perWorker(before).get(id) ?? 0));
    expect(grew).toHaveLength(2);
    expect(sample(after, 'sigil_workers')).toBe(2);
    // Gauges keep their meaning across workers: ready is the minimum, not a sum of two 1s.
    expect(sample(after, 'sigil_ready')).toBe(1);
    expect(sample(after, 'sigil_rate_limit_backend{backend="memory"}')).toBe(1);
    expect(sample(after, 'sigil_memory_limit_bytes')).toBeGreaterThan(0);
  });

  it('admits exactly SIGIL_RATE_LIMIT requests for one user across both workers without Redis', async () => {
    const token = jwks.token({ sub: 'limited-memory', scope: 'sigil:read' });
    const before = perWorker(await metrics(instance.url));
    const answers = await batch(LIMIT, 8, () => call(instance.url, 'GET', '/api/v1/sigils?limit=1', token));
    expect(answers.map((a) => a.status)).toEqual(Array(LIMIT).fill(200));
    // One counter: every remaining value from LIMIT-1 down to 0 exactly once (two counters would repeat them).
    const remaining = answers.map((a) => Number(a.headers['x-ratelimit-remaining'])).sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: LIMIT }, (_, i) => i));
    const refused = await batch(4, 4, () => call(instance.url, 'GET', '/api/v1/sigils?limit=1', token));
    expect(refused.map((a) => a.status)).toEqual([429, 429, 429, 429]);
    const after = perWorker(await metrics(instance.url));
    expect([...after].filter(([id, n]) => n > (before.get(id) ?? 0))).toHaveLength(2);
  });

  it('admits exactly SIGIL_RATE_LIMIT requests for one user across both workers with Redis', async () => {
    const shared = await startInstance({ REDIS_URL: redis.url });
    const token = jwks.token({ sub: 'limited-redis', scope: 'sigil:read' });
    const answers = await batch(LIMIT, 8, () => call(shared.url, 'GET', '/api/v1/sigils?limit=1', token));
    expect(answers.map((a) => a.status)).toEqual(Array(LIMIT).fill(200));
    const remaining = answers.map((a) => Number(a.headers['x-ratelimit-remaining'])).sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: LIMIT }, (_, i) => i));
    expect((await call(shared.url, 'GET', '/api/v1/sigils?limit=1', token)).status).toBe(429);
    const ready = await call(shared.url, 'GET', '/readyz');
    expect(ready.body.details.rateLimit).toEqual({ status: 'up', backend: 'redis' });
    expect(perWorker(await metrics(shared.url)).size).toBe(2);
    shared.service.child.kill('SIGTERM');
    expect(await shared.service.exited).toBe(0);
  });

  it('relays SIGHUP to every worker: each reloads the secrets file, new sigils carry the new kid', async () => {
    writeFileSync(secretsFile, `SPIRAL_EVENT_SECRET=${SECRET_B}\nSPIRAL_EVENT_SECRET_PREVIOUS=${SECRET_A}\n`);
    instance.service.child.kill('SIGHUP');
    const workers = listeningPids(instance.service);
    const reloaded = await until('a SIGHUP reload in every worker', () => {
      const pids = new Set(
        logLines(instance.service)
          .filter((l) => l.event === 'keys.rotated' && l.trigger === 'SIGHUP')
          .map((l) => l.pid as number),
      );
      return pids.size >= workers.size ? pids : undefined;
    });
    expect(reloaded).toEqual(workers);
    const token = jwks.token({ sub: 'rotation', scope: 'sigil:write' });
    const minted = await batch(8, 8, (i) =>
      call(instance.url, 'POST', '/api/v1/sigils', token, { data: { i } }),
    );
    expect(minted.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(minted.map((a) => a.body.kid))).toEqual(new Set([kid(SECRET_B)]));
  });

  it('replaces a worker that dies, and keeps serving', async () => {
    [victim] = listeningPids(instance.service);
    process.kill(victim, 'SIGKILL');
    const replaced = await until('a replacement worker', () => {
      const pids = [...listeningPids(instance.service)].filter((pid) => pid !== victim);
      return pids.length >= 2 ? pids : undefined;
    });
    expect(replaced).not.toContain(victim);
    expect(
      logLines(instance.service).some((l) => /exited \(signal SIGKILL\); replacing it/.test(l.msg)),
    ).toBe(true);
    const text = await until('two workers in /metrics', async () => {
      const t = await metrics(instance.url);
      return sample(t, 'sigil_workers') === 2 ? t : undefined;
    });
    expect(sample(text, 'sigil_worker_restarts_total')).toBe(1);
    const token = jwks.token({ sub: 'after-restart', scope: 'sigil:read' });
    const answers = await batch(10, 10, () => call(instance.url, 'GET', '/api/v1/sigils?limit=1', token));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
  });

  it('gives up and exits 1 when workers crash-loop (here: a schema nobody migrated)', async () => {
    const port = await freePort();
    const service = spawnService({
      SIGIL_PORT: String(port),
      DATABASE_URL: await postgres.createDatabase('never_migrated'),
      SIGIL_DB_MIGRATE: 'false',
      SIGIL_WORKERS: '2',
      SIGIL_SECRETS_FILE: secretsFile,
      JWT_ISSUER: jwks.issuer,
      JWT_JWKS_URI: jwks.url,
    });
    services.push(service);
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain('Postgres schema is behind');
    const lines = logLines(service);
    expect(lines.filter((l) => /replacing it in \d+ ms/.test(l.msg ?? '')).length).toBeGreaterThanOrEqual(4);
    expect(lines.some((l) => /crashes within a minute; stopping the instance/.test(l.msg ?? ''))).toBe(true);
  });

  it('drains every worker on SIGTERM and exits 0 once they are gone', async () => {
    const alive = [...listeningPids(instance.service)].filter((pid) => pid !== victim);
    expect(alive).toHaveLength(2);
    instance.service.child.kill('SIGTERM');
    expect(await instance.service.exited).toBe(0);
    const lines = logLines(instance.service);
    const drained = new Set(lines.filter((l) => l.msg === 'SIGTERM received: draining').map((l) => l.pid));
    expect(alive.every((pid) => drained.has(pid))).toBe(true);
    expect(lines.some((l) => l.msg === 'all workers exited; primary exits 0')).toBe(true);
  });
});
