export const SCOPES = {
  read: 'sigil:read',
  write: 'sigil:write',
  revoke: 'sigil:revoke',
  admin: 'sigil:admin',
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** write includes read; admin includes everything (SPEC §4). */
const IMPLIED: Readonly<Record<string, readonly string[]>> = {
  [SCOPES.write]: [SCOPES.read],
  [SCOPES.admin]: [SCOPES.read, SCOPES.write, SCOPES.revoke],
};

/**
 * Scopes from every claim providers use for them: `scope` (RFC 9068, space-separated), `scp`
 * (string or array), `roles`, `permissions`; expanded by implication.
 */
export function scopesFromClaims(claims: Record<string, unknown>): Set<string> {
  const granted = new Set<string>();
  for (const name of ['scope', 'scp', 'roles', 'permissions']) {
    const value = claims[name];
    const items = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
    for (const item of items) {
      if (typeof item !== 'string' || item === '') continue;
      granted.add(item);
      for (const implied of IMPLIED[item] ?? []) granted.add(implied);
    }
  }
  return granted;
}
