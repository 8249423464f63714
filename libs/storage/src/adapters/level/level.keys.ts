/**
 * Key builders for the LevelDB layout documented at the top of `level-sigil.repository.ts`.
 * Every tenant-scoped key starts with `<kind>!<tenant>!`, so a range over one tenant's prefix
 * can never reach another tenant's entries.
 */

/** Upper bound for a prefix range: every encoded key part is ASCII, so U+00FF sorts after all of them. */
const RANGE_END = '\xff';

/**
 * Makes a string safe to use as one `!`-separated key part: `[A-Za-z0-9._-]` stays as is (so
 * valid tenant and sigil ids are stored verbatim and keys stay readable), anything else becomes
 * `%` + the 4-hex-digit UTF-16 code unit. `%` itself is escaped, so the encoding is injective,
 * never contains `!`, and is total (lone surrogates included, which encodeURIComponent rejects).
 */
export function encodeKeyPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function decodeKeyPart(part: string): string {
  return part.replace(/%([0-9a-f]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export interface KeyRange {
  gte: string;
  lt: string;
}

/** All keys under `prefix`, optionally only those strictly below `prefix + before`. */
export function prefixRange(prefix: string, before?: string): KeyRange {
  return { gte: prefix, lt: before === undefined ? prefix + RANGE_END : prefix + encodeKeyPart(before) };
}

export const levelKeys = {
  recordPrefix: (tenant: string) => `s!${encodeKeyPart(tenant)}!`,
  record: (tenant: string, id: string) => `s!${encodeKeyPart(tenant)}!${encodeKeyPart(id)}`,
  /** A record key: no other kind starts with `s!`. */
  isRecord: (key: string) => key.startsWith('s!'),

  tagPrefix: (tenant: string, tag: string) => `x!tag!${encodeKeyPart(tenant)}!${encodeKeyPart(tag)}!`,
  tag: (tenant: string, tag: string, id: string) => levelKeys.tagPrefix(tenant, tag) + encodeKeyPart(id),

  sourcePrefix: (tenant: string, source: string) =>
    `x!src!${encodeKeyPart(tenant)}!${encodeKeyPart(source)}!`,
  source: (tenant: string, source: string, id: string) =>
    levelKeys.sourcePrefix(tenant, source) + encodeKeyPart(id),

  revokedPrefix: (tenant: string) => `x!rev!${encodeKeyPart(tenant)}!`,
  revoked: (tenant: string, id: string) => levelKeys.revokedPrefix(tenant) + encodeKeyPart(id),

  claim: (tenant: string, principal: string, key: string) =>
    `i!${encodeKeyPart(tenant)}!${encodeKeyPart(principal)}!${encodeKeyPart(key)}`,

  /** A tenant's sigil count (decimal text), rewritten in the batch of every insert and delete. */
  count: (tenant: string) => `n!${encodeKeyPart(tenant)}`,
  /** Present once every tenant's count is there: stores from before counts are counted once at open. */
  countsReady: '~counts!v1',

  tenantPrefix: 't!',
  tenant: (tenant: string) => `t!${encodeKeyPart(tenant)}`,

  /** `~` sorts after every other kind, so probes never fall inside a tenant range. */
  probe: (nonce: string) => `~probe!${nonce}`,
} as const;

/** The decoded last key part (the id for record and index keys, the tenant for registry keys). */
export function lastKeyPart(key: string): string {
  return decodeKeyPart(key.slice(key.lastIndexOf('!') + 1));
}
