import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LevelSigilRepository } from '../adapters/level/level-sigil.repository.js';
import { MemorySigilRepository } from '../adapters/memory/memory-sigil.repository.js';
import { SigilRepository, StorageUnavailableError } from '#sigil';
import { StoreLockedError } from '../storage.errors.js';
import { StorageModule } from '../storage.module.js';
import type { StorageOptions } from '../storage.options.js';

const STORAGE_CONFIG = 'STORAGE_CONFIG';

/** Stands in for the config module: options come from an injected provider, as in the app. */
function configModule(options: StorageOptions) {
  @Module({ providers: [{ provide: STORAGE_CONFIG, useValue: options }], exports: [STORAGE_CONFIG] })
  class ConfigModule {}
  return ConfigModule;
}

async function startApp(options: StorageOptions) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      StorageModule.forRootAsync({
        imports: [configModule(options)],
        inject: [STORAGE_CONFIG],
        useFactory: (config: StorageOptions) => config,
      }),
    ],
  }).compile();
  // An application context is enough: storage needs no HTTP adapter, only the lifecycle hooks.
  return moduleRef.init();
}

describe('StorageModule', () => {
  let path: string;

  beforeEach(async () => {
    path = await mkdtemp(join(tmpdir(), 'sigil-module-'));
  });

  afterEach(async () => {
    await rm(path, { recursive: true, force: true });
  });

  it('provides the memory adapter and closes it on shutdown', async () => {
    const app = await startApp({ kind: 'memory' });
    const repo = app.get(SigilRepository);
    expect(repo).toBeInstanceOf(MemorySigilRepository);
    await expect(repo.ping()).resolves.toBeUndefined();
    await app.close();
    await expect(repo.ping()).rejects.toThrow(StorageUnavailableError);
  });

  it('provides the LevelDB adapter and releases the store on shutdown', async () => {
    const app = await startApp({ kind: 'leveldb', path, sync: false });
    const repo = app.get(SigilRepository);
    expect(repo).toBeInstanceOf(LevelSigilRepository);
    await app.close();
    await expect(repo.ping()).rejects.toThrow(StorageUnavailableError);

    const again = await LevelSigilRepository.open({ path });
    await again.close();
  });

  it('fails start-up with StoreLockedError when the store is held', async () => {
    const holder = await LevelSigilRepository.open({ path });
    try {
      await expect(startApp({ kind: 'leveldb', path })).rejects.toThrow(StoreLockedError);
    } finally {
      await holder.close();
    }
  });
});
