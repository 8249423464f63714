import type { Command } from 'commander';
import { storeConfig } from '../support/config.js';
import { action } from '../support/exit.js';
import { plural, printReport } from '../support/output.js';
import { withOpsStore } from '../support/store.js';
import { cleanupDuplicates, type CleanupReport } from './duplicate-cleanup.js';

export function registerCleanupDuplicatesCommand(program: Command): void {
  program
    .command('cleanup-duplicates')
    .description(
      'per tenant, find sigils with the same data digest; keep the oldest unrevoked one and revoke (or purge) the rest. Dry run unless --execute',
    )
    .option(
      '--execute',
      'apply: revoke duplicates (reason "duplicate", revokedBy "cleanup-duplicates")',
      false,
    )
    .option('--purge', 'with --execute: delete duplicates instead (and those an earlier run revoked)', false)
    .option('--json', 'print the report as JSON on stdout', false)
    .addHelpText(
      'after',
      "\nUses the service's store (SIGIL_STORAGE / SIGIL_DB_PATH / DATABASE_URL); stop the service first on LevelDB.\n" +
        'Oldest = smallest createdAt, then id; an unexpired sigil is preferred over an expired one. Idempotent.',
    )
    .action(
      action(async (options: { execute: boolean; purge: boolean; json: boolean }) => {
        const report = await withOpsStore(storeConfig(), ({ repository }) =>
          cleanupDuplicates(repository, options),
        );
        printReport(report, options.json, reportLines);
      }),
    );
}

function reportLines(r: CleanupReport): string[] {
  const action = r.purge ? 'purge' : 'revoke';
  return [
    `${r.dryRun ? 'dry run: ' : ''}${plural(r.tenants, 'tenant')}, ${plural(r.groups, 'duplicate group')}, ${r.kept} kept`,
    ...r.plans.map(
      (p) =>
        `  ${p.tenantId} ${p.digest.slice(0, 19)}… keep ${p.keep ?? '(none unrevoked)'}; ${r.dryRun ? `would ${action}` : action === 'purge' ? 'purged' : 'revoked'} ${[...p.revoke, ...p.purgeRevoked].join(', ')}`,
    ),
    r.dryRun
      ? r.purge
        ? `would purge ${r.wouldPurge}`
        : `would revoke ${r.wouldRevoke}`
      : r.purge
        ? `purged ${r.purged}`
        : `revoked ${r.revoked}`,
    ...(r.dryRun && r.plans.length > 0 ? ['(dry run: nothing changed; pass --execute to apply)'] : []),
  ];
}
