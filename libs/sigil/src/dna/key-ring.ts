import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const HKDF_SALT = 'sigil-dna/v1';
const KID_LABEL = 'sigil-dna/kid';
const SECRET_PATTERN = /^[0-9a-fA-F]{64}$/;
/** Tenant keys are cached; the bound keeps a flood of distinct tenants from growing memory. */
const TENANT_KEY_CACHE_LIMIT = 10_000;

export function isValidSecret(hex: string): boolean {
  return SECRET_PATTERN.test(hex);
}

/** `kid` = first 8 hex chars of HMAC-SHA256(secret bytes, "sigil-dna/kid"). */
export function keyIdOf(secret: Buffer): string {
  return createHmac('sha256', secret).update(KID_LABEL).digest('hex').slice(0, 8);
}

/** Tenant key = HKDF-SHA256(secret bytes, salt "sigil-dna/v1", info = tenantId, 32 bytes). */
export function deriveTenantKey(secret: Buffer, tenantId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, tenantId, 32));
}

interface RingKey {
  kid: string;
  secret: Buffer;
  tenantKeys: Map<string, Buffer>;
}

export interface KeyRingStatus {
  activeKid: string;
  verifyOnlyKids: string[];
}

/**
 * The active signing secret plus the older ones that still verify (SPIRAL_EVENT_SECRET_PREVIOUS).
 * Holds the secret bytes and never exposes them: callers see kids and signatures only.
 */
export class KeyRing {
  private readonly keys = new Map<string, RingKey>();
  readonly activeKid: string;

  constructor(activeHex: string, previousHex: readonly string[] = []) {
    for (const hex of [activeHex, ...previousHex]) {
      if (!isValidSecret(hex)) {
        throw new RangeError('a signing secret must be 64 hex characters (32 bytes)');
      }
      const secret = Buffer.from(hex, 'hex');
      const kid = keyIdOf(secret);
      if (!this.keys.has(kid)) {
        this.keys.set(kid, { kid, secret, tenantKeys: new Map() });
      }
    }
    this.activeKid = keyIdOf(Buffer.from(activeHex, 'hex'));
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  status(): KeyRingStatus {
    return {
      activeKid: this.activeKid,
      verifyOnlyKids: [...this.keys.keys()].filter((kid) => kid !== this.activeKid),
    };
  }

  /** Hex HMAC-SHA256 of `input` under the tenant key derived from the secret `kid` names. */
  sign(kid: string, tenantId: string, input: string): string {
    return createHmac('sha256', this.tenantKey(kid, tenantId)).update(input, 'utf8').digest('hex');
  }

  /** Constant-time check of a hex signature; false for an unknown kid or a malformed signature. */
  verify(kid: string, tenantId: string, input: string, signature: string): boolean {
    if (!this.keys.has(kid)) return false;
    return constantTimeEqualHex(this.sign(kid, tenantId, input), signature);
  }

  private tenantKey(kid: string, tenantId: string): Buffer {
    const key = this.keys.get(kid);
    if (!key) throw new RangeError(`unknown kid ${kid}`);
    let derived = key.tenantKeys.get(tenantId);
    if (!derived) {
      if (key.tenantKeys.size >= TENANT_KEY_CACHE_LIMIT) key.tenantKeys.clear();
      derived = deriveTenantKey(key.secret, tenantId);
      key.tenantKeys.set(tenantId, derived);
    }
    return derived;
  }
}

/** Compares two hex strings in time independent of where they differ. */
export function constantTimeEqualHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  // Lengths are not secret (signatures are always 64 hex chars), but timingSafeEqual needs equal sizes.
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
