// First: sets the V8 flags the service runs with before anything else is loaded.
import './v8-flags.js';
import cluster from 'node:cluster';
import { ConfigError, ensureDevMaterial, parseConfig, type AppConfig } from '#config';

/**
 * Parses and validates the configuration once, then either serves (one process, or a cluster
 * worker) or, with SIGIL_WORKERS > 1, becomes the cluster primary. Each path is imported on demand:
 * the primary never loads Nest, the stores or the HTTP stack.
 */
async function bootstrap(): Promise<void> {
  const created: string[] = [];
  let config: AppConfig;
  try {
    config = parseConfig(process.env, (dir, needs) => {
      const material = ensureDevMaterial(dir, needs);
      created.push(...material.created);
      return material;
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sigil-dna: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  if (config.workers > 1 && cluster.isPrimary) {
    const { runPrimary } = await import('./cluster/cluster.primary.js');
    return runPrimary(config);
  }
  const { serve } = await import('./serve.js');
  return serve(config, created);
}

bootstrap().catch(async (error: unknown) => {
  const { StoreLockedError } = await import('#storage');
  if (error instanceof StoreLockedError) {
    process.stderr.write(`sigil-dna: ${error.message}\n`);
  } else {
    process.stderr.write(
      `sigil-dna: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
});
