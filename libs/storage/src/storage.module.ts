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
import { SigilRepository, StoreBackup } from '#sigil';
import { InstrumentedSigilRepository, type StorageObserver } from './instrumented-sigil.repository.js';
import { openStore, type OpenStore } from './store.factory.js';
import type { StorageOptions } from './storage.options.js';

export interface StorageModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...args: never[]) => StorageOptions | Promise<StorageOptions>;
  /** A token resolving to a StorageObserver: when given, every read and write is timed through it. */
  observer?: InjectionToken;
}

const STORAGE_OPTIONS = Symbol('STORAGE_OPTIONS');
const OPEN_STORE = Symbol('OPEN_STORE');

/**
 * Closes the store when the app shuts down. Shutdown is the last lifecycle phase, so providers
 * still flushing in onModuleDestroy/beforeApplicationShutdown can use the repository until then;
 * the LevelDB adapter also lets in-flight writes finish before it closes.
 */
@Injectable()
class StorageShutdown implements OnApplicationShutdown {
  constructor(@Inject(OPEN_STORE) private readonly store: OpenStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/**
 * Provides the storage port (SigilRepository: the abstract class is the DI token) and the store's
 * capabilities (StoreBackup) to the whole app, from the one factory the CLI uses too. The store is
 * opened while the app initializes, so a StoreLockedError rejects app start-up: a second process on
 * the same LevelDB path fails fast instead of serving 503s.
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
        { provide: OPEN_STORE, useFactory: openStore, inject: [STORAGE_OPTIONS] },
        {
          provide: SigilRepository,
          useFactory: (store: OpenStore, observer?: StorageObserver) =>
            observer ? new InstrumentedSigilRepository(store.repository, observer) : store.repository,
          inject: [OPEN_STORE, ...(options.observer ? [options.observer] : [])],
        },
        { provide: StoreBackup, useFactory: (store: OpenStore) => store.backup, inject: [OPEN_STORE] },
        StorageShutdown,
      ],
      exports: [SigilRepository, StoreBackup],
    };
  }
}
