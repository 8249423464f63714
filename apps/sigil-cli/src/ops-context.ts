import { Global, Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ensureDevMaterial, parseConfig } from '#config';
import { KeyRing, keyRingProvider } from '#sigil';
import { SigilRepository, StorageModule } from '#storage';

/** The parts of the service an operations command works with: the same store and key ring. */
export interface Ops {
  config: AppConfig;
  repository: SigilRepository;
  keys: KeyRing;
  context: INestApplicationContext;
}

@Global()
@Module({})
class OpsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OpsModule,
      imports: [StorageModule.forRootAsync({ useFactory: () => config.storage })],
      providers: [{ provide: AppConfig, useValue: config }, keyRingProvider],
      exports: [AppConfig, KeyRing],
    };
  }
}

/**
 * Runs `work` in a Nest standalone application context built from the same environment and libs as
 * the service (config validation, storage adapter, key ring), so a command can't disagree with the
 * API about a rule. Closed afterwards, releasing the store (LevelDB's LOCK) even on failure.
 */
export async function withOps<T>(
  work: (ops: Ops) => Promise<T>,
  env: Record<string, string | undefined> = process.env,
): Promise<T> {
  const config = parseConfig(env, ensureDevMaterial);
  const context = await NestFactory.createApplicationContext(OpsModule.forRoot(config), {
    logger: false,
    abortOnError: false,
  });
  try {
    return await work({
      config,
      repository: context.get(SigilRepository),
      keys: context.get(KeyRing),
      context,
    });
  } finally {
    await context.close();
  }
}
