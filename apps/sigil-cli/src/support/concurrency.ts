/**
 * Writes in flight at once in the bulk commands: enough to hide Postgres round trips and let LevelDB
 * commit them in shared batches, few enough to leave the pool room for the reads that feed them.
 */
const BULK_CONCURRENCY = 16;

/**
 * Calls `work` for every item as `items` yields it, at most `limit` at a time, and resolves once all
 * have finished. After a failure nothing more is started, and the calls in flight settle before the
 * first failure is thrown, so a store is never closed under them.
 */
export async function forEachConcurrently<T>(
  items: AsyncIterable<T>,
  work: (item: T) => Promise<void>,
  limit = BULK_CONCURRENCY,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  // Caught as it happens: a call may fail while the loop awaits the next item, with no one awaiting it.
  let failure: { error: unknown } | undefined;
  try {
    for await (const item of items) {
      if (failure) break;
      const task: Promise<void> = work(item)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failure) throw failure.error;
}
