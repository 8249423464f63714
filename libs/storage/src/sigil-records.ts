import type { SigilRecord } from './sigil-record.js';
import type { SigilRepository } from './sigil.repository.js';

/**
 * Every record of a tenant, newest first, a page at a time: what whole-store tools (integrity check,
 * migrations, rewrap, cleanup) iterate. The cursor is an id, so rewriting records already read never
 * shifts a page.
 */
export async function* recordsOf(
  repo: SigilRepository,
  tenantId: string,
  pageSize = 200,
): AsyncGenerator<SigilRecord> {
  let after: string | undefined;
  do {
    const page = await repo.listPage(tenantId, { limit: pageSize, after });
    yield* page.items;
    after = page.nextAfter ?? undefined;
  } while (after);
}

/** Every tenant with sigils, sorted, so reports and progress are in a stable order. */
export async function tenantIdsOf(repo: SigilRepository): Promise<string[]> {
  const tenants: string[] = [];
  for await (const tenant of repo.tenants()) tenants.push(tenant);
  return tenants.sort();
}
