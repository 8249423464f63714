import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface TokenOptions {
  tenant?: string | null;
  scope?: string;
  sub?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  issuer?: string;
  audience?: string;
  key?: SigningKey;
  extraClaims?: Record<string, unknown>;
  noExp?: boolean;
}

/**
 * A real JWKS endpoint on loopback, as an identity provider would serve it. Tests sign tokens with
 * keys it publishes (or deliberately doesn't) and can rotate what it serves.
 */
export class JwksServer {
  readonly issuer = 'https://issuer.test.sigil/';
  readonly audience = 'sigil-dna';
  readonly primary = makeKey('primary-key');
  /** Signs tokens but is never published: its kid is unknown to the server. */
  readonly rogue = makeKey('rogue-key');
  private published: SigningKey[] = [this.primary];
  private server?: Server;
  fetches = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      this.fetches++;
      const keys = this.published.map((k) => ({
        ...k.publicKey.export({ format: 'jwk' }),
        kid: k.kid,
        use: 'sig',
        alg: 'RS256',
      }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  /** Publishes an additional key (an IdP rotating in a new key). */
  publish(key: SigningKey): void {
    this.published.push(key);
  }

  token(options: TokenOptions = {}): string {
    const key = options.key ?? this.primary;
    const claims: Record<string, unknown> = {
      scope: options.scope ?? 'sigil:read sigil:write',
      ...(options.tenant === null ? {} : { tenant_id: options.tenant ?? 'acme' }),
      ...options.extraClaims,
    };
    if (!options.noExp) claims.exp = Math.floor(Date.now() / 1000) + (options.expiresIn ?? 600);
    return jwt.sign(claims, key.privateKey, {
      algorithm: 'RS256',
      keyid: key.kid,
      issuer: options.issuer ?? this.issuer,
      audience: options.audience ?? this.audience,
      subject: options.sub ?? 'user-1',
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export function makeKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}
