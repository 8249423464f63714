import { describe, expect, it, vi } from 'vitest';

import { StorageUnavailableError } from '#sigil';
import { LifecycleGate } from '../adapters/shared/lifecycle.gate.js';

/** A promise the test settles by hand, so ordering is observed without any timing. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every already-queued promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function gate(mapError?: (err: unknown, operation: string) => unknown) {
  const release = vi.fn(async () => {});
  return { gate: new LifecycleGate({ store: 'test store', release, mapError }), release };
}

describe('LifecycleGate', () => {
  it('lets an operation started before close() finish, and releases only after it', async () => {
    const { gate: g, release } = gate();
    const work = deferred<string>();
    const running = g.run('read', () => work.promise);

    let closed = false;
    const closing = g.close().then(() => (closed = true));
    await settle();
    expect(closed).toBe(false);
    expect(release).not.toHaveBeenCalled();
    expect(g.isOpen).toBe(false);

    work.resolve('done');
    await expect(running).resolves.toBe('done');
    await closing;
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('waits for a failing operation too, and the failure stays that operation’s', async () => {
    const { gate: g, release } = gate();
    const work = deferred<never>();
    const running = g.run('write', () => work.promise);
    const closing = g.close();
    await settle();
    expect(release).not.toHaveBeenCalled();

    work.reject(new Error('disk on fire'));
    await expect(running).rejects.toThrow('disk on fire');
    await expect(closing).resolves.toBeUndefined();
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('refuses operations once close() is called, before and after the release', async () => {
    const { gate: g } = gate();
    const work = deferred<void>();
    void g.run('read', () => work.promise);
    const closing = g.close();

    const started = vi.fn(async () => 'ran');
    await expect(g.run('read', started)).rejects.toThrow(StorageUnavailableError);
    expect(() => g.assertOpen()).toThrow(StorageUnavailableError);

    work.resolve();
    await closing;
    await expect(g.run('read', started)).rejects.toThrow(new StorageUnavailableError('test store is closed'));
    expect(() => g.assertOpen()).toThrow('test store is closed');
    expect(started).not.toHaveBeenCalled();
  });

  it('is idempotent: every close() gets the same shutdown, which releases once', async () => {
    const { gate: g, release } = gate();
    const first = g.close();
    const second = g.close();
    expect(second).toBe(first);
    await first;
    await g.close();
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('admits work while open, starting it at once, and maps its failure with the operation name', async () => {
    const mapped = new StorageUnavailableError('mapped');
    const mapError = vi.fn((_err: unknown, _operation: string) => mapped);
    const { gate: g } = gate(mapError);
    expect(g.isOpen).toBe(true);
    expect(() => g.assertOpen()).not.toThrow();

    const work = vi.fn(async () => 42);
    const result = g.run('read', work);
    expect(work).toHaveBeenCalledTimes(1);
    await expect(result).resolves.toBe(42);

    const failure = new Error('EIO');
    await expect(
      g.run('write', async () => {
        throw failure;
      }),
    ).rejects.toBe(mapped);
    expect(mapError).toHaveBeenCalledWith(failure, 'write');
  });
});
