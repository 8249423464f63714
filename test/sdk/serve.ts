/**
 * A live Sigil-DNA for the SDK tests and the fuzzer: the built service (dist/) in production mode on
 * LevelDB in a temp folder, trusting a real JWKS on loopback, plus tokens for every role. It prints
 * one line of JSON (ServeInfo) on stdout once both services answer, then runs until SIGTERM/SIGINT
 * (or, when its stdin is a pipe, until that closes), and removes its temp folder on the way out.
 *
 *   node test/sdk/serve.ts                  (Node 24 runs it as is: types are stripped)
 *
 * Two services share the JWKS: `url`, with limits raised so tests and the fuzzer are never
 * throttled, and `limitedUrl`, which allows LIMITED_REQUESTS per second per principal, for the
 * 429-then-retry tests. Everything listens on 127.0.0.1.
 */
import { fstatSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwksServer } from '../support/jwks-server.ts';
import { ensureBuilt, freePort, spawnService, waitReady, type ServiceProcess } from '../support/processes.ts';

export interface ServeInfo {
  url: string;
  limitedUrl: string;
  limitedRequests: number;
  maxDataBytes: number;
  tenant: string;
  tokens: {
    /** sigil:read sigil:write sigil:revoke sigil:admin */
    admin: string;
    /** sigil:read only */
    readOnly: string;
    /** sigil:read sigil:write */
    writer: string;
    /** every scope, in another tenant: sees none of the first tenant's sigils */
    otherTenant: string;
    /** every scope, but expired an hour ago */
    expired: string;
  };
}

const LIMITED_REQUESTS = 3;
const MAX_DATA_BYTES = 65_536;
const SECRET = 'a'.repeat(64);
const ALL_SCOPES = 'sigil:read sigil:write sigil:revoke sigil:admin';
/** Tokens outlive any test run; the fuzzer's stateful phase and the slowest SDK suite included. */
const TOKEN_TTL_SECONDS = 3 * 3600;

async function start(
  jwks: JwksServer,
  dir: string,
  name: string,
  env: Record<string, string>,
): Promise<{ url: string; service: ServiceProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = spawnService({
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.SIGIL_SERVE_LOG_LEVEL ?? 'error',
    JWT_ISSUER: jwks.issuer,
    JWT_JWKS_URI: jwks.url,
    SPIRAL_EVENT_SECRET: SECRET,
    SIGIL_DB_PATH: join(dir, name, 'db'),
    SIGIL_BACKUP_DIR: join(dir, name, 'backups'),
    SIGIL_MAX_DATA_BYTES: String(MAX_DATA_BYTES),
    SIGIL_HOST: '127.0.0.1',
    SIGIL_PORT: String(port),
    SIGIL_SHUTDOWN_DELAY_MS: '0',
    SIGIL_SHUTDOWN_GRACE_MS: '2000',
    // A small disk must not make the fuzzer's target unready.
    SIGIL_DISK_MIN_FREE_PERCENT: '0',
    ...env,
  });
  service.child.stdout?.pipe(process.stderr);
  service.child.stderr?.pipe(process.stderr);
  await waitReady(url, service.exited);
  return { url, service };
}

async function main(): Promise<void> {
  await ensureBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'sigil-serve-'));
  const jwks = await new JwksServer().start();
  const services: ServiceProcess[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const s of services) s.child.kill('SIGTERM');
    await Promise.all(services.map((s) => s.exited));
    await jwks.close();
    await rm(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  // Spawned with a pipe (pytest and go test use a FIFO, Node a socket): the parent's exit closes
  // it, and that stops us too. A terminal or /dev/null (a shell's `&`) is not a signal to stop.
  const stdin = fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) {
    process.stdin.on('end', () => void stop(0));
    process.stdin.resume();
  }

  try {
    const main = await start(jwks, dir, 'main', {
      SIGIL_RATE_LIMIT: '1000000',
      SIGIL_ANON_RATE_LIMIT: '1000000',
    });
    services.push(main.service);
    const limited = await start(jwks, dir, 'limited', {
      SIGIL_RATE_LIMIT: String(LIMITED_REQUESTS),
      SIGIL_RATE_WINDOW: '1',
    });
    services.push(limited.service);
    for (const s of services) {
      void s.exited.then((code) => {
        if (!stopping) {
          process.stderr.write(`a service exited (${code}) before serve.ts was stopped\n`);
          void stop(1);
        }
      });
    }
    const token = (scope: string, extra: { tenant?: string; expiresIn?: number; sub?: string } = {}) =>
      jwks.token({ tenant: 'acme', scope, expiresIn: TOKEN_TTL_SECONDS, ...extra });
    const info: ServeInfo = {
      url: main.url,
      limitedUrl: limited.url,
      limitedRequests: LIMITED_REQUESTS,
      maxDataBytes: MAX_DATA_BYTES,
      tenant: 'acme',
      tokens: {
        admin: token(ALL_SCOPES),
        readOnly: token('sigil:read', { sub: 'reader-1' }),
        writer: token('sigil:read sigil:write', { sub: 'writer-1' }),
        otherTenant: token(ALL_SCOPES, { tenant: 'globex', sub: 'intruder-1' }),
        expired: token(ALL_SCOPES, { expiresIn: -3600 }),
      },
    };
    process.stdout.write(`${JSON.stringify(info)}\n`);
  } catch (error) {
    process.stderr.write(`serve.ts: ${String(error)}\n`);
    for (const s of services) process.stderr.write(s.output());
    await stop(1);
  }
}

await main();
