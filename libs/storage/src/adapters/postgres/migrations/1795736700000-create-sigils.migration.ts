import type { MigrationInterface, QueryRunner } from 'typeorm';

const MATCH_COLUMNS = Array.from({ length: 16 }, (_, i) => `rp${i}`);

/**
 * The initial schema; see sigil.entity.ts and sigil-idempotency.entity.ts for why each column has
 * the type it has. Written by hand from what TypeORM's schema builder generates for the entities, so
 * the drift check (schemaDrift) finds nothing left to do after it.
 */
export class CreateSigils1795736700000 implements MigrationInterface {
  // Explicit, so the name recorded in sigil_migrations survives any minifier renaming the class.
  name = 'CreateSigils1795736700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "sigils" (
        "tenant_id" text COLLATE "C" NOT NULL,
        "id" text COLLATE "C" NOT NULL,
        "kid" text NOT NULL,
        "signature" text NOT NULL,
        "auth_hash" text NOT NULL,
        "digest" text NOT NULL,
        "resonance_pattern" double precision[] NOT NULL,
        "data" json NOT NULL,
        "consciousness_state" json NOT NULL,
        "metadata" json NOT NULL,
        "tags" text[] NOT NULL,
        "source" text,
        "created_at" text NOT NULL,
        "created_by" text NOT NULL,
        "expires_at" text,
        "revoked_at" text,
        "revoked_by" text,
        "revocation_reason" text,
        "version" integer NOT NULL,
        ${MATCH_COLUMNS.map((column) => `"${column}" double precision,`).join('\n        ')}
        "rp_sumsq" double precision,
        CONSTRAINT "sigils_pkey" PRIMARY KEY ("tenant_id", "id")
      )`);
    // Newest-first listing needs no index of its own: it reads sigils_pkey backwards.
    await queryRunner.query(`CREATE INDEX "sigils_tags_idx" ON "sigils" USING gin ("tags")`);
    await queryRunner.query(`CREATE INDEX "sigils_source_idx" ON "sigils" ("tenant_id", "source", "id")`);
    await queryRunner.query(
      `CREATE INDEX "sigils_revoked_idx" ON "sigils" ("tenant_id", "id") WHERE revoked_at IS NOT NULL`,
    );
    // Everything match reads, so it is an index-only scan over unrevoked sigils of one tenant.
    await queryRunner.query(
      `CREATE INDEX "sigils_match_idx" ON "sigils" ` +
        `("tenant_id", "id", ${MATCH_COLUMNS.map((c) => `"${c}"`).join(', ')}, "rp_sumsq") ` +
        `WHERE revoked_at IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE "sigil_idempotency" (
        "tenant_id" text COLLATE "C" NOT NULL,
        "principal" text NOT NULL,
        "idempotency_key" text NOT NULL,
        "sigil_id" text COLLATE "C" NOT NULL,
        "fingerprint" text NOT NULL,
        "expires_at" timestamp with time zone NOT NULL,
        CONSTRAINT "sigil_idempotency_pkey" PRIMARY KEY ("tenant_id", "principal", "idempotency_key")
      )`);
    await queryRunner.query(
      `CREATE INDEX "sigil_idempotency_sigil_idx" ON "sigil_idempotency" ("tenant_id", "sigil_id")`,
    );
    await queryRunner.query(`
      ALTER TABLE "sigil_idempotency" ADD CONSTRAINT "sigil_idempotency_sigil_fk"
        FOREIGN KEY ("tenant_id", "sigil_id") REFERENCES "sigils" ("tenant_id", "id")
        ON DELETE CASCADE ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sigil_idempotency"`);
    await queryRunner.query(`DROP TABLE "sigils"`);
  }
}
