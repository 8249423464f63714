import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns whose change can change what a match sees. */
const WATCHED = ['tenant_id', 'id', 'revoked_at', ...Array.from({ length: 16 }, (_, i) => `rp${i}`)];

/**
 * The change log every replica's in-process match index catches up from (match-index.cache.ts).
 *
 * A trigger on `sigils` writes one row per inserted, deleted, revoked (or otherwise match-relevant
 * updated) sigil, in the writing transaction, tagged with that transaction's id: no write path (the
 * adapter, a restore, a hand-run DELETE) can bypass it, and it commits or rolls back with the
 * write. Transaction ids, unlike ULIDs or sequence values, let a reader find every change committed
 * since its last read however commits interleave: every transaction that was not yet visible to a
 * snapshot has an id at or above that snapshot's xmin (see the cache for the argument).
 *
 * `xid` is the 64-bit, never-wrapping pg_current_xact_id() as a bigint; the primary key leads with
 * it, so catch-up (xid ≥ horizon) and pruning (xid < horizon) are index range scans. Pruning records
 * the horizon it pruned below in `sigil_changes_pruned`, in the same transaction, so a replica whose
 * index is older than that rebuilds instead of missing a change.
 */
export class SigilChanges1796900000000 implements MigrationInterface {
  name = 'SigilChanges1796900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "sigil_changes" (
        "xid" bigint NOT NULL,
        "tenant_id" text COLLATE "C" NOT NULL,
        "sigil_id" text COLLATE "C" NOT NULL,
        CONSTRAINT "sigil_changes_pkey" PRIMARY KEY ("xid", "tenant_id", "sigil_id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "sigil_changes_pruned" (
        "id" smallint NOT NULL,
        "below" bigint NOT NULL,
        CONSTRAINT "sigil_changes_pruned_pkey" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE FUNCTION "sigil_changes_log"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO "sigil_changes" ("xid", "tenant_id", "sigil_id")
            VALUES (pg_current_xact_id()::text::bigint, OLD."tenant_id", OLD."id") ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO "sigil_changes" ("xid", "tenant_id", "sigil_id")
            VALUES (pg_current_xact_id()::text::bigint, NEW."tenant_id", NEW."id") ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER "sigils_changes" AFTER INSERT OR DELETE OR UPDATE OF ${WATCHED.map((c) => `"${c}"`).join(', ')}
        ON "sigils" FOR EACH ROW EXECUTE FUNCTION "sigil_changes_log"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "sigils_changes" ON "sigils"`);
    await queryRunner.query(`DROP FUNCTION "sigil_changes_log"()`);
    await queryRunner.query(`DROP TABLE "sigil_changes_pruned"`);
    await queryRunner.query(`DROP TABLE "sigil_changes"`);
  }
}
