interface PendingWrite<Op> {
  ops: Op[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: an fsync costs the same for one write as for a hundred, so writes that arrive
 * while a commit is in flight wait and then go out together as the next single batch. A write
 * that finds the queue idle is committed at once, so a lone write never waits for company.
 * Every writer's promise settles with the batch its operations were part of.
 */
export class GroupCommitQueue<Op> {
  private waiting: PendingWrite<Op>[] = [];
  private running = false;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly commit: (ops: Op[]) => Promise<void>) {}

  write(ops: Op[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ ops, resolve, reject });
      if (!this.running) {
        // Set before run() starts: run() may finish synchronously if commit throws synchronously.
        this.running = true;
        this.current = this.run();
      }
    });
  }

  /** Resolves once every write queued so far has settled. */
  async drain(): Promise<void> {
    while (this.running) await this.current;
  }

  private async run(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        try {
          await this.commit(group.flatMap((write) => write.ops));
          for (const write of group) write.resolve();
        } catch (err) {
          // One batch is all-or-nothing, so every write in it failed together.
          for (const write of group) write.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
