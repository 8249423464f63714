import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One slot of a tenant's sigil count, written only by the `sigils_count` trigger (see the
 * CountSigils migration); the adapter reads the sum of a tenant's slots. Declared as an entity so
 * the schema drift check covers the table too.
 */
@Entity({ name: 'sigil_counts' })
export class SigilCountEntity {
  @PrimaryColumn({
    name: 'tenant_id',
    type: 'text',
    collation: 'C',
    primaryKeyConstraintName: 'sigil_counts_pkey',
  })
  tenantId!: string;

  @PrimaryColumn({ name: 'slot', type: 'smallint', primaryKeyConstraintName: 'sigil_counts_pkey' })
  slot!: number;

  @Column({ name: 'total', type: 'bigint' })
  total!: string;
}
