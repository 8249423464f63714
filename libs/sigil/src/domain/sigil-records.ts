import type { SigilRecord } from './sigil-record.js';
import type { SigilRepository } from './sigil.repository.js';
import { CorruptRecordError } from './storage.errors.js';

/** What a whole-store read yields when a stored record cannot be decoded. */
export interface UnreadableRecord {
  unreadable: true;
  id: string;
  where: string;
}

/**
 * Every record of a tenant, newest first, a page at a time: what whole-store tools (integrity check,
 * migrations, rewrap, cleanup) iterate. The cursor is an id, so rewriting records already read never
 * shifts a page. A damaged record fails its whole page; with `onUnreadable: 'yield'` the page is re-read
 * one record at a time, the damaged one is yielded as an UnreadableRecord, and reading goes on past it
 * (the integrity check reports it); by default the error propagates, so copying tools never skip data.
 */
export function recordsOf(
  repo: SigilRepository,
  tenantId: string,
  pageSize?: number,
): AsyncGenerator<SigilRecord>;
export function recordsOf(
  repo: SigilRepository,
  tenantId: string,
  pageSize: number,
  onUnreadable: 'yield',
): AsyncGenerator<SigilRecord | UnreadableRecord>;
export async function* recordsOf(
  repo: SigilRepository,
  tenantId: string,
  pageSize = 200,
  onUnreadable: 'throw' | 'yield' = 'throw',
): AsyncGenerator<SigilRecord | UnreadableRecord> {
  let after: string | undefined;
  let stepping = 0; // records left to read one at a time after a damaged page
  for (;;) {
    let page;
    try {
      page = await repo.listPage(tenantId, { limit: stepping > 0 ? 1 : pageSize, after });
    } catch (error) {
      if (onUnreadable === 'throw' || !(error instanceof CorruptRecordError) || error.id === undefined)
        throw error;
      if (stepping === 0) {
        stepping = pageSize; // re-read this stretch one by one to find the damaged record
      } else {
        yield { unreadable: true, id: error.id, where: error.where };
        after = error.id; // ids are the cursor: the next read starts just past it
        stepping--;
      }
      continue;
    }
    yield* page.items;
    if (stepping > 0) stepping--;
    if (page.nextAfter === null) return;
    after = page.nextAfter;
  }
}

/** Every tenant with sigils, sorted, so reports and progress are in a stable order. */
export async function tenantIdsOf(repo: SigilRepository): Promise<string[]> {
  const tenants: string[] = [];
  for await (const tenant of repo.tenants()) tenants.push(tenant);
  return tenants.sort();
}
