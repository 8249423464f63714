/**
 * For tests only (`#storage/testing`; the architecture rules keep production code from importing it):
 * what a test needs to reach under the port, such as the LevelDB key of a record it tampers with.
 */
import { assertTenant } from '#sigil';
import { levelKeys } from './adapters/level/level.keys.js';

/** The key holding a sigil's JSON in a LevelDB store, for tests that rewrite a record on disk. */
export function levelRecordKey(tenantId: string, id: string): string {
  assertTenant(tenantId);
  return levelKeys.record(tenantId, id);
}
