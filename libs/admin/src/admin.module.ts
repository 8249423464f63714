import { Module } from '@nestjs/common';
import { SigilModule } from '#sigil';
import { BackupController } from './backups/backup.controller.js';
import { BackupService } from './backups/backup.service.js';
import { KeysController } from './keys/keys.controller.js';

/**
 * The admin HTTP surface: operations over the whole store or the key ring, all `sigil:admin`. Store
 * capabilities (StoreBackup) come from StorageModule through DI, never from an adapter directly.
 */
@Module({
  imports: [SigilModule],
  controllers: [BackupController, KeysController],
  providers: [BackupService],
})
export class AdminModule {}
