import cluster, { type Worker } from 'node:cluster';

/**
 * Request and reply between a cluster worker and its primary over the IPC channel node:cluster
 * already keeps open (no socket, no port). Messages carry a `sigil` topic so they never collide with
 * node:cluster's or prom-client's own.
 */
interface Request {
  sigil: string;
  id: number;
  payload: unknown;
}

interface Reply {
  sigil: string;
  id: number;
  result?: unknown;
  error?: string;
}

const replyTopic = (topic: string) => `${topic}:reply`;
const isMessage = (message: unknown, topic: string): boolean =>
  typeof message === 'object' && message !== null && (message as { sigil?: unknown }).sigil === topic;

/** Raised when the primary does not answer in time or the channel is gone (a draining worker). */
export class PrimaryUnavailableError extends Error {
  override readonly name = 'PrimaryUnavailableError';
}

/**
 * The worker's side: `ask()` sends one request to the primary and resolves with its reply. One
 * listener per topic, however many requests are in flight; a request never waits longer than
 * `timeoutMs`.
 */
export class PrimaryChannel<Payload, Result> {
  private next = 0;
  private readonly pending = new Map<
    number,
    { resolve: (result: Result) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly topic: string,
    private readonly timeoutMs: number,
  ) {
    process.on('message', (message: unknown) => {
      if (!isMessage(message, replyTopic(topic))) return;
      const reply = message as Reply;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      clearTimeout(waiting.timer);
      if (reply.error !== undefined) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.result as Result);
    });
  }

  /** True in a cluster worker whose primary is still connected. */
  static available(): boolean {
    return cluster.isWorker && process.connected;
  }

  ask(payload: Payload): Promise<Result> {
    if (!PrimaryChannel.available()) {
      return Promise.reject(new PrimaryUnavailableError('not connected to a cluster primary'));
    }
    const id = this.next++;
    return new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new PrimaryUnavailableError(`the cluster primary did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const request: Request = { sigil: this.topic, id, payload };
      process.send!(request, undefined, undefined, (error: Error | null) => {
        if (!error) return;
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new PrimaryUnavailableError(`cannot reach the cluster primary: ${error.message}`));
      });
    });
  }
}

/**
 * The primary's side: answers every worker's requests on `topic` with `handle`. A handler that
 * throws answers an error (the worker's `ask()` rejects); a worker gone meanwhile gets nothing.
 */
export function answerWorkers<Payload, Result>(
  topic: string,
  handle: (payload: Payload, worker: Worker) => Result | Promise<Result>,
): void {
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage(message, topic)) return;
    const { id, payload } = message as Request;
    const send = (reply: Omit<Reply, 'sigil' | 'id'>) => {
      if (worker.isConnected()) worker.send({ sigil: replyTopic(topic), id, ...reply });
    };
    Promise.resolve()
      .then(() => handle(payload as Payload, worker))
      .then(
        (result) => send({ result }),
        (error: unknown) => send({ error: error instanceof Error ? error.message : String(error) }),
      );
  });
}
