import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '#config';
import { StoreBackup, UnsupportedStoreOperationError, type SnapshotReport } from '#sigil';
import { BackupInProgressError, BackupsNotConfiguredError } from '../admin.errors.js';
import { BackupService } from './backup.service.js';

const principal = { sub: 'ops', tenantId: 'acme', scopes: new Set<string>() } as never;

/** A store whose snapshots finish when the test says so, recording where they were asked to go. */
class FakeBackup extends StoreBackup {
  readonly kind = 'leveldb';
  readonly targets: string[] = [];
  private release: (() => void) | null = null;
  constructor(private readonly holdSnapshots = false) {
    super();
  }
  assertSupported(): void {}
  async snapshotTo(target: string): Promise<SnapshotReport> {
    this.targets.push(target);
    if (this.holdSnapshots) await new Promise<void>((resolve) => (this.release = resolve));
    return { path: target, keys: 3, sigils: 1, takenAt: '2026-01-01T00:00:00.000Z', durationMs: 5 };
  }
  finish(): void {
    this.release?.();
  }
}

class NoBackups extends StoreBackup {
  readonly kind = 'postgres';
  assertSupported(): never {
    throw new UnsupportedStoreOperationError('online backup', 'postgres', 'use `sigil backup`');
  }
  snapshotTo(): Promise<SnapshotReport> {
    return Promise.reject(new Error('must not be called'));
  }
}

const configWith = (backupDir: string | null) => ({ backupDir }) as AppConfig;

describe('BackupService', () => {
  let dir: string;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigil-backup-svc-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each backup to a fresh, time-stamped folder under SIGIL_BACKUP_DIR', async () => {
    const store = new FakeBackup();
    const service = new BackupService(store, configWith(dir));
    const first = await service.backup(principal);
    const second = await service.backup(principal);
    expect(first.name).toMatch(/^sigil-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(first.path).toBe(join(dir, first.name));
    expect(second.name).not.toBe(first.name);
    expect(store.targets).toEqual([first.path, second.path]);
    expect(first).toMatchObject({ keys: 3, sigils: 1, takenAt: '2026-01-01T00:00:00.000Z' });
  });

  it('refuses a store without online backups, before anything else, with what to use instead', async () => {
    const service = new BackupService(new NoBackups(), configWith(null));
    await expect(service.backup(principal)).rejects.toThrow(UnsupportedStoreOperationError);
    await expect(service.backup(principal)).rejects.toThrow(/sigil backup/);
  });

  it('refuses when SIGIL_BACKUP_DIR is not configured', async () => {
    const store = new FakeBackup();
    await expect(new BackupService(store, configWith(null)).backup(principal)).rejects.toThrow(
      BackupsNotConfiguredError,
    );
    expect(store.targets).toEqual([]);
  });

  it('runs one backup at a time, and frees the slot when it ends', async () => {
    const store = new FakeBackup(true);
    const service = new BackupService(store, configWith(dir));
    const running = service.backup(principal);
    // The first backup is parked inside snapshotTo; let its mkdir finish first.
    for (let i = 0; i < 50 && store.targets.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(store.targets).toHaveLength(1);
    await expect(service.backup(principal)).rejects.toThrow(BackupInProgressError);
    store.finish();
    await expect(running).resolves.toMatchObject({ sigils: 1 });
    const again = service.backup(principal);
    for (let i = 0; i < 50 && store.targets.length === 1; i++) await new Promise((r) => setTimeout(r, 5));
    store.finish();
    await expect(again).resolves.toMatchObject({ sigils: 1 });
  });
});
