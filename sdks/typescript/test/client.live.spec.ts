import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigilApiError, SigilClient, type SigilClientOptions } from '../src/index.js';

/** What test/sdk/serve.ts prints: a live Sigil-DNA (the build, production mode, a JWKS on loopback). */
interface ServeInfo {
  url: string;
  limitedUrl: string;
  limitedRequests: number;
  maxDataBytes: number;
  tokens: Record<'admin' | 'readOnly' | 'writer' | 'otherTenant' | 'expired', string>;
}

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
let serve: ChildProcess;
let live: ServeInfo;

beforeAll(async () => {
  // This runs on Node 24 (vitest through npm), which strips serve.ts's types itself.
  serve = spawn(process.execPath, ['test/sdk/serve.ts'], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: serve.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    serve.once('exit', (code) => reject(new Error(`test/sdk/serve.ts exited (${code}) before reporting`)));
  });
  live = JSON.parse(first) as ServeInfo;
});

afterAll(async () => {
  if (!serve || serve.exitCode !== null) return;
  const exited = new Promise((resolve) => serve.once('exit', resolve));
  serve.stdin?.end(); // serve.ts stops when its stdin closes
  await exited;
});

const client = (token: string, options: Partial<SigilClientOptions> = {}) =>
  new SigilClient({ baseUrl: live.url, token, retry: { maxRetries: 0 }, ...options });
const admin = () => client(live.tokens.admin);
const uniqueTag = () => `ts-${randomUUID().slice(0, 12)}`;

/** The SigilApiError a call rejects with. */
async function problemOf(call: Promise<unknown>): Promise<SigilApiError> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SigilApiError)) throw new Error(`expected a SigilApiError, got ${String(error)}`);
  return error;
}

describe('TypeScript SDK against a live Sigil-DNA', () => {
  it('encodes without a key (a new sigil each time) and decodes the data back', async () => {
    const body = { data: { invoice: 'INV-1001', amount: 42.5 }, metadata: { tags: ['invoice'] } };
    const first = await admin().encode(body);
    const second = await admin().encode(body);
    expect(first.id).toMatch(/^sigil_/);
    expect(second.id).not.toBe(first.id);
    const decoded = await admin().get(first.id);
    expect(decoded.data).toEqual({ invoice: 'INV-1001', amount: 42.5 });
    expect(decoded.signature).toBe(first.signature);
  });

  it('returns the same sigil for an encode repeated with the same Idempotency-Key', async () => {
    const idempotencyKey = randomUUID();
    const first = await admin().encode({ data: { order: 7 } }, { idempotencyKey });
    const again = await admin().encode({ data: { order: 7 } }, { idempotencyKey });
    expect(again.id).toBe(first.id);
    expect(again.createdAt).toBe(first.createdAt);
  });

  it('verifies ok, data_mismatch and signature_mismatch', async () => {
    const sigil = await admin().encode({ data: { invoice: 'INV-2', amount: 1 } });
    await expect(
      admin().verify({ id: sigil.id, data: { amount: 1, invoice: 'INV-2' }, signature: sigil.signature }),
    ).resolves.toMatchObject({ valid: true, reason: 'ok' });
    await expect(
      admin().verify({ id: sigil.id, data: { invoice: 'INV-2', amount: 2 } }),
    ).resolves.toMatchObject({
      valid: false,
      reason: 'data_mismatch',
    });
    await expect(admin().verify({ id: sigil.id, signature: '0'.repeat(64) })).resolves.toMatchObject({
      valid: false,
      reason: 'signature_mismatch',
    });
  });

  it('lists every page of 250 sigils without repeats or gaps', async () => {
    const tag = uniqueTag();
    const sdk = admin();
    const minted = new Set<string>();
    for (let n = 0; n < 250; n++)
      minted.add((await sdk.encode({ data: { n }, metadata: { tags: [tag] } })).id);
    const page = await sdk.list({ tag, limit: 40 });
    expect(page.items).toHaveLength(40);
    expect(page.nextCursor).toEqual(expect.any(String));
    const seen: string[] = [];
    for await (const item of sdk.listAll({ tag, limit: 40 })) seen.push(item.id);
    expect(seen).toHaveLength(250);
    expect(new Set(seen)).toEqual(minted);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it('matches by sigil (excluding it) and by pattern', async () => {
    const tag = uniqueTag();
    const base = await admin().encode({ data: { twin: tag } });
    const twin = await admin().encode({ data: { twin: tag } });
    const bySigil = await admin().match({ sigilId: base.id, threshold: 0.999, topN: 100 });
    const ids = bySigil.matches.map((m) => m.sigilId);
    expect(ids).toContain(twin.id);
    expect(ids).not.toContain(base.id);
    const byPattern = await admin().match({
      dnaPattern: base.dna.resonancePattern,
      threshold: 0.999,
      topN: 100,
    });
    expect(byPattern.matches.map((m) => m.sigilId)).toContain(base.id);
  });

  it('revokes, verifies revoked, then deletes', async () => {
    const sigil = await admin().encode({ data: { retire: true } });
    const revoked = await admin().revoke(sigil.id, 'key compromise');
    expect(revoked.revocationReason).toBe('key compromise');
    await expect(admin().revoke(sigil.id)).resolves.toMatchObject({ revokedAt: revoked.revokedAt });
    await expect(admin().verify({ id: sigil.id })).resolves.toMatchObject({
      valid: false,
      reason: 'revoked',
    });
    await admin().delete(sigil.id);
    const gone = await problemOf(admin().get(sigil.id));
    expect([gone.status, gone.code]).toEqual([404, 'NOT_FOUND']);
  });

  describe('errors', () => {
    it('400 names the field', async () => {
      const tags = Array.from({ length: 11 }, (_, i) => `t${i}`);
      const error = await problemOf(admin().encode({ data: { a: 1 }, metadata: { tags } }));
      expect([error.status, error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(error.fieldError('metadata.tags')).toBeDefined();
      expect(error.requestId).not.toBe('');
    });

    it('401 for an expired token', async () => {
      const error = await problemOf(client(live.tokens.expired).keys());
      expect([error.status, error.code]).toEqual([401, 'UNAUTHORIZED']);
    });

    it('403 for a missing scope', async () => {
      const error = await problemOf(client(live.tokens.readOnly).encode({ data: { a: 1 } }));
      expect([error.status, error.code]).toEqual([403, 'FORBIDDEN']);
    });

    it('404 for another tenant’s sigil', async () => {
      const sigil = await admin().encode({ data: { mine: true } });
      const error = await problemOf(client(live.tokens.otherTenant).get(sigil.id));
      expect([error.status, error.code]).toEqual([404, 'NOT_FOUND']);
    });

    it('409 for a key reused with another body', async () => {
      const idempotencyKey = randomUUID();
      await admin().encode({ data: { v: 1 } }, { idempotencyKey });
      const error = await problemOf(admin().encode({ data: { v: 2 } }, { idempotencyKey }));
      expect([error.status, error.code]).toEqual([409, 'CONFLICT']);
    });

    it('413 names data', async () => {
      const error = await problemOf(admin().encode({ data: { blob: 'x'.repeat(live.maxDataBytes + 1) } }));
      expect([error.status, error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      expect(error.fieldError('data')).toBeDefined();
    });

    it('429 without retries, with its Retry-After', async () => {
      const sdk = client(live.tokens.writer, { baseUrl: live.limitedUrl });
      let error: SigilApiError | undefined;
      for (let i = 0; i < live.limitedRequests + 5 && !error; i++) {
        try {
          await sdk.list({ limit: 1 });
        } catch (e) {
          if (!(e instanceof SigilApiError)) throw e;
          error = e;
        }
      }
      expect([error?.status, error?.code]).toEqual([429, 'RATE_LIMITED']);
      expect(error?.retryAfterSeconds).toBeGreaterThan(0);
    });
  });

  it('retries a 429 after Retry-After, and a retried encode mints once', async () => {
    const statuses: number[] = [];
    const counting = async (request: Request) => {
      const response = await fetch(request);
      statuses.push(response.status);
      return response;
    };
    const sdk = new SigilClient({
      baseUrl: live.limitedUrl,
      token: live.tokens.admin,
      retry: { maxRetries: 5, maxDelayMs: 3000 },
      fetch: counting,
    });
    const tag = uniqueTag();
    const minted: string[] = [];
    for (let n = 0; n < live.limitedRequests + 3; n++) {
      minted.push((await sdk.encode({ data: { n }, metadata: { tags: [tag] } })).id);
    }
    expect(statuses).toContain(429);
    const listed: string[] = [];
    for await (const item of sdk.listAll({ tag, limit: 100 })) listed.push(item.id);
    expect(listed.sort()).toEqual([...minted].sort());
  });

  it('asks a token callback before every request', async () => {
    let asked = 0;
    const sdk = client('', {
      token: async () => {
        asked++;
        return live.tokens.admin;
      },
    });
    await sdk.keys();
    await sdk.keys();
    expect(asked).toBe(2);
  });
});
