import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One logged change to a sigil, written only by the `sigils_changes` trigger (see the SigilChanges
 * migration) and read by the match index catch-up. Declared as entities so the schema drift check
 * covers both tables.
 */
@Entity({ name: 'sigil_changes' })
export class SigilChangeEntity {
  @PrimaryColumn({ name: 'xid', type: 'bigint', primaryKeyConstraintName: 'sigil_changes_pkey' })
  xid!: string;

  @PrimaryColumn({
    name: 'tenant_id',
    type: 'text',
    collation: 'C',
    primaryKeyConstraintName: 'sigil_changes_pkey',
  })
  tenantId!: string;

  @PrimaryColumn({
    name: 'sigil_id',
    type: 'text',
    collation: 'C',
    primaryKeyConstraintName: 'sigil_changes_pkey',
  })
  sigilId!: string;
}

/** The one row saying below which transaction id the change log has been pruned. */
@Entity({ name: 'sigil_changes_pruned' })
export class SigilChangesPrunedEntity {
  @PrimaryColumn({ name: 'id', type: 'smallint', primaryKeyConstraintName: 'sigil_changes_pruned_pkey' })
  id!: number;

  @Column({ name: 'below', type: 'bigint' })
  below!: string;
}
