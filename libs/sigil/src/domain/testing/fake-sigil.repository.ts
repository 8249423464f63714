/**
 * Test-only: an in-memory `SigilRepository` for unit tests of the domain (the domain lib must not
 * import a storage adapter). Deliberately naive (a Map per tenant, full scans) so it is obviously
 * correct, and it records every call so a test can assert what reached the port.
 */
import { assertMatchQuery, rankMatches } from '../../dna/similarity.js';
import type { SigilRecord } from '../sigil-record.js';
import {
  SigilRepository,
  type CreateOutcome,
  type IdempotencyClaim,
  type ListPage,
  type ListQuery,
  type MatchHit,
  type MatchQuery,
  type PatternEntry,
  type RestoreOutcome,
  type Revocation,
  type Rewrapped,
  type SignatureRef,
} from '../sigil.repository.js';
import { assertTenant } from '../storage.errors.js';

export type RepositoryMethod =
  | 'create'
  | 'findById'
  | 'revoke'
  | 'delete'
  | 'count'
  | 'listPage'
  | 'patterns'
  | 'match'
  | 'restore'
  | 'rewrap';

export interface RecordedCall {
  method: RepositoryMethod;
  tenantId: string;
  /** The arguments after the tenant, as passed. */
  args: unknown[];
}

interface StoredClaim {
  sigilId: string;
  fingerprint: string;
  expiresAt: string;
}

/** Records go in and come out as copies, like a real store: no caller shares an object with it. */
const copy = <T>(value: T): T => structuredClone(value);

export class FakeSigilRepository extends SigilRepository {
  readonly calls: RecordedCall[] = [];
  private readonly records = new Map<string, Map<string, SigilRecord>>();
  /** JSON [tenant, principal, key] → claim. */
  private readonly claims = new Map<string, StoredClaim>();

  /** `now` decides when idempotency claims expire; pass the test's clock. */
  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  // --- helpers for tests (not part of the port) ---

  /** Writes a record exactly as given, bypassing every rule: for tampering and cross-tenant copies. */
  put(tenantId: string, record: SigilRecord): void {
    this.tenant(tenantId).set(record.id, copy(record));
  }

  /** The stored record, or undefined, without recording a call. */
  stored(tenantId: string, id: string): SigilRecord | undefined {
    const record = this.records.get(tenantId)?.get(id);
    return record === undefined ? undefined : copy(record);
  }

  /** How many records the tenant holds, without recording a call. */
  sizeOf(tenantId: string): number {
    return this.records.get(tenantId)?.size ?? 0;
  }

  callsTo(method: RepositoryMethod): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  // --- the port ---

  async create(tenantId: string, sigil: SigilRecord, claim?: IdempotencyClaim): Promise<CreateOutcome> {
    this.record('create', tenantId, sigil, claim);
    const records = this.tenant(tenantId);
    if (claim !== undefined) {
      const claimKey = JSON.stringify([tenantId, claim.principal, claim.key]);
      const held = this.claims.get(claimKey);
      const existing = held === undefined ? undefined : records.get(held.sigilId);
      if (held !== undefined && existing !== undefined && Date.parse(held.expiresAt) > this.now()) {
        return held.fingerprint === claim.fingerprint
          ? { status: 'replayed', sigil: copy(existing) }
          : { status: 'conflict' };
      }
      this.claims.set(claimKey, {
        sigilId: sigil.id,
        fingerprint: claim.fingerprint,
        expiresAt: claim.expiresAt,
      });
    }
    records.set(sigil.id, copy(sigil));
    return { status: 'created', sigil: copy(sigil) };
  }

  async findById(tenantId: string, id: string): Promise<SigilRecord | null> {
    this.record('findById', tenantId, id);
    const record = this.tenant(tenantId).get(id);
    return record === undefined ? null : copy(record);
  }

  async revoke(tenantId: string, id: string, revocation: Revocation): Promise<SigilRecord | null> {
    this.record('revoke', tenantId, id, revocation);
    const records = this.tenant(tenantId);
    const record = records.get(id);
    if (record === undefined) return null;
    if (record.revokedAt === null) {
      record.revokedAt = revocation.revokedAt;
      record.revokedBy = revocation.revokedBy;
      record.revocationReason = revocation.reason;
    }
    return copy(record);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    this.record('delete', tenantId, id);
    return this.tenant(tenantId).delete(id);
  }

  async count(tenantId: string): Promise<number> {
    this.record('count', tenantId);
    return this.sizeOf(tenantId);
  }

  async listPage(tenantId: string, query: ListQuery): Promise<ListPage> {
    this.record('listPage', tenantId, query);
    const matching = [...this.tenant(tenantId).values()]
      .filter((r) => query.after === undefined || r.id < query.after)
      .filter((r) => query.tag === undefined || (r.metadata.tags ?? []).includes(query.tag))
      .filter((r) => query.source === undefined || r.metadata.source === query.source)
      .filter((r) => query.revoked === undefined || (r.revokedAt !== null) === query.revoked)
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const items = matching.slice(0, query.limit).map(copy);
    const more = matching.length > query.limit;
    return { items, nextAfter: more ? items[items.length - 1].id : null };
  }

  patterns(tenantId: string): AsyncIterable<PatternEntry> {
    this.record('patterns', tenantId);
    const entries = this.entries(tenantId);
    return (async function* () {
      yield* entries;
    })();
  }

  async match(tenantId: string, query: MatchQuery): Promise<MatchHit[]> {
    this.record('match', tenantId, query);
    assertMatchQuery(query);
    return rankMatches(this.entries(tenantId), query);
  }

  async restore(tenantId: string, record: SigilRecord): Promise<RestoreOutcome> {
    this.record('restore', tenantId, record);
    const records = this.tenant(tenantId);
    const existing = records.get(record.id);
    if (existing !== undefined) {
      return JSON.stringify(existing) === JSON.stringify(record) ? 'unchanged' : 'conflict';
    }
    records.set(record.id, copy(record));
    return 'inserted';
  }

  async rewrap(tenantId: string, id: string, expected: SignatureRef, next: Rewrapped): Promise<boolean> {
    this.record('rewrap', tenantId, id, expected, next);
    const record = this.tenant(tenantId).get(id);
    if (record === undefined || record.kid !== expected.kid || record.signature !== expected.signature) {
      return false;
    }
    record.kid = next.kid;
    record.signature = next.signature;
    record.authHash = next.authHash;
    return true;
  }

  tenants(): AsyncIterable<string> {
    const tenants = [...this.records].filter(([, records]) => records.size > 0).map(([tenant]) => tenant);
    return (async function* () {
      yield* tenants.sort();
    })();
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private record(method: RepositoryMethod, tenantId: string, ...args: unknown[]): void {
    this.calls.push({ method, tenantId, args: copy(args) });
    assertTenant(tenantId);
  }

  private entries(tenantId: string): PatternEntry[] {
    return [...this.tenant(tenantId).values()].map((r) => ({
      id: r.id,
      resonancePattern: [...r.dna.resonancePattern],
      revoked: r.revokedAt !== null,
    }));
  }

  private tenant(tenantId: string): Map<string, SigilRecord> {
    let records = this.records.get(tenantId);
    if (records === undefined) {
      records = new Map();
      this.records.set(tenantId, records);
    }
    return records;
  }
}
