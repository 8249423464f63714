import { performance } from 'node:perf_hooks';
import {
  type SigilRecord,
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
  SigilRepository,
} from '#sigil';

/** The operations timed, by kind: the `operation` label of the storage histograms (each initialised at zero). */
export const STORAGE_OPERATIONS = {
  read: ['find', 'count', 'list', 'match'],
  write: ['create', 'revoke', 'delete', 'restore', 'rewrap'],
} as const;
type Operation<K extends keyof typeof STORAGE_OPERATIONS> = (typeof STORAGE_OPERATIONS)[K][number];

/** Where storage timings go (the metrics lib implements it; storage does not depend on it). */
export interface StorageObserver {
  storageRead(operation: string, seconds: number): void;
  storageWrite(operation: string, seconds: number): void;
}

/**
 * Times every read and write of whichever adapter it wraps, failures included (a slow failure is
 * still latency), so storage latency means the same thing on LevelDB and Postgres.
 */
export class InstrumentedSigilRepository extends SigilRepository {
  constructor(
    private readonly inner: SigilRepository,
    private readonly observer: StorageObserver,
  ) {
    super();
  }

  create(tenantId: string, sigil: SigilRecord, claim?: IdempotencyClaim): Promise<CreateOutcome> {
    return this.timed('write', 'create', () => this.inner.create(tenantId, sigil, claim));
  }
  findById(tenantId: string, id: string): Promise<SigilRecord | null> {
    return this.timed('read', 'find', () => this.inner.findById(tenantId, id));
  }
  revoke(tenantId: string, id: string, revocation: Revocation): Promise<SigilRecord | null> {
    return this.timed('write', 'revoke', () => this.inner.revoke(tenantId, id, revocation));
  }
  delete(tenantId: string, id: string): Promise<boolean> {
    return this.timed('write', 'delete', () => this.inner.delete(tenantId, id));
  }
  count(tenantId: string): Promise<number> {
    return this.timed('read', 'count', () => this.inner.count(tenantId));
  }
  listPage(tenantId: string, query: ListQuery): Promise<ListPage> {
    return this.timed('read', 'list', () => this.inner.listPage(tenantId, query));
  }
  match(tenantId: string, query: MatchQuery): Promise<MatchHit[]> {
    return this.timed('read', 'match', () => this.inner.match(tenantId, query));
  }
  restore(tenantId: string, record: SigilRecord): Promise<RestoreOutcome> {
    return this.timed('write', 'restore', () => this.inner.restore(tenantId, record));
  }
  rewrap(tenantId: string, id: string, expected: SignatureRef, next: Rewrapped): Promise<boolean> {
    return this.timed('write', 'rewrap', () => this.inner.rewrap(tenantId, id, expected, next));
  }
  patterns(tenantId: string): AsyncIterable<PatternEntry> {
    return this.inner.patterns(tenantId);
  }
  tenants(): AsyncIterable<string> {
    return this.inner.tenants();
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  private async timed<K extends keyof typeof STORAGE_OPERATIONS, T>(
    kind: K,
    operation: Operation<K>,
    work: () => Promise<T>,
  ): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      const seconds = (performance.now() - start) / 1000;
      if (kind === 'read') this.observer.storageRead(operation, seconds);
      else this.observer.storageWrite(operation, seconds);
    }
  }
}
