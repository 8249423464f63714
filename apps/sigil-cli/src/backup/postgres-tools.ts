import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../support/child-process.js';

/** The file a Postgres backup folder holds (pg_dump custom format). */
export const PG_DUMP_FILE = 'sigil.pgdump';

/** A PostgreSQL client binary: from PATH if there, else the newest Debian one under /usr/lib/postgresql. */
function postgresBinary(name: 'pg_dump' | 'pg_restore'): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length > 0 ? join(root, versions[0], 'bin', name) : name;
}

// The URL (with its password) travels in argv only to the local child, never to a shell.

/** A consistent snapshot of a live database into `file` (custom format), owners left out. */
export async function pgDump(url: string, file: string): Promise<void> {
  await runProcess(postgresBinary('pg_dump'), ['-Fc', '--no-owner', '-f', file, '-d', url]);
}

/** Replaces the database's contents with the dump's, in one transaction: all of it or none. */
export async function pgRestore(url: string, file: string): Promise<void> {
  await runProcess(postgresBinary('pg_restore'), [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--single-transaction',
    '-d',
    url,
    file,
  ]);
}
