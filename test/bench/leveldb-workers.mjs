// The LevelDB multi-process design, as a measured prototype (bench only, never shipped):
//
//   primary  = the store owner: opens the LevelDB store (LOCK, group commit, match index) and
//              answers repository calls from the workers over cluster IPC;
//   workers  = SIGIL_BENCH_WORKERS copies of the full HTTP stack (Fastify, JWT, rate limits,
//              validation, HMAC, logging) sharing the port; their SigilRepository forwards every
//              call to the owner.
//
// `npm run bench` starts it as the `sigil-leveldb-workers` target (BENCH_SCENARIOS=
// encode-workers,verify-workers) with the same environment as the one-process service, so the two are
// compared in one run. It answers the happy path the bench drives; errors cross the channel as plain
// 500s, rate limits are per worker, and /metrics shows one worker, which is why it is a prototype.
// docs/performance.md has the numbers and the verdict.
//
// Plain ESM on the built service (dist/), run by the bench with Node 24.

// First, as in the service's main.js: the V8 flags the service runs with (v8-flags.ts).
import '../../dist/apps/sigil-api/src/v8-flags.js';
import cluster from 'node:cluster';
import { parseConfig } from '#config';

const parsed = parseConfig({ ...process.env, SIGIL_WORKERS: '1' });
// A worker opens no store of its own (its repository is the owner's); the memory store stands in for
// the providers that want one, and the override below replaces the repository itself.
const config = cluster.isPrimary ? parsed : { ...parsed, storage: { kind: 'memory' } };

if (cluster.isPrimary) {
  await ownStore();
} else {
  await serveHttp();
}

/** The store owner: one LevelDB, every worker's repository calls, answered in arrival order. */
async function ownStore() {
  const { openStore } = await import('#storage');
  // As the real primary does: one set of rate-limit counters for the instance (over cluster IPC).
  const { serveRateLimitCounters } = await import('#auth/cluster');
  serveRateLimitCounters();
  const store = await openStore(config.storage);
  const repository = store.repository;
  const methods = methodNames(repository);
  const workers = Number(process.env.SIGIL_BENCH_WORKERS ?? 2);
  cluster.setupPrimary({ serialization: 'advanced' });
  for (let i = 0; i < workers; i++) {
    const worker = cluster.fork();
    worker.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`leveldb-workers: worker ${worker.process.pid} exited (${code})\n`);
        process.exit(1);
      }
    });
    worker.on('message', async (message) => {
      if (message === 'hello') return worker.send({ methods });
      if (typeof message?.op !== 'string') return; // the rate-limit and metrics channels' messages
      const { i: call, op, args } = message;
      try {
        worker.send({ i: call, result: await repository[op](...args) });
      } catch (error) {
        worker.send({ i: call, error: { name: error?.name, message: String(error?.message ?? error) } });
      }
    });
  }
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) worker.kill('SIGTERM');
    await Promise.all(
      Object.values(cluster.workers).map((w) => new Promise((resolve) => w.once('exit', resolve))),
    );
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Every method the repository's class chain defines (the port's operations). */
function methodNames(object) {
  const names = new Set();
  for (let proto = Object.getPrototypeOf(object); proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      // Nest's lifecycle hooks stay on the owner's side: a worker shutting down must not close the store.
      const lifecycle = /^(on[A-Z]|beforeApplicationShutdown$|close$)/.test(name);
      if (name !== 'constructor' && !lifecycle && typeof object[name] === 'function') names.add(name);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return [...names];
}

/** A worker: the real app, with a SigilRepository that is a stub forwarding to the owner. */
async function serveHttp() {
  const pending = new Map();
  let next = 0;
  const methods = await new Promise((resolve) => {
    process.once('message', (m) => resolve(m.methods));
    process.send('hello');
  });
  process.on('message', (message) => {
    const { i, result, error } = message ?? {};
    const call = typeof i === 'number' ? pending.get(i) : undefined;
    if (!call) return;
    pending.delete(i);
    if (error) call.reject(Object.assign(new Error(error.message), { name: error.name }));
    else call.resolve(result);
  });
  const remote = {};
  for (const op of methods) {
    remote[op] = (...args) =>
      new Promise((resolve, reject) => {
        const i = next++;
        pending.set(i, { resolve, reject });
        process.send({ i, op, args });
      });
  }

  const { SigilRepository } = await import('#sigil');
  const { Test } = await import('@nestjs/testing');
  const { createApp } = await import('../../dist/apps/sigil-api/src/app.factory.js');
  const app = await createApp(config, {
    instantiate: async (module, adapter, options) => {
      const ref = await Test.createTestingModule({ imports: [module] })
        .overrideProvider(SigilRepository)
        .useValue(remote)
        .compile();
      return ref.createNestApplication(adapter, options);
    },
  });
  app.enableShutdownHooks();
  await app.listen({ port: config.http.port, host: config.http.host });
}
