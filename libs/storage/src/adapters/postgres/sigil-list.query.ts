import type { EntityManager } from 'typeorm';

import type { ListQuery } from '#sigil';
import { sourceColumnValue, tagColumnValue } from './sigil-row.mapper.js';
import { SigilEntity } from './sigil.entity.js';

/**
 * Up to `limit` rows of the tenant strictly older than `after`, newest first (the primary key read
 * backwards), filtered on the derived tags/source/revoked_at columns.
 */
export function listSigils(
  manager: EntityManager,
  tenantId: string,
  query: ListQuery,
  after: string | undefined,
  limit: number,
): Promise<SigilEntity[]> {
  const rows = manager.createQueryBuilder(SigilEntity, 's').where('s.tenantId = :tenantId', { tenantId });
  if (after !== undefined) rows.andWhere('s.id < :after', { after });
  if (query.tag !== undefined) {
    rows.andWhere('s.tags @> ARRAY[CAST(:tag AS text)]', { tag: tagColumnValue(query.tag) });
  }
  if (query.source !== undefined) {
    rows.andWhere('s.source = :source', { source: sourceColumnValue(query.source) });
  }
  if (query.revoked !== undefined) {
    rows.andWhere(query.revoked ? 's.revokedAt IS NOT NULL' : 's.revokedAt IS NULL');
  }
  return rows.orderBy('s.id', 'DESC').limit(limit).getMany();
}
