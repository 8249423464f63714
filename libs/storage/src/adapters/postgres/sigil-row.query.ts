import type { EntityManager } from 'typeorm';

import { SigilEntity } from './sigil.entity.js';

/** A row's primary key: (tenant_id, id). */
export interface SigilKey {
  tenantId: string;
  id: string;
}

/** The primary-key WHERE. TypeORM drops `undefined` members, so an unchecked id could match any row. */
export function sigilKey(tenantId: string, id: string): SigilKey {
  if (typeof id !== 'string') throw new TypeError('sigil id must be a string');
  return { tenantId, id };
}

export function findSigil(manager: EntityManager, key: SigilKey): Promise<SigilEntity | null> {
  return manager.findOneBy(SigilEntity, key);
}

/** A plain INSERT: an id already taken fails on the primary key, as a bug should. */
export async function insertSigil(manager: EntityManager, entity: SigilEntity): Promise<void> {
  await manager.insert(SigilEntity, entity);
}

/** `INSERT … ON CONFLICT DO NOTHING`: true when the row went in, false when its key was taken. */
export async function insertSigilIfAbsent(manager: EntityManager, entity: SigilEntity): Promise<boolean> {
  const inserted = await manager
    .createQueryBuilder()
    .insert()
    .into(SigilEntity)
    .values(entity)
    .orIgnore()
    .returning(['id'])
    .execute();
  return (inserted.raw as unknown[]).length > 0;
}

/** True when there was a row to delete; the claims pointing at it go with it (ON DELETE CASCADE). */
export async function deleteSigil(manager: EntityManager, key: SigilKey): Promise<boolean> {
  const result = await manager.delete(SigilEntity, key);
  return (result.affected ?? 0) > 0;
}
