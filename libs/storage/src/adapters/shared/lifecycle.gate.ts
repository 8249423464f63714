import { StorageUnavailableError } from '#sigil';

export interface LifecycleGateOptions {
  /** Names the store in the error a call after close() gets: "<store> is closed". */
  store: string;
  /** Releases what the adapter holds; runs once, after every admitted operation has settled. */
  release: () => Promise<void>;
  /** The adapter's own error mapping (I/O failures to StorageUnavailableError); identity by default. */
  mapError?: (err: unknown, operation: string) => unknown;
}

/**
 * When an adapter may serve, shared by all of them. A shutdown (SIGTERM, a CLI command ending) must
 * neither cut an operation off halfway, failing a request that had already started, nor let one
 * start on a store that is going away: so close() refuses new operations at once, waits for the
 * admitted ones, and only then releases the store.
 */
export class LifecycleGate {
  private readonly inflight = new Set<Promise<unknown>>();
  private closing: Promise<void> | null = null;

  constructor(private readonly options: LifecycleGateOptions) {}

  /** False from the moment close() is first called, while admitted operations still finish. */
  get isOpen(): boolean {
    return this.closing === null;
  }

  /** For work the gate does not track (a stream, a synchronous answer): refused once closing. */
  assertOpen(): void {
    if (this.closing !== null) throw this.closedError();
  }

  /** Admits `work` while open and tracks it until it settles; its failure goes through `mapError`. */
  run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (this.closing !== null) return Promise.reject(this.closedError());
    const { mapError = (err: unknown) => err } = this.options;
    // The async wrapper maps a synchronous throw in `work` like a rejection; `work` still starts now.
    const done = (async () => work())().catch((err: unknown) => {
      throw mapError(err, operation);
    });
    this.inflight.add(done);
    const forget = () => this.inflight.delete(done);
    void done.then(forget, forget);
    return done;
  }

  /** Idempotent: every call gets the one shutdown, which releases the store once. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    await this.options.release();
  }

  private closedError(): StorageUnavailableError {
    return new StorageUnavailableError(`${this.options.store} is closed`);
  }
}
