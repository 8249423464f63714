import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the superuser, trusted on loopback. */
  readonly adminUrl: string;
  /** The URL of a database on this server (which need not exist yet). */
  urlFor(database: string): string;
  /** Creates an empty database (a fresh random name by default) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Drops a database, disconnecting whoever is still in it. Missing is fine. */
  dropDatabase(name: string): Promise<void>;
  /** Fast shutdown (sessions are terminated, like an operator's `pg_ctl stop -m fast`). Data is kept. */
  stop(): Promise<void>;
  /** SIGKILL of the postmaster and every backend at once: a crash. Data is kept; `restart()` recovers. */
  kill(): Promise<void>;
  /** Stops the server if it runs and starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. Safe to call more than once. */
  destroy(): Promise<void>;
  /** With `tls`: the server's self-signed certificate (also its own CA), for `sslrootcert=`. */
  readonly certificatePath: string | null;
}

export interface PostgresServerOptions {
  /**
   * Also accept TLS, with a fresh self-signed certificate for 127.0.0.1 (openssl, which Debian's
   * postgresql package pulls in). Plain connections keep working.
   */
  tls?: boolean;
}

const STARTUP_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * A real PostgreSQL (Debian's binaries, the newest under /usr/lib/postgresql) on 127.0.0.1 and a free
 * port, with its data directory in a fresh temp dir. Throws (never skips) when the binaries are
 * missing: run `scripts/ensure-test-services.sh`.
 *
 * initdb and postgres refuse to run as root, so as root they run as the `postgres` user (which the
 * Debian package creates) through `runuser`, with the temp dir handed to that user.
 *
 * Test-only settings: `fsync=off` and initdb `--no-sync`. A killed server still leaves everything it
 * wrote in the OS page cache, so crash tests (`kill()`) keep their meaning; only an OS crash could lose
 * data, which no test does. `synchronous_commit` stays on, so a commit is acknowledged only once its
 * WAL has been written out of Postgres' own memory.
 */
export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const runAs = process.getuid?.() === 0 ? postgresUser() : null;
  const dir = await mkdtemp(join(tmpdir(), 'sigil-pg-'));
  const dataDir = join(dir, 'data');
  if (runAs !== null) await chown(dir, runAs.uid, runAs.gid);
  const tls = options.tls === true ? await makeCertificate(dir, runAs) : null;

  await run(runAs, join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);

  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running: Running | null = await launch(runAs, bin, dataDir, dir, port, tls);
  let destroyed = false;

  // A test runner that dies without destroy() must not leave a postmaster (or, best effort, its
  // directory) behind. SIGQUIT is Postgres' immediate shutdown; 'exit' handlers must be synchronous.
  const onExit = (): void => {
    if (running !== null) {
      signalQuietly(running.postmasterPid, 'SIGQUIT');
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 3_000;
      while (isAlive(running.postmasterPid) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 10);
    }
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // The postmaster may still be writing; a leftover temp dir is harmless.
    }
  };
  process.once('exit', onExit);

  const halt = async (how: 'fast' | 'crash'): Promise<void> => {
    const current = running;
    running = null;
    if (current === null) return;
    if (how === 'fast') {
      signalQuietly(current.postmasterPid, 'SIGINT');
    } else {
      // Backends survive their postmaster for a while; a crash takes them all at once.
      const pids = [current.postmasterPid, ...childrenOf(current.postmasterPid)];
      for (const pid of pids) signalQuietly(pid, 'SIGKILL');
      await waitGone(pids);
    }
    await waitExit(current.child, SHUTDOWN_TIMEOUT_MS, current.output);
  };

  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  const urlFor = (database: string): string =>
    `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  return {
    port,
    adminUrl,
    certificatePath: tls?.certificate ?? null,
    urlFor,
    async createDatabase(name = `test_${randomBytes(6).toString('hex')}`) {
      await admin((client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
      return urlFor(name);
    },
    async dropDatabase(name) {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
    async stop() {
      await halt('fast');
    },
    async kill() {
      await halt('crash');
    },
    async restart() {
      if (destroyed) throw new Error('this Postgres server was destroyed');
      await halt('fast');
      running = await launch(runAs, bin, dataDir, dir, port, tls);
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await halt('fast');
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface Running {
  child: ChildProcess;
  postmasterPid: number;
  output: () => string;
}

interface UnixUser {
  uid: number;
  gid: number;
}

function findPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL binaries not found under /usr/lib/postgresql/<version>/bin; the Postgres storage tests need a ' +
        'real server. Run scripts/ensure-test-services.sh (as root it installs the Debian package postgresql).',
    );
  }
  return join(root, versions[0], 'bin');
}

function postgresUser(): UnixUser {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      'Running as root, but there is no `postgres` user to run initdb/postgres as (they refuse root). ' +
        'Run scripts/ensure-test-services.sh, which installs the Debian package postgresql (it creates the user).',
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function command(runAs: UnixUser | null, binary: string, args: string[]): [string, string[]] {
  return runAs === null ? [binary, args] : ['runuser', ['-u', 'postgres', '--', binary, ...args]];
}

async function run(runAs: UnixUser | null, binary: string, args: string[]): Promise<void> {
  const [file, argv] = command(runAs, binary, args);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = capture(child);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`${binary} exited with ${String(code)}:\n${output()}`);
}

interface Certificate {
  certificate: string;
  key: string;
}

async function makeCertificate(dir: string, runAs: UnixUser | null): Promise<Certificate> {
  const certificate = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      certificate,
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a test certificate:\n${made.stderr}`);
  // Postgres refuses a key file that others can read.
  await chmod(key, 0o600);
  if (runAs !== null) {
    await chown(key, runAs.uid, runAs.gid);
    await chown(certificate, runAs.uid, runAs.gid);
  }
  return { certificate, key };
}

async function launch(
  runAs: UnixUser | null,
  bin: string,
  dataDir: string,
  socketDir: string,
  port: number,
  tls: Certificate | null,
): Promise<Running> {
  const tlsSettings =
    tls === null
      ? []
      : ['-c', 'ssl=on', '-c', `ssl_cert_file=${tls.certificate}`, '-c', `ssl_key_file=${tls.key}`];
  const [file, argv] = command(runAs, join(bin, 'postgres'), [
    ...tlsSettings,
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir}`,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=300',
    '-c',
    'log_min_messages=warning',
  ]);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = capture(child);
  let exited = false;
  child.once('exit', () => (exited = true));

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await accepts(`postgres://postgres@127.0.0.1:${port}/postgres`))) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill('SIGKILL');
      throw new Error(`postgres did not start on port ${port}:\n${output()}`);
    }
    await sleep(50);
  }
  // The first line of postmaster.pid: with runuser in between, `child.pid` is not the postmaster.
  const pidFile = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  return { child, postmasterPid: Number(pidFile.split('\n')[0]), output };
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function capture(child: ChildProcess): () => string {
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}

/** Direct children of a process, from /proc (every backend is a child of the postmaster). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

async function waitGone(pids: number[]): Promise<void> {
  const deadline = Date.now() + SHUTDOWN_TIMEOUT_MS;
  while (pids.some((pid) => isAlive(pid))) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(', ')} survived SIGKILL`);
    await sleep(10);
  }
}

function isAlive(pid: number): boolean {
  try {
    // A zombie still "exists" for kill(0); /proc says whether it is one.
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function waitExit(child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`postgres did not stop within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
