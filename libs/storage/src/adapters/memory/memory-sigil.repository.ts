import {
  assertMatchQuery,
  assertTenant,
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
  rankMatches,
  type SignatureRef,
  type SigilRecord,
  SigilRepository,
} from '#sigil';
import { judgeClaim, type StoredClaim, toStoredClaim } from '../shared/idempotency-claim.policy.js';
import { LifecycleGate } from '../shared/lifecycle.gate.js';
import { withRevocation } from '../shared/revocation.policy.js';
import {
  assertRecordFor,
  decodePatternEntry,
  decodeStored,
  encodeRecord,
  sameRecord,
} from '../shared/sigil-record.codec.js';
import { assertListLimit, matchesListQuery } from '../shared/sigil-query.matcher.js';
import { assertRewrapArgs, carries, withSignature } from '../shared/rewrap.policy.js';

/**
 * In-memory adapter for `SIGIL_STORAGE=memory` and unit tests; same contract as LevelDB, nothing
 * survives the process. Records are kept as JSON text so values round-trip exactly as they do
 * through LevelDB and no caller ever holds an object the store also holds.
 *
 * Each method does all its reads and writes without awaiting in between, so on the single JS
 * thread every operation is atomic and needs no locks; nor is one ever in flight when close() is
 * called, so the lifecycle gate only has to refuse what comes after.
 */
export class MemorySigilRepository extends SigilRepository {
  /** tenant → id → record JSON. */
  private readonly records = new Map<string, Map<string, string>>();
  private readonly claims = new Map<string, StoredClaim>();
  private readonly gate = new LifecycleGate({ store: 'memory store', release: async () => {} });

  async create(tenantId: string, sigil: SigilRecord, claim?: IdempotencyClaim): Promise<CreateOutcome> {
    assertTenant(tenantId);
    assertRecordFor(tenantId, sigil);
    this.gate.assertOpen();
    const claimKey = claim === undefined ? undefined : JSON.stringify([tenantId, claim.principal, claim.key]);
    if (claim !== undefined && claimKey !== undefined) {
      const stored = this.claims.get(claimKey);
      const existing = stored === undefined ? null : this.read(tenantId, stored.sigilId);
      const verdict = judgeClaim(stored, claim, existing !== null);
      if (verdict === 'replay' && existing !== null) return { status: 'replayed', sigil: existing };
      if (verdict === 'conflict') return { status: 'conflict' };
      this.claims.set(claimKey, toStoredClaim(claim, sigil.id));
    }
    const text = encodeRecord(sigil);
    this.tenantRecords(tenantId).set(sigil.id, text);
    return { status: 'created', sigil: decodeStored(text, 'create') };
  }

  async findById(tenantId: string, id: string): Promise<SigilRecord | null> {
    assertTenant(tenantId);
    this.gate.assertOpen();
    return this.read(tenantId, id);
  }

  async revoke(tenantId: string, id: string, revocation: Revocation): Promise<SigilRecord | null> {
    assertTenant(tenantId);
    this.gate.assertOpen();
    const record = this.read(tenantId, id);
    if (record === null || record.revokedAt !== null) return record;
    const revoked = withRevocation(record, revocation);
    this.tenantRecords(tenantId).set(id, encodeRecord(revoked));
    return revoked;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    assertTenant(tenantId);
    this.gate.assertOpen();
    const records = this.records.get(tenantId);
    const deleted = records?.delete(id) ?? false;
    if (records?.size === 0) this.records.delete(tenantId);
    return deleted;
  }

  async count(tenantId: string): Promise<number> {
    assertTenant(tenantId);
    this.gate.assertOpen();
    return this.records.get(tenantId)?.size ?? 0;
  }

  async listPage(tenantId: string, query: ListQuery): Promise<ListPage> {
    assertTenant(tenantId);
    assertListLimit(query.limit);
    this.gate.assertOpen();
    const records = this.records.get(tenantId) ?? new Map<string, string>();
    // ULID ids sort by creation time, so descending id order is newest first.
    const ids = [...records.keys()]
      .filter((id) => query.after === undefined || id < query.after)
      .sort()
      .reverse();
    const items: SigilRecord[] = [];
    for (const id of ids) {
      const record = decodeStored<SigilRecord>(records.get(id) ?? '', `${tenantId}/${id}`);
      if (!matchesListQuery(record, query)) continue;
      if (items.length === query.limit) return { items, nextAfter: items[items.length - 1].id };
      items.push(record);
    }
    return { items, nextAfter: null };
  }

  patterns(tenantId: string): AsyncIterable<PatternEntry> {
    assertTenant(tenantId);
    this.gate.assertOpen();
    // Taken now, like a LevelDB iterator's implicit snapshot.
    const entries = [...(this.records.get(tenantId) ?? new Map<string, string>())];
    return (async function* () {
      for (const [id, text] of entries) yield decodePatternEntry(id, text, `${tenantId}/${id}`);
    })();
  }

  /** A full scan through the reference ranking: this store is for tests and small dev setups. */
  async match(tenantId: string, query: MatchQuery): Promise<MatchHit[]> {
    assertTenant(tenantId);
    assertMatchQuery(query);
    this.gate.assertOpen();
    const records = this.records.get(tenantId) ?? new Map<string, string>();
    const entries = [...records].map(([id, text]) => decodePatternEntry(id, text, `${tenantId}/${id}`));
    return rankMatches(entries, query);
  }

  async restore(tenantId: string, record: SigilRecord): Promise<RestoreOutcome> {
    assertTenant(tenantId);
    assertRecordFor(tenantId, record);
    this.gate.assertOpen();
    const existing = this.read(tenantId, record.id);
    if (existing !== null) return sameRecord(existing, record) ? 'unchanged' : 'conflict';
    this.tenantRecords(tenantId).set(record.id, encodeRecord(record));
    return 'inserted';
  }

  async rewrap(tenantId: string, id: string, expected: SignatureRef, next: Rewrapped): Promise<boolean> {
    assertTenant(tenantId);
    assertRewrapArgs(id, expected, next);
    this.gate.assertOpen();
    const record = this.read(tenantId, id);
    if (record === null || !carries(record, expected)) return false;
    this.tenantRecords(tenantId).set(id, encodeRecord(withSignature(record, next)));
    return true;
  }

  tenants(): AsyncIterable<string> {
    this.gate.assertOpen();
    const tenants = [...this.records.keys()].sort();
    return (async function* () {
      yield* tenants;
    })();
  }

  async ping(): Promise<void> {
    this.gate.assertOpen();
  }

  async close(): Promise<void> {
    return this.gate.close();
  }

  private read(tenantId: string, id: string): SigilRecord | null {
    const text = this.records.get(tenantId)?.get(id);
    return text === undefined ? null : decodeStored<SigilRecord>(text, `${tenantId}/${id}`);
  }

  private tenantRecords(tenantId: string): Map<string, string> {
    let records = this.records.get(tenantId);
    if (records === undefined) {
      records = new Map();
      this.records.set(tenantId, records);
    }
    return records;
  }
}
