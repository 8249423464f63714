import { type ConsciousnessState, type PatternEntry, RESONANCE_LENGTH, type SigilRecord } from '#sigil';
import { distinctTags } from '../shared/sigil-query.matcher.js';
import { decodeNullableText, decodeText, encodeNullableText, encodeText } from './postgres-text.codec.js';
import { SigilEntity } from './sigil.entity.js';

/** The columns patterns() reads: the pattern and whether the sigil is revoked, not the whole row. */
export type PatternRow = Pick<SigilEntity, 'id' | 'resonancePattern' | 'revokedAt'>;

/** The match columns of a pattern: rp0..rp15 and their sum of squares. */
export interface MatchVector {
  components: (number | null)[];
  sumsq: number | null;
}

/**
 * What `similarity(query, pattern)` multiplies: the first 16 components, coerced the way `*` coerces
 * (null → 0, a missing one → NaN), and their squares summed in index order, exactly as it sums them.
 * NaN is stored as NULL: NULL propagates through SQL arithmetic and fails the threshold like NaN does
 * in JavaScript, whereas a float8 NaN would sort above every number in Postgres.
 */
export function matchVector(pattern: readonly unknown[]): MatchVector {
  const components: (number | null)[] = [];
  let sumsq = 0;
  for (let i = 0; i < RESONANCE_LENGTH; i++) {
    const x = Number(pattern[i]);
    components.push(Number.isNaN(x) ? null : x);
    sumsq += x * x;
  }
  return { components, sumsq: Number.isNaN(sumsq) ? null : sumsq };
}

/** The codec-encoded value the `tags` column holds for a tag (what the tag filter compares). */
export function tagColumnValue(tag: string): string {
  return encodeText(tag);
}

/** The codec-encoded value the `source` column holds for a source. */
export function sourceColumnValue(source: string): string {
  return encodeText(source);
}

export function toSigilEntity(record: SigilRecord): SigilEntity {
  const { components, sumsq } = matchVector(record.dna.resonancePattern);
  const source = record.metadata.source;
  const entity = Object.assign(new SigilEntity(), {
    tenantId: record.tenantId,
    id: record.id,
    kid: encodeText(record.kid),
    signature: encodeText(record.signature),
    authHash: encodeText(record.authHash),
    digest: encodeText(record.dna.digest),
    resonancePattern: record.dna.resonancePattern,
    data: record.data,
    consciousnessState: record.consciousnessState,
    metadata: record.metadata,
    tags: distinctTags(record)
      .filter((tag) => typeof tag === 'string')
      .map(tagColumnValue),
    source: typeof source === 'string' ? sourceColumnValue(source) : null,
    createdAt: encodeText(record.createdAt),
    createdBy: encodeText(record.createdBy),
    expiresAt: encodeNullableText(record.expiresAt),
    revokedAt: encodeNullableText(record.revokedAt),
    revokedBy: encodeNullableText(record.revokedBy),
    revocationReason: encodeNullableText(record.revocationReason),
    version: record.version,
    rpSumsq: sumsq,
  });
  for (const [i, value] of components.entries()) Reflect.set(entity, `rp${i}`, value);
  return entity;
}

/**
 * The record a row holds, with the keys in SigilRecord's order (the order the service writes). The
 * json columns arrive parsed from their stored text, so nested key order and numbers are the ones
 * that were written.
 */
export function toSigilRecord(entity: SigilEntity): SigilRecord {
  return {
    id: entity.id,
    tenantId: entity.tenantId,
    kid: decodeText(entity.kid),
    signature: decodeText(entity.signature),
    authHash: decodeText(entity.authHash),
    dna: { digest: decodeText(entity.digest), resonancePattern: entity.resonancePattern },
    data: entity.data as Record<string, unknown>,
    consciousnessState: entity.consciousnessState as ConsciousnessState,
    metadata: entity.metadata,
    createdAt: decodeText(entity.createdAt),
    createdBy: decodeText(entity.createdBy),
    expiresAt: decodeNullableText(entity.expiresAt),
    revokedAt: decodeNullableText(entity.revokedAt),
    revokedBy: decodeNullableText(entity.revokedBy),
    revocationReason: decodeNullableText(entity.revocationReason),
    version: entity.version as 1,
  };
}

export function toPatternEntry(row: PatternRow): PatternEntry {
  return { id: row.id, resonancePattern: row.resonancePattern, revoked: row.revokedAt !== null };
}
