import type { EntityManager } from 'typeorm';

import type { PatternRow } from './sigil-row.mapper.js';
import { SigilEntity } from './sigil.entity.js';

/** Up to `limit` of the tenant's patterns with ids above `after`, in id order: one keyset page. */
export function patternPage(
  manager: EntityManager,
  tenantId: string,
  after: string | undefined,
  limit: number,
): Promise<PatternRow[]> {
  const page = manager
    .createQueryBuilder(SigilEntity, 's')
    .select(['s.id', 's.resonancePattern', 's.revokedAt'])
    .where('s.tenantId = :tenantId', { tenantId });
  if (after !== undefined) page.andWhere('s.id > :after', { after });
  return page.orderBy('s.id', 'ASC').limit(limit).getMany();
}

/**
 * Up to `limit` tenant ids above `after` that have sigils, in order. A loose index scan of the
 * primary key: one index probe per tenant, however many sigils each has.
 */
export async function tenantPage(
  manager: EntityManager,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const rows: { tenant_id: string }[] = await manager.query(
    `WITH RECURSIVE t (tenant_id) AS (
       SELECT min(tenant_id) FROM sigils WHERE tenant_id > $1
       UNION ALL
       SELECT (SELECT min(tenant_id) FROM sigils WHERE tenant_id > t.tenant_id) FROM t WHERE t.tenant_id IS NOT NULL
     )
     SELECT tenant_id FROM t WHERE tenant_id IS NOT NULL LIMIT $2`,
    [after ?? '', limit],
  );
  return rows.map((row) => row.tenant_id);
}
