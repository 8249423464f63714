/**
 * Serializes async sections per key within this process. LevelDB has no transactions, so every
 * read-modify-write (claim check + create, revoke, delete) runs under the lock of the key it
 * decides on; LevelDB's own LOCK file guarantees no other process writes the same store.
 */
export class KeyedMutex {
  /** The tail of each key's queue; removed once the last holder releases, so the map stays small. */
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // `held` never rejects, so neither does any tail: one failed section cannot wedge the key.
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    try {
      await previous;
      return await section();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
