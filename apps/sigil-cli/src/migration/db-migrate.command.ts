import { Option, type Command } from 'commander';
import { storeConfig } from '../support/config.js';
import { action } from '../support/exit.js';
import { withOpsStore } from '../support/store.js';

/** `db:migrate`: apply pending Postgres migrations (under the same advisory lock the service uses), then exit. */
export function registerDbMigrateCommand(program: Command): void {
  program
    .command('db:migrate')
    .description(
      'apply pending Postgres migrations, for operators who run them separately (SIGIL_DB_MIGRATE=false)',
    )
    .addOption(new Option('--url <url>', 'Postgres URL').env('DATABASE_URL').makeOptionMandatory())
    .action(
      action(async (options: { url: string }) => {
        // Opening with `migrate` applies them; there is nothing else to do with the store.
        await withOpsStore(storeConfig(), async () => undefined, {
          kind: 'postgres',
          url: options.url,
          migrate: true,
        });
        process.stdout.write('migrations: up to date\n');
      }),
    );
}
