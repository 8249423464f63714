import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SCOPES, Scoped } from '#auth';
import { ApiProblems } from '#sigil';
import { CurrentPrincipal, type Principal } from '#tenancy';
import { BACKUPS_PATH } from '../admin.paths.js';
import { BackupService } from './backup.service.js';
import { BackupView, toBackupView } from './backup.view.js';

/**
 * Online backup of the embedded LevelDB store.
 *
 * Design: an authenticated admin endpoint rather than a signal. LevelDB lets only the process holding
 * its LOCK read a live store, so the copy must run inside the service; of the two triggers, HTTP
 * gives the caller a synchronous answer (the backup's name, counts and the instant of its snapshot,
 * or a problem+json error), is authorised by the `sigil:admin` scope and audited like every admin
 * call, and works through a load balancer or `kubectl port-forward`, where a signal would need shell
 * access to the container and could only report through logs. Postgres is backed up with
 * `sigil backup` (pg_dump), which needs no help from the service.
 */
@ApiTags('admin')
@ApiProblems(400, 401, 429, 500, 503)
@Controller()
export class BackupController {
  constructor(private readonly backups: BackupService) {}

  @Post(BACKUPS_PATH)
  @HttpCode(201)
  @Scoped(SCOPES.admin)
  @ApiOperation({
    operationId: 'createBackup',
    summary: 'Take a consistent backup of the live LevelDB store',
    description:
      'Scope: `sigil:admin`. Copies every key through one snapshot into a new folder under `SIGIL_BACKUP_DIR` ' +
      '(never a client-chosen path). Every write acknowledged before the request is in the backup. ' +
      '409 when the store is not LevelDB, SIGIL_BACKUP_DIR is unset, or a backup is already running.',
  })
  @ApiCreatedResponse({ type: BackupView })
  @ApiProblems(403, 413, 415, [
    409,
    'The store has no online backup (Postgres: use `sigil backup`), SIGIL_BACKUP_DIR is unset, or a backup is already running',
  ])
  async backup(@CurrentPrincipal() principal: Principal): Promise<BackupView> {
    return toBackupView(await this.backups.backup(principal));
  }
}
