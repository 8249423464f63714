import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevMaterial, DevNeeds } from './parse-config.js';

export const DEV_FILES = {
  privateKey: 'jwt-private.pem',
  publicKey: 'jwt-public.pem',
  secret: 'spiral-secret.hex',
} as const;
/** The `kid` header of dev tokens; the dev server trusts exactly one key. */
export const DEV_KEY_ID = 'sigil-dev';

/**
 * Creates (once) and reads the development key pair and signing secret under `dir`. Files are
 * owner-only; the folder is git-ignored. Never used in production (parseConfig refuses to get there).
 */
export function ensureDevMaterial(
  dir: string,
  needs: DevNeeds = { keys: true, secret: true },
): DevMaterial & { privateKeyPem: string; created: string[] } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const privatePath = join(dir, DEV_FILES.privateKey);
  const publicPath = join(dir, DEV_FILES.publicKey);
  const secretPath = join(dir, DEV_FILES.secret);
  if (needs.keys && (!existsSync(privatePath) || !existsSync(publicPath))) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeSecretFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    writeSecretFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    created.push(privatePath, publicPath);
  }
  if (needs.secret && !existsSync(secretPath)) {
    writeSecretFile(secretPath, `${randomBytes(32).toString('hex')}\n`);
    created.push(secretPath);
  }
  return {
    privateKeyPem: needs.keys ? readFileSync(privatePath, 'utf8') : '',
    publicKeyPem: needs.keys ? readFileSync(publicPath, 'utf8') : '',
    secretHex: needs.secret ? readFileSync(secretPath, 'utf8').trim() : '',
    created,
  };
}

function writeSecretFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}
