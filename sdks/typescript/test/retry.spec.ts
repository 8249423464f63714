import { describe, expect, it } from 'vitest';
import { SigilApiError, SigilClient } from '../src/index.js';

const problem = (status: number, code: string) =>
  JSON.stringify({ type: 'urn:x', title: 't', status, detail: 'd', code, requestId: 'r-1' });

/** A fetch that answers from a script and records what it was sent. */
function scripted(answers: (() => Response)[]) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request);
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  };
  return { fetch, requests };
}

const ok = () =>
  new Response(JSON.stringify({ activeKid: '3f9a1c2b', verifyOnlyKids: [] }), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
const unavailable = (retryAfter: string) => () =>
  new Response(problem(503, 'STORAGE_UNAVAILABLE'), {
    status: 503,
    headers: { 'content-type': 'application/problem+json', 'retry-after': retryAfter },
  });

describe('retries (scripted answers, no server)', () => {
  it('retries a 503 and caps a long Retry-After at maxDelayMs', async () => {
    const { fetch, requests } = scripted([unavailable('3600'), unavailable('0'), ok]);
    const client = new SigilClient({
      baseUrl: 'http://sigil.test',
      token: 't',
      fetch,
      retry: { maxDelayMs: 5 },
    });
    await expect(client.keys()).resolves.toEqual({ activeKid: '3f9a1c2b', verifyOnlyKids: [] });
    expect(requests).toHaveLength(3);
  });

  it('gives up after maxRetries with the last answer as a SigilApiError', async () => {
    const { fetch, requests } = scripted([unavailable('0'), unavailable('0'), unavailable('0')]);
    const client = new SigilClient({
      baseUrl: 'http://sigil.test',
      token: 't',
      fetch,
      retry: { maxRetries: 2 },
    });
    const error: unknown = await client.keys().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigilApiError);
    expect((error as SigilApiError).code).toBe('STORAGE_UNAVAILABLE');
    expect((error as SigilApiError).retryAfterSeconds).toBe(0);
    expect(requests).toHaveLength(3);
  });

  it('resends an encode with the same Idempotency-Key and body', async () => {
    const sigil = () =>
      new Response('{"id":"sigil_1"}', { status: 201, headers: { 'content-type': 'application/json' } });
    const { fetch, requests } = scripted([unavailable('0'), sigil]);
    const client = new SigilClient({ baseUrl: 'http://sigil.test', token: 't', fetch });
    await client.encode({ data: { a: 1 } });
    const keys = requests.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await Promise.all(requests.map((r) => r.text()))).toEqual([
      '{"data":{"a":1}}',
      '{"data":{"a":1}}',
    ]);
  });

  it('does not retry other errors', async () => {
    const forbidden = () =>
      new Response(problem(403, 'FORBIDDEN'), {
        status: 403,
        headers: { 'content-type': 'application/problem+json' },
      });
    const { fetch, requests } = scripted([forbidden]);
    const client = new SigilClient({ baseUrl: 'http://sigil.test', token: 't', fetch });
    await expect(client.keys()).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN', requestId: 'r-1' });
    expect(requests).toHaveLength(1);
  });
});
