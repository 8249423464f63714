import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One sigil, one row; primary key (tenant_id, id). This class never leaves the Postgres adapter:
 * sigil-row.mapper.ts converts to and from SigilRecord.
 *
 * Exactness: a record must come back exactly as stored (its signed fields are verified byte for
 * byte, and `JSON.stringify` of a read must equal the write). So:
 * - `data`, `consciousness_state` and `metadata` are `json`, not `jsonb`: `json` keeps the text it
 *   was given (key order, number spelling, `\u0000`, lone surrogates), where `jsonb` reorders keys,
 *   rewrites numbers and rejects both escapes. Queries use the derived `tags`/`source` columns, so
 *   nothing needs jsonb's operators.
 * - the timestamps are `text`: `created_at` and `expires_at` are signed strings, and a timestamptz
 *   would re-spell them. ISO-8601 UTC strings as the service writes them sort as the times they are.
 * - every other free-text column goes through postgres-text.codec.ts (NUL, lone surrogates).
 * - `resonance_pattern` is float8[]: a double round-trips exactly (Postgres prints the shortest
 *   exact digits).
 * - `tenant_id` and `id` use the "C" collation, so `ORDER BY id` and the `after` cursor compare like
 *   JavaScript strings whatever the database's locale.
 *
 * Match: rp0..rp15 are the first 16 pattern components as separate float8 columns and rp_sumsq
 * their sum of squares (accumulated in index order, like `similarity`), so the cosine is one SQL
 * arithmetic expression computed in the same order as the reference implementation. The partial
 * index sigils_match_idx carries all of them, so a match scans a narrow index (index-only) instead of
 * the wide rows.
 *
 * The list order index is the primary key itself: (tenant_id, id) read backwards is newest first.
 */
@Entity({ name: 'sigils' })
@Index('sigils_tags_idx', ['tags'], { type: 'gin' })
@Index('sigils_source_idx', ['tenantId', 'source', 'id'])
@Index('sigils_revoked_idx', ['tenantId', 'id'], { where: 'revoked_at IS NOT NULL' })
@Index(
  'sigils_match_idx',
  [
    'tenantId',
    'id',
    'rp0',
    'rp1',
    'rp2',
    'rp3',
    'rp4',
    'rp5',
    'rp6',
    'rp7',
    'rp8',
    'rp9',
    'rp10',
    'rp11',
    'rp12',
    'rp13',
    'rp14',
    'rp15',
    'rpSumsq',
  ],
  { where: 'revoked_at IS NULL' },
)
export class SigilEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text', collation: 'C', primaryKeyConstraintName: 'sigils_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'id', type: 'text', collation: 'C', primaryKeyConstraintName: 'sigils_pkey' })
  id!: string;

  @Column({ name: 'kid', type: 'text' })
  kid!: string;

  @Column({ name: 'signature', type: 'text' })
  signature!: string;

  @Column({ name: 'auth_hash', type: 'text' })
  authHash!: string;

  @Column({ name: 'digest', type: 'text' })
  digest!: string;

  @Column({ name: 'resonance_pattern', type: 'float8', array: true })
  resonancePattern!: number[];

  // Typed loosely on purpose: the mapper owns their shape, TypeORM only stringifies and parses them.
  @Column({ name: 'data', type: 'json' })
  data!: object;

  @Column({ name: 'consciousness_state', type: 'json' })
  consciousnessState!: object;

  @Column({ name: 'metadata', type: 'json' })
  metadata!: object;

  /** Distinct metadata.tags, codec-encoded: the tag filter (`tags @> ARRAY[$tag]`, GIN). */
  @Column({ name: 'tags', type: 'text', array: true, select: false })
  tags!: string[];

  /** metadata.source when it is a string, codec-encoded: the source filter. */
  @Column({ name: 'source', type: 'text', nullable: true, select: false })
  source!: string | null;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'expires_at', type: 'text', nullable: true })
  expiresAt!: string | null;

  @Column({ name: 'revoked_at', type: 'text', nullable: true })
  revokedAt!: string | null;

  @Column({ name: 'revoked_by', type: 'text', nullable: true })
  revokedBy!: string | null;

  @Column({ name: 'revocation_reason', type: 'text', nullable: true })
  revocationReason!: string | null;

  @Column({ name: 'version', type: 'integer' })
  version!: number;

  // The match vector (see above). NULL where the stored pattern has no usable component, which
  // makes the similarity NULL and drops the row, as NaN does in `rankMatches`.
  @Column({ name: 'rp0', type: 'float8', nullable: true, select: false }) rp0!: number | null;
  @Column({ name: 'rp1', type: 'float8', nullable: true, select: false }) rp1!: number | null;
  @Column({ name: 'rp2', type: 'float8', nullable: true, select: false }) rp2!: number | null;
  @Column({ name: 'rp3', type: 'float8', nullable: true, select: false }) rp3!: number | null;
  @Column({ name: 'rp4', type: 'float8', nullable: true, select: false }) rp4!: number | null;
  @Column({ name: 'rp5', type: 'float8', nullable: true, select: false }) rp5!: number | null;
  @Column({ name: 'rp6', type: 'float8', nullable: true, select: false }) rp6!: number | null;
  @Column({ name: 'rp7', type: 'float8', nullable: true, select: false }) rp7!: number | null;
  @Column({ name: 'rp8', type: 'float8', nullable: true, select: false }) rp8!: number | null;
  @Column({ name: 'rp9', type: 'float8', nullable: true, select: false }) rp9!: number | null;
  @Column({ name: 'rp10', type: 'float8', nullable: true, select: false }) rp10!: number | null;
  @Column({ name: 'rp11', type: 'float8', nullable: true, select: false }) rp11!: number | null;
  @Column({ name: 'rp12', type: 'float8', nullable: true, select: false }) rp12!: number | null;
  @Column({ name: 'rp13', type: 'float8', nullable: true, select: false }) rp13!: number | null;
  @Column({ name: 'rp14', type: 'float8', nullable: true, select: false }) rp14!: number | null;
  @Column({ name: 'rp15', type: 'float8', nullable: true, select: false }) rp15!: number | null;

  @Column({ name: 'rp_sumsq', type: 'float8', nullable: true, select: false })
  rpSumsq!: number | null;
}
