import type { EntityManager } from 'typeorm';

import { SigilCountEntity } from './sigil-count.entity.js';

/** A tenant's count: the sum of its (at most 16) slot rows; 0 for a tenant never written. */
export async function countSigils(manager: EntityManager, tenantId: string): Promise<number> {
  const row = await manager
    .createQueryBuilder(SigilCountEntity, 'c')
    .select('COALESCE(SUM(c.total), 0)::bigint', 'n')
    .where('c.tenant_id = :tenantId', { tenantId })
    .getRawOne<{ n: string }>();
  return Number(row?.n ?? 0);
}
