import {
  type DynamicModule,
  Inject,
  Injectable,
  type InjectionToken,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type OptionalFactoryDependency,
} from '@nestjs/common';

import { InstrumentedSigilRepository, type StorageObserver } from './instrumented-sigil.repository.js';
import { createSigilRepository } from './sigil-repository.factory.js';
import { SigilRepository } from './sigil.repository.js';
import type { StorageOptions } from './storage.options.js';

export interface StorageModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...args: never[]) => StorageOptions | Promise<StorageOptions>;
  /** A token resolving to a StorageObserver: when given, every read and write is timed through it. */
  observer?: InjectionToken;
}

const STORAGE_OPTIONS = Symbol('STORAGE_OPTIONS');

/**
 * Closes the store when the app shuts down. Shutdown is the last lifecycle phase, so providers
 * still flushing in onModuleDestroy/beforeApplicationShutdown can use the repository until then;
 * the LevelDB adapter also lets in-flight writes finish before it closes.
 */
@Injectable()
class StorageShutdown implements OnApplicationShutdown {
  constructor(@Inject(SigilRepository) private readonly repository: SigilRepository) {}

  async onApplicationShutdown(): Promise<void> {
    await this.repository.close();
  }
}

/**
 * Provides SigilRepository (the abstract class is the DI token) to the whole app. The store is
 * opened while the app initializes, so a StoreLockedError rejects app start-up: a second process
 * on the same LevelDB path fails fast instead of serving 503s.
 */
@Module({})
export class StorageModule {
  static forRootAsync(options: StorageModuleAsyncOptions): DynamicModule {
    return {
      global: true,
      module: StorageModule,
      imports: options.imports ?? [],
      providers: [
        { provide: STORAGE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: SigilRepository,
          useFactory: async (storage: StorageOptions, observer?: StorageObserver) => {
            const repository = await createSigilRepository(storage);
            return observer ? new InstrumentedSigilRepository(repository, observer) : repository;
          },
          inject: [STORAGE_OPTIONS, ...(options.observer ? [options.observer] : [])],
        },
        StorageShutdown,
      ],
      exports: [SigilRepository],
    };
  }
}
