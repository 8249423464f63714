import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConflictException, Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SCOPES, Scoped } from '#auth';
import { AppConfig } from '#config';
import { CurrentPrincipal, type Principal } from '#tenancy';
import { LevelSigilRepository, StorageUnavailableError } from '#storage';

export const BACKUPS_PATH = '/api/v1/admin/backups';

export interface BackupResult {
  /** Folder name of the backup under SIGIL_BACKUP_DIR (a complete LevelDB store). */
  name: string;
  path: string;
  keys: number;
  sigils: number;
  takenAt: string;
  durationMs: number;
}

/**
 * Online backup of the embedded LevelDB store.
 *
 * Design: an authenticated admin endpoint rather than a signal. LevelDB lets only the process holding
 * its LOCK read a live store, so the copy must run inside the service; of the two triggers, HTTP
 * gives the caller a synchronous answer (the backup's name, counts and the instant of its snapshot,
 * or a problem+json error), is authorised by the `sigil:admin` scope and audited like every admin
 * call, and works through a load balancer or `kubectl port-forward`, where a signal would need shell
 * access to the container and could only report through logs. The destination is never chosen by
 * the client: each backup is a fresh folder under the operator's SIGIL_BACKUP_DIR (absolute path).
 * It lives in libs/health beside readiness and metrics: an operations endpoint over the whole store,
 * not part of the tenant-scoped sigil API. Postgres is backed up with `sigil backup` (pg_dump).
 */
@ApiTags('admin')
@Controller()
export class BackupController {
  private readonly logger = new Logger(BackupController.name);
  private running = false;

  constructor(private readonly config: AppConfig) {}

  @Post(BACKUPS_PATH)
  @HttpCode(201)
  @Scoped(SCOPES.admin)
  @ApiOperation({
    summary: 'Take a consistent backup of the live LevelDB store',
    description:
      'Scope: `sigil:admin`. Copies every key through one snapshot into a new folder under `SIGIL_BACKUP_DIR` ' +
      '(never a client-chosen path). Every write acknowledged before the request is in the backup. ' +
      '409 when the store is not LevelDB, SIGIL_BACKUP_DIR is unset, or a backup is already running.',
  })
  @ApiCreatedResponse({
    schema: {
      example: {
        name: 'sigil-20250115T100000Z-1a2b3c4d',
        path: '/var/backups/sigil/sigil-20250115T100000Z-1a2b3c4d',
        keys: 5210,
        sigils: 1000,
        takenAt: '2025-01-15T10:00:00.000Z',
        durationMs: 412,
      },
    },
  })
  async backup(@CurrentPrincipal() principal: Principal): Promise<BackupResult> {
    const storage = this.config.storage;
    if (storage.kind !== 'leveldb') {
      throw new ConflictException(
        'online backups are for the LevelDB store; back up Postgres with `sigil backup` (pg_dump)',
      );
    }
    const dir = this.config.backupDir;
    if (!dir) {
      throw new ConflictException('SIGIL_BACKUP_DIR (an absolute path) is not configured');
    }
    const repository = LevelSigilRepository.openAt(storage.path);
    if (!repository) throw new StorageUnavailableError('LevelDB store is not open');
    if (this.running) throw new ConflictException('a backup is already running');
    this.running = true;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
      const name = `sigil-${stamp}-${randomBytes(4).toString('hex')}`;
      const report = await repository.snapshotTo(join(resolve(dir), name));
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
