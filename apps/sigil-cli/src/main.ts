import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { registerBackupCommand } from './commands/backup.command.js';
import { registerCleanupDuplicatesCommand } from './commands/cleanup-duplicates.command.js';
import { registerDbMigrateCommand } from './commands/db-migrate.command.js';
import { registerIntegrityCheckCommand } from './commands/integrity-check.command.js';
import { registerImportJsonCommand } from './commands/import-json.command.js';
import { registerMigrateLevelToPostgresCommand } from './commands/migrate-leveldb-to-postgres.command.js';
import { registerOpenApiCommand } from './commands/openapi.command.js';
import { registerRotateSecretCommand } from './commands/rotate-secret.command.js';
import { registerRestoreCommand } from './commands/restore.command.js';
import { registerRewrapCommand } from './commands/rewrap.command.js';
import { registerTokenCommand } from './commands/token.command.js';

/** The project CLI: operational commands that reuse the service's own libs, so rules live in one place. */
const program = new Command()
  .name('sigil')
  .description('Sigil-DNA operations CLI')
  .showHelpAfterError()
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

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`sigil: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
