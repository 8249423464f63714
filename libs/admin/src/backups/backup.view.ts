import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { BackupResult } from './backup.service.js';

/** The answer to POST /api/v1/admin/backups. */
@ApiSchema({ name: 'Backup' })
export class BackupView {
  @ApiProperty({
    example: 'sigil-20250115T100000Z-1a2b3c4d',
    pattern: '^sigil-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$',
    maxLength: 64,
    description: 'Folder under SIGIL_BACKUP_DIR.',
  })
  name!: string;
  @ApiProperty({
    example: '/var/backups/sigil/sigil-20250115T100000Z-1a2b3c4d',
    maxLength: 4096,
    description: 'Absolute path on the server (at most PATH_MAX).',
  })
  path!: string;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 5210,
    description: 'Every key copied (records and their index entries).',
  })
  keys!: number;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 1000,
  })
  sigils!: number;
  @ApiProperty({
    format: 'date-time',
    maxLength: 64,
    example: '2025-01-15T10:00:00.000Z',
    description: 'The snapshot instant: every write acknowledged before it is in the backup.',
  })
  takenAt!: string;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 412,
  })
  durationMs!: number;
}

/** Field by field, so a new field in the store's report never reaches the wire by accident. */
export function toBackupView(result: BackupResult): BackupView {
  return {
    name: result.name,
    path: result.path,
    keys: result.keys,
    sigils: result.sigils,
    takenAt: result.takenAt,
    durationMs: result.durationMs,
  };
}
