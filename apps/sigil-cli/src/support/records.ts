import { createHash } from 'node:crypto';
import { recordsOf, type SigilRepository } from '#sigil';

/** Every sigil in the store, every tenant: through the pattern scan, which reads no full page. */
export async function countRecords(repository: SigilRepository): Promise<number> {
  let total = 0;
  for await (const tenantId of repository.tenants()) {
    for await (const _ of repository.patterns(tenantId)) total++;
  }
  return total;
}

export interface Fingerprint {
  count: number;
  checksum: string;
}

/** Count and SHA-256 over every record's JSON, in list order: equal only if two copies are byte-identical. */
export async function fingerprint(repository: SigilRepository, tenantId: string): Promise<Fingerprint> {
  const hash = createHash('sha256');
  let count = 0;
  for await (const record of recordsOf(repository, tenantId)) {
    hash.update(JSON.stringify(record)).update('\n');
    count++;
  }
  return { count, checksum: hash.digest('hex') };
}
