import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config.errors.js';
import { loadSecretsFile } from './parse-config.js';

const dir = mkdtempSync(join(tmpdir(), 'sigil-secrets-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

describe('loadSecretsFile', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the active and previous secrets, ignoring comments and other lines, lower-cased', () => {
    const path = file(
      'ok.env',
      `# rotated 2026-11-27\nOTHER=1\nSPIRAL_EVENT_SECRET=${'AB'.repeat(32)}\nSPIRAL_EVENT_SECRET_PREVIOUS=${'c'.repeat(64)}, ${'d'.repeat(64)}\n`,
    );
    expect(loadSecretsFile(path)).toEqual({
      active: 'ab'.repeat(32),
      previous: ['c'.repeat(64), 'd'.repeat(64)],
    });
  });

  it('refuses a missing active secret or a malformed one, naming the file but never the value', () => {
    expect(() => loadSecretsFile(file('none.env', 'OTHER=1\n'))).toThrow(ConfigError);
    try {
      loadSecretsFile(file('bad.env', 'SPIRAL_EVENT_SECRET=tooshort99\n'));
      expect.unreachable('a 10-character secret must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('bad.env');
      expect((error as Error).message).not.toContain('tooshort99');
    }
    expect(() => loadSecretsFile(join(dir, 'missing.env'))).toThrow(/cannot read/);
  });
});
