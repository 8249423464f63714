import type { SigilRecord } from './sigil-record.js';

/** An `Idempotency-Key` claimed together with the write it protects. */
export interface IdempotencyClaim {
  /** Who sent the key (the token's `sub`): keys are per principal within a tenant. */
  principal: string;
  key: string;
  /** Hash of the request body; the same key with another fingerprint is a conflict. */
  fingerprint: string;
  /** ISO time after which the key may be reused for a new sigil. */
  expiresAt: string;
}

export type CreateOutcome =
  | { status: 'created'; sigil: SigilRecord }
  | { status: 'replayed'; sigil: SigilRecord }
  | { status: 'conflict' };

export interface ListQuery {
  /** 1..200, validated by the caller. */
  limit: number;
  /** Return only sigils older (in list order) than this id: the previous page's last id. */
  after?: string;
  tag?: string;
  source?: string;
  revoked?: boolean;
}

export interface ListPage {
  items: SigilRecord[];
  /** The id to pass as `after` for the next page, or null when this page is the last. */
  nextAfter: string | null;
}

export interface Revocation {
  revokedAt: string;
  revokedBy: string;
  reason: string | null;
}

export interface PatternEntry {
  id: string;
  resonancePattern: readonly number[];
  revoked: boolean;
}

/** Similarity search within one tenant. */
export interface MatchQuery {
  /** 16 numbers in [0, 1]. */
  pattern: readonly number[];
  /** Left out of the results (the query sigil itself). */
  excludeId?: string;
  /** Only hits with similarity >= threshold (after rounding). */
  threshold: number;
  /** At most this many hits. */
  topN: number;
}

export interface MatchHit {
  id: string;
  /** Cosine similarity, rounded to 6 decimals (see libs/sigil/src/dna/similarity.ts). */
  similarity: number;
}

/** What `restore` did with a record. */
export type RestoreOutcome = 'inserted' | 'unchanged' | 'conflict';

/** A signature as a record carries it: the key id and the signature under that key. */
export interface SignatureRef {
  kid: string;
  signature: string;
}

/** What `rewrap` writes: a new signature over the same signed fields, and the authHash it implies. */
export interface Rewrapped extends SignatureRef {
  authHash: string;
}

/**
 * The storage port. Every method takes the tenant first and throws on an empty one, so no
 * query can ever run unscoped. Ids are ULID-based and sort by creation time, which gives
 * list order ("newest first") for free.
 */
export abstract class SigilRepository {
  /** Stores a new sigil, durably, before resolving. With a claim, replays or conflicts instead. */
  abstract create(tenantId: string, sigil: SigilRecord, claim?: IdempotencyClaim): Promise<CreateOutcome>;
  abstract findById(tenantId: string, id: string): Promise<SigilRecord | null>;
  /** Marks a sigil revoked. Already revoked: returns it unchanged. Missing: null. */
  abstract revoke(tenantId: string, id: string, revocation: Revocation): Promise<SigilRecord | null>;
  /** Hard delete (erasure). False when there was nothing to delete. */
  abstract delete(tenantId: string, id: string): Promise<boolean>;
  /**
   * How many sigils the tenant holds (revoked ones included), from a count the adapter maintains
   * with every insert and delete: no scan, and exact under concurrent writes.
   */
  abstract count(tenantId: string): Promise<number>;
  /** Newest first, filtered; paging by id so concurrent inserts never shift a page. */
  abstract listPage(tenantId: string, query: ListQuery): Promise<ListPage>;
  /** Every sigil's resonance pattern in the tenant (integrity checks, index rebuilds). */
  abstract patterns(tenantId: string): AsyncIterable<PatternEntry>;
  /**
   * The unrevoked sigils most similar to a pattern: similarity desc, then id desc (newest first) on
   * ties. Every adapter answers exactly like `rankMatches` in libs/sigil/src/dna/similarity.ts, however
   * it gets there (an in-process index, SQL).
   */
  abstract match(tenantId: string, query: MatchQuery): Promise<MatchHit[]>;
  /**
   * Writes a record exactly as given (migrations, restores), durably: 'inserted' if the id was free,
   * 'unchanged' if an identical record is already there, 'conflict' (nothing written) if a different
   * one is. Safe to repeat, so an interrupted copy can simply run again.
   */
  abstract restore(tenantId: string, record: SigilRecord): Promise<RestoreOutcome>;
  /**
   * Re-signing under another key (secret rotation): replaces kid, signature and authHash, and only
   * those, if the stored record still carries `expected` (compare-and-set), durably. False when the
   * sigil is missing or its kid/signature changed meanwhile (nothing written). Everything else in the
   * record stays exactly as stored, so listings, filters and matches see the same sigil.
   */
  abstract rewrap(tenantId: string, id: string, expected: SignatureRef, next: Rewrapped): Promise<boolean>;
  /** Every tenant that has at least one sigil. */
  abstract tenants(): AsyncIterable<string>;
  /** A cheap round trip proving the store can read and write. Throws StorageUnavailableError. */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
