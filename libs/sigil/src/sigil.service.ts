import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#config';
import { SigilMetrics } from '#metrics';
import { SigilRepository, type SigilRecord } from './domain/index.js';
import type { Principal } from '#tenancy';
import { Clock } from './clock.js';
import { decodeCursor, encodeCursor, isSigilId } from './cursor.js';
import { canonicalJson } from './dna/canonical-json.js';
import { dataDigest } from './dna/dna.js';
import { constantTimeEqualHex, KeyRing, type KeyRingStatus } from './dna/key-ring.js';
import { checkIntegrity } from './integrity.js';
import { mintSigil } from './mint.js';
import { sigilIdFactory } from './sigil-ids.js';
import {
  DataTooLargeError,
  IdempotencyConflictError,
  SigilNotFoundError,
  SigilValidationError,
} from './domain/sigil.errors.js';
import {
  type EncodeInput,
  LEGACY_ID_TAG_PREFIX,
  type ListInput,
  type ListResult,
  type MatchInput,
  type MatchResult,
  type SigilSummary,
  type VerifyInput,
  type VerifyResult,
} from './sigil.types.js';

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface EncodeOutcome {
  sigil: SigilRecord;
  /** True when an Idempotency-Key matched an earlier identical request. */
  replayed: boolean;
}

/** The rules of minting, verifying, revoking and finding sigils. Storage and HTTP are someone else's. */
@Injectable()
export class SigilService implements OnModuleInit {
  private readonly logger = new Logger(SigilService.name);
  private readonly newId = sigilIdFactory();
  private readonly maxDataBytes: number;

  constructor(
    private readonly repository: SigilRepository,
    private readonly keys: KeyRing,
    private readonly clock: Clock,
    private readonly metrics: SigilMetrics,
    config: AppConfig,
  ) {
    this.maxDataBytes = config.sigil.maxDataBytes;
  }

  /** A key event for the audit trail: which secrets this process signs and verifies with (kids only). */
  onModuleInit(): void {
    const { activeKid, verifyOnlyKids } = this.keys.status();
    this.logger.log({ audit: true, event: 'keys.loaded', activeKid, verifyOnlyKids });
  }

  async encode(principal: Principal, input: EncodeInput, idempotencyKey?: string): Promise<EncodeOutcome> {
    const started = performance.now();
    const outcome = await this.mint(principal, input, idempotencyKey);
    this.metrics.encoded((performance.now() - started) / 1000, outcome.replayed);
    return outcome;
  }

  private async mint(
    principal: Principal,
    input: EncodeInput,
    idempotencyKey?: string,
  ): Promise<EncodeOutcome> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new SigilValidationError([
        { field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' },
      ]);
    }
    const now = this.clock.now();
    const canonical = canonicalJson(input.data);
    const size = Buffer.byteLength(canonical, 'utf8');
    if (size > this.maxDataBytes) throw new DataTooLargeError(size, this.maxDataBytes);

    const expiresAt = this.normalizeExpiry(input.expiresAt, now);
    const sigil = mintSigil(
      {
        id: this.newId(now),
        tenantId: principal.tenantId,
        createdAt: new Date(now).toISOString(),
        createdBy: principal.sub,
        data: input.data,
        canonicalData: canonical,
        consciousnessState: input.consciousnessState,
        metadata: input.metadata,
        expiresAt,
      },
      this.keys,
    );

    const claim = idempotencyKey
      ? {
          principal: principal.sub,
          key: idempotencyKey,
          fingerprint: hash('sha256', canonicalJson(input), 'hex'),
          expiresAt: new Date(now + IDEMPOTENCY_TTL_MS).toISOString(),
        }
      : undefined;
    const outcome = await this.repository.create(principal.tenantId, sigil, claim);
    if (outcome.status === 'conflict') throw new IdempotencyConflictError();
    return { sigil: outcome.sigil, replayed: outcome.status === 'replayed' };
  }

  async decode(tenantId: string, id: string): Promise<SigilRecord> {
    const sigil = isSigilId(id) ? await this.repository.findById(tenantId, id) : null;
    if (!sigil) throw new SigilNotFoundError(id);
    return sigil;
  }

  /** Always answers; the reason is the first check that fails, in SPEC §5 order. */
  async verify(tenantId: string, input: VerifyInput): Promise<VerifyResult> {
    const started = performance.now();
    const result = await this.check(tenantId, input);
    this.metrics.verified(result.reason, (performance.now() - started) / 1000);
    return result;
  }

  private async check(tenantId: string, input: VerifyInput): Promise<VerifyResult> {
    const sigil = isSigilId(input.id) ? await this.repository.findById(tenantId, input.id) : null;
    const result = (reason: VerifyResult['reason']): VerifyResult => ({
      valid: reason === 'ok',
      reason,
      sigilId: input.id,
      kid: sigil?.kid ?? null,
      checkedAt: new Date(this.clock.now()).toISOString(),
    });
    if (!sigil) return result('not_found');
    const problem = checkIntegrity(sigil, tenantId, this.keys);
    if (problem === 'unknown_key') return result('unknown_key');
    if (problem !== null) return result('tampered');
    if (input.signature !== undefined && !constantTimeEqualHex(sigil.signature, input.signature)) {
      return result('signature_mismatch');
    }
    if (input.data !== undefined && dataDigest(canonicalJson(input.data)) !== sigil.dna.digest) {
      return result('data_mismatch');
    }
    if (sigil.revokedAt !== null) return result('revoked');
    if (sigil.expiresAt !== null && Date.parse(sigil.expiresAt) <= this.clock.now()) return result('expired');
    return result('ok');
  }

  async revoke(principal: Principal, id: string, reason: string | null): Promise<SigilRecord> {
    const revoked = isSigilId(id)
      ? await this.repository.revoke(principal.tenantId, id, {
          revokedAt: new Date(this.clock.now()).toISOString(),
          revokedBy: principal.sub,
          reason,
        })
      : null;
    if (!revoked) throw new SigilNotFoundError(id);
    this.metrics.revoked();
    this.logger.log({
      audit: true,
      event: 'sigil.revoked',
      sigilId: id,
      tenantId: principal.tenantId,
      principal: principal.sub,
    });
    return revoked;
  }

  async purge(principal: Principal, id: string): Promise<void> {
    const deleted = isSigilId(id) ? await this.repository.delete(principal.tenantId, id) : false;
    if (!deleted) throw new SigilNotFoundError(id);
    this.logger.log({
      audit: true,
      event: 'sigil.purged',
      sigilId: id,
      tenantId: principal.tenantId,
      principal: principal.sub,
    });
  }

  async list(tenantId: string, input: ListInput): Promise<ListResult> {
    if (input.legacyId !== undefined && input.tag !== undefined) {
      throw new SigilValidationError([{ field: 'legacyId', message: 'give legacyId or tag, not both' }]);
    }
    const page = await this.repository.listPage(tenantId, {
      limit: input.limit,
      after: input.cursor === undefined ? undefined : decodeCursor(input.cursor),
      tag: input.legacyId === undefined ? input.tag : `${LEGACY_ID_TAG_PREFIX}${input.legacyId}`,
      source: input.source,
      revoked: input.revoked,
    });
    return {
      items: page.items.map(summarize),
      nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
    };
  }

  /** The newest `limit` sigils with their data, and how many the tenant holds (no scan: a maintained count). */
  async recent(tenantId: string, limit: number): Promise<{ items: SigilRecord[]; total: number }> {
    const [page, total] = await Promise.all([
      this.repository.listPage(tenantId, { limit }),
      this.repository.count(tenantId),
    ]);
    return { items: page.items, total };
  }

  async match(tenantId: string, input: MatchInput): Promise<MatchResult> {
    const pattern =
      input.sigilId === undefined
        ? input.dnaPattern
        : (await this.decode(tenantId, input.sigilId)).dna.resonancePattern;
    const hits = await this.repository.match(tenantId, {
      pattern,
      excludeId: input.sigilId,
      threshold: input.threshold,
      topN: input.topN,
    });
    return { matches: hits.map((h) => ({ sigilId: h.id, similarity: h.similarity })) };
  }

  keyStatus(): KeyRingStatus {
    return this.keys.status();
  }

  private normalizeExpiry(expiresAt: string | undefined, now: number): string | null {
    if (expiresAt === undefined) return null;
    const at = Date.parse(expiresAt);
    if (Number.isNaN(at) || at <= now) {
      throw new SigilValidationError([
        { field: 'expiresAt', message: 'must be an ISO-8601 time in the future' },
      ]);
    }
    return new Date(at).toISOString();
  }
}

function summarize(sigil: SigilRecord): SigilSummary {
  const { data: _data, ...summary } = sigil;
  return summary;
}
