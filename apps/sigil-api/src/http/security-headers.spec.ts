import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';
import { describe, expect, it } from 'vitest';
import { securityHeadersFor } from './security-headers.js';

/** What helmet itself puts on a real Node response, read back by a real client. */
async function helmetOnTheWire(options: HelmetOptions): Promise<Record<string, string>> {
  const middleware = helmet(options);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    middleware(req, res, () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`);
    await res.text();
    const transport = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);
    return Object.fromEntries([...res.headers].filter(([name]) => !transport.has(name)));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('securityHeadersFor', () => {
  const cases: [string, HelmetOptions][] = [
    ['defaults', {}],
    [
      'the API’s CSP',
      {
        contentSecurityPolicy: {
          directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], frameAncestors: ["'none'"] },
        },
      },
    ],
    [
      'HSTS and COEP options',
      { strictTransportSecurity: { maxAge: 600, preload: true }, crossOriginEmbedderPolicy: true },
    ],
    ['headers switched off', { contentSecurityPolicy: false, xFrameOptions: false }],
  ];

  it.each(cases)('equals what helmet sends (%s)', async (_name, options) => {
    const expected = await helmetOnTheWire(options);
    expect(Object.keys(expected).length).toBeGreaterThan(5);
    expect(securityHeadersFor(options)).toEqual(expected);
  });

  it('is frozen and lower-cased', () => {
    const headers = securityHeadersFor({});
    expect(Object.isFrozen(headers)).toBe(true);
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers).not.toHaveProperty('x-powered-by');
  });

  it('throws what helmet refuses', () => {
    expect(() =>
      securityHeadersFor({
        contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ['self'] } },
      }),
    ).toThrow(/scriptSrc|script-src|self/i);
  });
});
