import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadSecretsFile, watchSecretsFile, type AppConfig } from '#config';
import { ReadinessService } from '#health';
import { KeyRing } from '#sigil';
import { createApp } from './app.factory.js';

/**
 * One serving process: the whole service when SIGIL_WORKERS=1, or one cluster worker. Loaded only
 * here, so the cluster primary never carries Nest, the stores or the crypto.
 */
export async function serve(config: AppConfig, created: string[]): Promise<void> {
  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  if (config.auth.mode === 'dev') {
    logger.warn(
      `DEV-AUTH MODE: trusting the local key in ${config.devDir}/ (no JWT_JWKS_URI). ` +
        'Get a token with: npm run -s token -- --tenant acme --scope "sigil:read sigil:write". Never use this in production.',
    );
  }
  if (config.secrets.origin === 'dev-file') {
    logger.warn(
      `DEV SECRET: SPIRAL_EVENT_SECRET is unset; signing with the development secret in ${config.devDir}/.`,
    );
  }
  for (const path of created) logger.warn(`created ${path}`);

  installShutdown(app, config, logger);
  installSecretsReload(app, config, logger);
  await app.listen({ port: config.http.port, host: config.http.host });
  logger.log(
    `Sigil-DNA listening on http://${config.http.host}:${config.http.port} (storage: ${config.storage.kind}, docs: /docs)`,
  );
}

/**
 * SIGTERM/SIGINT: readiness turns 503 first, then the server stops accepting, drains in-flight
 * requests and closes the store. A hung close is cut off after the grace period.
 */
function installShutdown(
  app: Awaited<ReturnType<typeof createApp>>,
  config: AppConfig,
  logger: Logger,
): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining`);
    app.get(ReadinessService).markDraining();
    const timer = setTimeout(() => {
      logger.error(`shutdown exceeded ${config.http.shutdownGraceMs} ms; exiting`);
      process.exit(1);
    }, config.http.shutdownDelayMs + config.http.shutdownGraceMs);
    timer.unref();
    // Keep serving while readiness says 503, so the load balancer takes this instance out first.
    const drained = new Promise((resolve) => setTimeout(resolve, config.http.shutdownDelayMs));
    drained
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error, msg: 'error during shutdown' });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * Re-reads SIGIL_SECRETS_FILE and swaps the key ring's secrets in place (same singleton, no restart,
 * requests keep flowing) on SIGHUP and whenever the file's content changes: a Kubernetes Secret volume
 * is updated in place by the kubelet, with no signal to anyone, so the file is watched too. An invalid
 * file is logged and the current ring stays. Without a secrets file SIGHUP is ignored (instead of
 * Node's default: exit), so a stray signal can't kill us.
 */
function installSecretsReload(
  app: Awaited<ReturnType<typeof createApp>>,
  config: AppConfig,
  logger: Logger,
): void {
  const keyLogger = new Logger('KeyRing');
  const file = config.secrets.file;
  const reload = (trigger: 'SIGHUP' | 'secrets file changed') => {
    if (!file) return;
    try {
      const { active, previous } = loadSecretsFile(file);
      const status = app.get(KeyRing).reload(active, previous);
      keyLogger.log({ audit: true, event: 'keys.rotated', trigger, ...status });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.error(`${trigger}: secrets not reloaded, keeping the current key ring: ${reason}`);
    }
  };
  const watcher = file ? watchSecretsFile(file, () => reload('secrets file changed')) : undefined;
  process.on('SIGHUP', () => {
    if (!file) {
      logger.warn('SIGHUP received but SIGIL_SECRETS_FILE is not set: nothing to reload');
      return;
    }
    // What the watcher would find next is what this reload just applied.
    watcher?.sync();
    reload('SIGHUP');
  });
  app.getHttpServer().once('close', () => watcher?.close());
}
