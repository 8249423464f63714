import { InvalidArgumentError, type Command } from 'commander';
import jwt from 'jsonwebtoken';
import { DEV_KEY_ID, ensureDevMaterial, parseConfig } from '#config';
import { action } from '../support/exit.js';

const TTL_PATTERN = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

function parseTtl(value: string): number {
  const match = TTL_PATTERN.exec(value);
  if (!match) throw new InvalidArgumentError('use a number with s, m, h or d, e.g. 10m');
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  if (seconds < 1 || seconds > 30 * 86_400) throw new InvalidArgumentError('must be between 1s and 30d');
  return seconds;
}

/** `token`: a JWT the dev-auth server accepts, signed with the key pair under .sigil-dev/. */
export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description('print a development bearer token (dev-auth mode only)')
    .requiredOption('--tenant <tenant>', 'tenant id to put in the token')
    .option('--scope <scopes>', 'space-separated scopes', 'sigil:read sigil:write')
    .option('--sub <subject>', 'the principal (sub claim)', 'dev-user')
    .option('--ttl <duration>', 'lifetime, e.g. 30s, 10m, 2h, 1d', parseTtl, 3600)
    .action(
      action(async (options: { tenant: string; scope: string; sub: string; ttl: number }) => {
        // The API's own configuration: a dev token is only as good as the auth settings the service reads.
        const config = parseConfig(process.env, ensureDevMaterial);
        if (config.auth.mode !== 'dev') {
          throw new Error('JWT_JWKS_URI is set, so the server trusts your identity provider, not dev tokens');
        }
        const { privateKeyPem } = ensureDevMaterial(config.devDir, { keys: true, secret: false });
        const token = jwt.sign(
          { scope: options.scope, [config.tenancy.claim ?? 'tenant_id']: options.tenant },
          privateKeyPem,
          {
            algorithm: 'RS256',
            keyid: DEV_KEY_ID,
            issuer: config.auth.issuer,
            audience: config.auth.audience,
            subject: options.sub,
            expiresIn: options.ttl,
          },
        );
        process.stdout.write(`${token}\n`);
      }),
    );
}
