import 'reflect-metadata';
import { Command } from 'commander';
import { registerBackupCommand } from './backup/backup.command.js';
import { registerRestoreCommand } from './backup/restore.command.js';
import { registerCleanupDuplicatesCommand } from './cleanup/cleanup-duplicates.command.js';
import { registerOpenApiCommand } from './dev/openapi.command.js';
import { registerTokenCommand } from './dev/token.command.js';
import { registerImportJsonCommand } from './import/import-json.command.js';
import { registerIntegrityCheckCommand } from './integrity/integrity-check.command.js';
import { registerDbMigrateCommand } from './migration/db-migrate.command.js';
import { registerMigrateLevelToPostgresCommand } from './migration/migrate-leveldb-to-postgres.command.js';
import { registerRewrapCommand } from './rewrap/rewrap.command.js';
import { registerRotateSecretCommand } from './rotation/rotate-secret.command.js';
import { exitOnFailure } from './support/exit.js';

/** The project CLI: operational commands that reuse the service's own libs, so rules live in one place. */
const program = new Command()
  .name('sigil')
  .description('Sigil-DNA operations CLI')
  .showHelpAfterError()
  // Every command inherits this: usage errors reach the one exit-code convention (support/exit.ts).
  .exitOverride();
registerTokenCommand(program);
registerOpenApiCommand(program);
registerDbMigrateCommand(program);
registerMigrateLevelToPostgresCommand(program);
registerIntegrityCheckCommand(program);
registerRotateSecretCommand(program);
registerBackupCommand(program);
registerRestoreCommand(program);
registerRewrapCommand(program);
registerImportJsonCommand(program);
registerCleanupDuplicatesCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => exitOnFailure(error));
