import { execFile } from 'node:child_process';

/**
 * Podman as scripts/image.sh sets it up on this machine (runc, and CONTAINERS_CONF with no default
 * ulimits and cgroupfs): `npm run test:image` runs the image build first and hands both down.
 */
export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function podman(args: string[], timeoutMs = 60_000): Promise<PodmanResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'podman',
      ['--runtime', 'runc', ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && (error as { killed?: boolean }).killed) {
          reject(new Error(`podman ${args.join(' ')}: no answer within ${timeoutMs} ms`));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Like podman(), but a non-zero exit is an error carrying podman's own message. */
export async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const result = await podman(args, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`podman ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

export async function inspect(container: string, format: string): Promise<string> {
  return (await podmanOk(['inspect', '--format', format, container])).trim();
}

/**
 * Waits until `url`/readyz answers 200, failing early (with the container's log) if the container
 * exits first, and after `timeoutMs` in any case.
 */
export async function waitContainerReady(container: string, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if ((await inspect(container, '{{.State.Running}}')) !== 'true') {
      const logs = await podman(['logs', container]);
      throw new Error(`${container} exited before it was ready:\n${logs.stdout}${logs.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${container} was not ready within ${timeoutMs} ms`);
}

/** Waits for a container to exit and returns its exit code (bounded: podman wait has no timeout of its own). */
export async function waitExit(container: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await inspect(container, '{{.State.Status}}')) === 'exited') {
      return Number(await inspect(container, '{{.State.ExitCode}}'));
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${container} did not exit within ${timeoutMs} ms`);
}

/** JSON in, status and parsed body out (each call bounded). */
export async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
