import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_FILES, ensureDevMaterial } from './dev-material.js';

describe('ensureDevMaterial', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigil-dev-'));
    dirs.push(dir);
    return join(dir, '.sigil-dev');
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('creates owner-only keys and secret once, then reuses them', () => {
    const dir = fresh();
    const first = ensureDevMaterial(dir);
    expect(first.created).toHaveLength(3);
    expect(first.secretHex).toMatch(/^[0-9a-f]{64}$/);
    expect(first.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    for (const file of Object.values(DEV_FILES)) expect(statSync(join(dir, file)).mode & 0o077).toBe(0);
    expect(statSync(dir).mode & 0o077).toBe(0);
    const second = ensureDevMaterial(dir);
    expect(second.created).toEqual([]);
    expect(second.secretHex).toBe(first.secretHex);
    expect(second.privateKeyPem).toBe(first.privateKeyPem);
  });

  it('creates only what is needed', () => {
    const dir = fresh();
    const keysOnly = ensureDevMaterial(dir, { keys: true, secret: false });
    expect(keysOnly.secretHex).toBe('');
    expect(existsSync(join(dir, DEV_FILES.secret))).toBe(false);
    expect(existsSync(join(dir, DEV_FILES.privateKey))).toBe(true);
  });
});
