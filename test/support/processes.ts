import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const MAIN = new URL('../../dist/apps/sigil-api/src/main.js', import.meta.url).pathname;
export const CLI = new URL('../../dist/apps/sigil-cli/src/main.js', import.meta.url).pathname;
export const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/**
 * Builds dist/ when it is missing or older than a source file, so child processes run the code under
 * test (`npm test` builds first; this covers running one spec file on its own).
 */
export async function ensureBuilt(): Promise<void> {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return e.name === '__tests__' ? max : Math.max(max, newest(p));
      return e.name.endsWith('.ts') ? Math.max(max, statSync(p).mtimeMs) : max;
    }, 0);
  const sources = Math.max(newest(join(REPO, 'apps')), newest(join(REPO, 'libs')));
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < sources) {
    await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: REPO });
  }
}

export interface ServiceProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * A built service in its own process, as an operator runs it (`main`: another install's entry point;
 * `nodeArgs`: node options before it).
 */
export function spawnService(
  env: Record<string, string>,
  main: string = MAIN,
  nodeArgs: readonly string[] = [],
): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let output = '';
  const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, main], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitReady(url: string, exited: Promise<number | null>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 200 && !gone; i++) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('service did not become ready');
}
