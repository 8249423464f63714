import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#config';
import { StoreBackup, type SnapshotReport } from '#sigil';
import type { Principal } from '#tenancy';
import { BackupInProgressError, BackupsNotConfiguredError } from '../admin.errors.js';

export interface BackupResult extends SnapshotReport {
  /** Folder name of the backup under SIGIL_BACKUP_DIR (a complete store). */
  name: string;
}

/**
 * Online backups of the live store into fresh folders under the operator's SIGIL_BACKUP_DIR (never
 * a caller-chosen path), one at a time, each an audit event. Whether the backend can do it at all
 * is the store's to say (StoreBackup); this service owns where, when and who.
 */
@Injectable()
export class BackupService {
  private readonly logger = new Logger(BackupService.name);
  private running = false;

  constructor(
    private readonly store: StoreBackup,
    private readonly config: AppConfig,
  ) {}

  async backup(principal: Principal): Promise<BackupResult> {
    this.store.assertSupported();
    const dir = this.config.backupDir;
    if (!dir) throw new BackupsNotConfiguredError();
    if (this.running) throw new BackupInProgressError();
    this.running = true;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const name = `sigil-${compactStamp(new Date())}-${randomBytes(4).toString('hex')}`;
      const report = await this.store.snapshotTo(join(resolve(dir), name));
      this.logger.log({
        audit: true,
        event: 'store.backup',
        backup: name,
        keys: report.keys,
        sigils: report.sigils,
        durationMs: report.durationMs,
        tenantId: principal.tenantId,
        principal: principal.sub,
      });
      return { name, ...report };
    } finally {
      this.running = false;
    }
  }
}

/** `20250115T100000Z`: sorts by time and is safe in a folder name. */
function compactStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
