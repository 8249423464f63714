import createClient, { type Client } from 'openapi-fetch';
import { SigilApiError, toProblem } from './errors.js';
import type { components, operations, paths } from './generated/schema.js';
import { API_VERSION } from './generated/version.js';
import { retryingFetch, type RetryOptions } from './retry.js';

type Schemas = components['schemas'];
export type Sigil = Schemas['Sigil'];
export type SigilSummary = Schemas['SigilSummary'];
export type SigilList = Schemas['SigilList'];
export type EncodeSigilRequest = Schemas['EncodeSigilRequest'];
export type VerifySigilRequest = Schemas['VerifySigilRequest'];
export type VerifyResult = Schemas['VerifyResult'];
export type MatchSigilsRequest = Schemas['MatchByPatternRequest'] | Schemas['MatchBySigilRequest'];
export type MatchResult = Schemas['MatchResult'];
export type KeyStatus = Schemas['KeyStatus'];
export type Backup = Schemas['Backup'];
export type ListSigilsQuery = NonNullable<operations['listSigils']['parameters']['query']>;

/** A bearer token, or a function that returns a current one (called before every request). */
export type TokenProvider = string | (() => string | Promise<string>);

export interface SigilClientOptions {
  /** Where the API is, e.g. `https://sigil.example.com` (no trailing `/api/v1`). */
  baseUrl: string;
  token: TokenProvider;
  /** Retries of 429 and 503, honouring Retry-After (capped). */
  retry?: RetryOptions;
  /** A fetch to use instead of the global one (a test double, a proxy agent…). */
  fetch?: (request: Request) => Promise<Response>;
}

export interface EncodeOptions {
  /**
   * Sent as `Idempotency-Key`. One is generated per call when left out, so a retried call (by
   * this client or by yours, with the same key) returns the same sigil instead of minting again.
   */
  idempotencyKey?: string;
}

/** What openapi-fetch hands back for one call. */
interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The Sigil-DNA API. Methods return the response body or throw a SigilApiError; `raw` is the
 * generated, fully typed client for anything else (response headers, the legacy paths).
 */
export class SigilClient {
  readonly raw: Client<paths>;

  constructor(options: SigilClientOptions) {
    const fetchImpl = options.fetch ?? ((request: Request) => globalThis.fetch(request));
    this.raw = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      fetch: retryingFetch(fetchImpl, options.retry),
    });
    const token = options.token;
    this.raw.use({
      async onRequest({ request }) {
        const value = typeof token === 'function' ? await token() : token;
        request.headers.set('authorization', `Bearer ${value}`);
        request.headers.set('user-agent', `sigil-dna-typescript/${API_VERSION}`);
        return request;
      },
    });
  }

  /** Mints a sigil (201). Retries never mint twice: every attempt carries the same Idempotency-Key. */
  async encode(body: EncodeSigilRequest, options: EncodeOptions = {}): Promise<Sigil> {
    const idempotencyKey = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    return unwrap(
      await this.raw.POST('/api/v1/sigils', {
        body,
        params: { header: { 'Idempotency-Key': idempotencyKey } },
      }),
    );
  }

  /** The sigil with its data; 404 (NOT_FOUND) when it is not in the caller's tenant. */
  async get(id: string): Promise<Sigil> {
    return unwrap(await this.raw.GET('/api/v1/sigils/{id}', { params: { path: { id } } }));
  }

  /** One page, newest first; pass `nextCursor` back as `cursor`. */
  async list(query: ListSigilsQuery = {}): Promise<SigilList> {
    return unwrap(await this.raw.GET('/api/v1/sigils', { params: { query } }));
  }

  /** Every sigil matching `query`, page after page, until the last. */
  async *listAll(query: Omit<ListSigilsQuery, 'cursor'> = {}): AsyncGenerator<SigilSummary, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, ...(cursor === undefined ? {} : { cursor }) });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Always a result for a well-formed request: `valid` and the first failing check in `reason`. */
  async verify(body: VerifySigilRequest): Promise<VerifyResult> {
    return unwrap(await this.raw.POST('/api/v1/sigils/verify', { body }));
  }

  /** Sigils whose resonance pattern is like `dnaPattern`, or like that of the sigil `sigilId`. */
  async match(body: MatchSigilsRequest): Promise<MatchResult> {
    return unwrap(await this.raw.POST('/api/v1/sigils/match', { body }));
  }

  /** Revokes (idempotent: revoking again returns it as first revoked). */
  async revoke(id: string, reason?: string): Promise<Sigil> {
    return unwrap(
      await this.raw.POST('/api/v1/sigils/{id}/revoke', {
        params: { path: { id } },
        ...(reason === undefined ? {} : { body: { reason } }),
      }),
    );
  }

  /** Erases the sigil for good (scope sigil:admin). */
  async delete(id: string): Promise<void> {
    unwrapEmpty(await this.raw.DELETE('/api/v1/sigils/{id}', { params: { path: { id } } }));
  }

  /** The key ring by kid (scope sigil:admin). */
  async keys(): Promise<KeyStatus> {
    return unwrap(await this.raw.GET('/api/v1/keys'));
  }

  /** An online backup of a LevelDB store (scope sigil:admin). */
  async createBackup(): Promise<Backup> {
    return unwrap(await this.raw.POST('/api/v1/admin/backups'));
  }
}

function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.response.ok && outcome.data !== undefined) return outcome.data;
  throw new SigilApiError(
    outcome.response.status,
    toProblem(outcome.response.status, outcome.error, outcome.response.headers),
    outcome.response.headers,
  );
}

function unwrapEmpty(outcome: Outcome<unknown>): void {
  if (outcome.response.ok) return;
  unwrap(outcome);
}
