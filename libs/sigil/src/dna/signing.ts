import { hash } from 'node:crypto';
import type { SigilRecord } from '../domain/index.js';
import { canonicalJson } from './canonical-json.js';

/** The fields a signature covers (SPEC §5). Revocation fields are deliberately outside it: they change. */
export type SignedFields = Pick<
  SigilRecord,
  'id' | 'tenantId' | 'consciousnessState' | 'metadata' | 'createdAt' | 'expiresAt'
> & { dna: Pick<SigilRecord['dna'], 'digest' | 'resonancePattern'> };

/**
 * The exact bytes that are HMACed: canonical JSON of {v:1, id, tenantId, digest, resonancePattern, …}.
 *
 * Every encode and every verify builds it, so it takes a shortcut that is exact by construction:
 * RFC 8785 writes strings and numbers as ECMAScript's `JSON.stringify` does and orders object keys by
 * UTF-16 code units, so `JSON.stringify` of objects whose keys are inserted in that order, holding
 * only well-formed strings, finite numbers, null and arrays of those, *is* the canonical form (at a
 * quarter of the general canonicaliser's cost). Any member outside that (an unknown key, a wrong
 * type, a lone surrogate, NaN: a record altered by hand) sends the input through `canonicalJson`,
 * which is what it always answered before, errors included. signing.spec.ts holds the two equal.
 */
export function signingInput(s: SignedFields): string {
  const consciousnessState = orderedState(s.consciousnessState);
  const metadata = orderedMetadata(s.metadata);
  const { digest, resonancePattern } = s.dna;
  if (
    consciousnessState !== undefined &&
    metadata !== undefined &&
    isText(s.createdAt) &&
    isText(digest) &&
    (s.expiresAt === null || isText(s.expiresAt)) &&
    isText(s.id) &&
    isArrayOf(resonancePattern, isFiniteNumber) &&
    isText(s.tenantId)
  ) {
    // Keys in RFC 8785 order.
    return JSON.stringify({
      consciousnessState,
      createdAt: s.createdAt,
      digest,
      expiresAt: s.expiresAt,
      id: s.id,
      metadata,
      resonancePattern,
      tenantId: s.tenantId,
      v: 1,
    });
  }
  return canonicalJson({
    v: 1,
    id: s.id,
    tenantId: s.tenantId,
    digest,
    resonancePattern,
    consciousnessState: s.consciousnessState,
    metadata: s.metadata,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
  });
}

/** First 16 hex chars of SHA-256(id + signature): a short handle that commits to both. */
export function authHash(id: string, signature: string): string {
  return hash('sha256', id + signature, 'hex').slice(0, 16);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.isWellFormed();
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);
/** A hole passes `every` unchecked; JSON.stringify and canonical JSON both write it as null. */
const isArrayOf = <T>(value: unknown, isItem: (item: unknown) => item is T): value is T[] =>
  Array.isArray(value) && value.every(isItem);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.getPrototypeOf(value) === Object.prototype;

/** The state with its members in canonical order, or undefined when it holds anything else. */
function orderedState(state: unknown): Record<string, number> | undefined {
  if (!isPlainObject(state)) return undefined;
  const ordered: Record<string, number> = {};
  let members = 0;
  for (const key of ['awareness', 'coherence', 'phi', 'resonance']) {
    const value = state[key];
    if (value === undefined) continue;
    if (!isFiniteNumber(value)) return undefined;
    ordered[key] = value;
    members++;
  }
  return Object.keys(state).length === members ? ordered : undefined;
}

/** The metadata with its members in canonical order, or undefined when it holds anything else. */
function orderedMetadata(metadata: unknown): Record<string, string | string[]> | undefined {
  if (!isPlainObject(metadata)) return undefined;
  const ordered: Record<string, string | string[]> = {};
  let members = 0;
  const { source, tags, version } = metadata;
  if (source !== undefined) {
    if (!isText(source)) return undefined;
    ordered.source = source;
    members++;
  }
  if (tags !== undefined) {
    if (!isArrayOf(tags, isText)) return undefined;
    ordered.tags = tags;
    members++;
  }
  if (version !== undefined) {
    if (!isText(version)) return undefined;
    ordered.version = version;
    members++;
  }
  return Object.keys(metadata).length === members ? ordered : undefined;
}
