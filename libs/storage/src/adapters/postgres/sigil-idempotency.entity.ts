import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { SigilEntity } from './sigil.entity.js';

/**
 * An Idempotency-Key claim: (tenant, principal, key) → the sigil it minted. The primary key is what
 * makes concurrent creates on any number of replicas mint one sigil (INSERT … ON CONFLICT).
 *
 * The foreign key to the sigil cascades on delete, so a claim whose sigil was erased simply no longer
 * exists (the rule "a deleted sigil's key can mint a new one" holds by construction). It is deferred
 * to commit so a create can take the claim first and insert the sigil only once it has won.
 * `principal`, `idempotency_key` and `fingerprint` go through postgres-text.codec.ts.
 */
@Entity({ name: 'sigil_idempotency' })
@Index('sigil_idempotency_sigil_idx', ['tenantId', 'sigilId'])
export class SigilIdempotencyEntity {
  @PrimaryColumn({
    name: 'tenant_id',
    type: 'text',
    collation: 'C',
    primaryKeyConstraintName: 'sigil_idempotency_pkey',
  })
  tenantId!: string;

  @PrimaryColumn({ name: 'principal', type: 'text', primaryKeyConstraintName: 'sigil_idempotency_pkey' })
  principal!: string;

  @PrimaryColumn({
    name: 'idempotency_key',
    type: 'text',
    primaryKeyConstraintName: 'sigil_idempotency_pkey',
  })
  key!: string;

  @Column({ name: 'sigil_id', type: 'text', collation: 'C' })
  sigilId!: string;

  @Column({ name: 'fingerprint', type: 'text' })
  fingerprint!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @ManyToOne(() => SigilEntity, { onDelete: 'CASCADE', deferrable: 'INITIALLY DEFERRED' })
  @JoinColumn([
    {
      name: 'tenant_id',
      referencedColumnName: 'tenantId',
      foreignKeyConstraintName: 'sigil_idempotency_sigil_fk',
    },
    { name: 'sigil_id', referencedColumnName: 'id', foreignKeyConstraintName: 'sigil_idempotency_sigil_fk' },
  ])
  sigil?: SigilEntity;
}
