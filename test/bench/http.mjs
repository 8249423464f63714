// Loopback helpers shared by the bench scripts (run.mjs, match.mjs).
import net from 'node:net';

export const HOST = '127.0.0.1';

/** A free TCP port on 127.0.0.1 (tiny race until the service binds it; acceptable here). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** fetch with a hard timeout; resolves to the status and body text. */
export async function request(url, { method = 'GET', headers, body, timeoutMs = 10_000 } = {}) {
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, text };
}
