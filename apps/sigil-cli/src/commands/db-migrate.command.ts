import { Option, type Command } from 'commander';
import { PostgresSigilRepository } from '#storage';

/** `db:migrate`: apply pending Postgres migrations (under the same advisory lock the service uses), then exit. */
export function registerDbMigrateCommand(program: Command): void {
  program
    .command('db:migrate')
    .description(
      'apply pending Postgres migrations, for operators who run them separately (SIGIL_DB_MIGRATE=false)',
    )
    .addOption(new Option('--url <url>', 'Postgres URL').env('DATABASE_URL').makeOptionMandatory())
    .action(async (options: { url: string }) => {
      const repo = await PostgresSigilRepository.open({
        url: options.url,
        poolSize: 2,
        connectTimeoutMs: 10_000,
        statementTimeoutMs: 600_000,
        migrate: true,
      });
      await repo.close();
      process.stdout.write('migrations: up to date\n');
    });
}
