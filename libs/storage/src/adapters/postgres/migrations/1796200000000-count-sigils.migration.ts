import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-tenant sigil counts, kept by a trigger on every row inserted into or deleted from `sigils`, in
 * the same transaction: exact under concurrent writes on any number of replicas, and no path that
 * writes rows (the adapter, pg_restore's data, a hand-run DELETE) can bypass it. Each tenant's count
 * is spread over 16 slot rows (by a hash of the id) so concurrent inserts into one tenant do not all
 * queue on one row lock; a count is the sum of its slots. Existing rows are counted once, here.
 * (TRUNCATE fires no row trigger: empty a table with DELETE, or recount.)
 */
export class CountSigils1796200000000 implements MigrationInterface {
  name = 'CountSigils1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "sigil_counts" (
        "tenant_id" text COLLATE "C" NOT NULL,
        "slot" smallint NOT NULL,
        "total" bigint NOT NULL,
        CONSTRAINT "sigil_counts_pkey" PRIMARY KEY ("tenant_id", "slot")
      )`);
    await queryRunner.query(`
      INSERT INTO "sigil_counts" ("tenant_id", "slot", "total")
        SELECT "tenant_id", 0, count(*) FROM "sigils" GROUP BY "tenant_id"`);
    await queryRunner.query(`
      CREATE FUNCTION "sigil_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO "sigil_counts" AS c ("tenant_id", "slot", "total")
            VALUES (NEW."tenant_id", hashtext(NEW."id") & 15, 1)
            ON CONFLICT ("tenant_id", "slot") DO UPDATE SET "total" = c."total" + 1;
        ELSE
          INSERT INTO "sigil_counts" AS c ("tenant_id", "slot", "total")
            VALUES (OLD."tenant_id", hashtext(OLD."id") & 15, -1)
            ON CONFLICT ("tenant_id", "slot") DO UPDATE SET "total" = c."total" - 1;
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "sigils_count" AFTER INSERT OR DELETE ON "sigils"
        FOR EACH ROW EXECUTE FUNCTION "sigil_counts_apply"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "sigils_count" ON "sigils"`);
    await queryRunner.query(`DROP FUNCTION "sigil_counts_apply"()`);
    await queryRunner.query(`DROP TABLE "sigil_counts"`);
  }
}
