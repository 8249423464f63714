/**
 * The rules of SigilService (SPEC §4–5) against an in-memory repository, a fixed clock and a real
 * key ring. No I/O, no Nest app: the service is constructed directly.
 */
import { Logger } from '@nestjs/common';
import { decodeTime, ulid } from 'ulid';
import { beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { AppConfig } from '#config';
import type { SigilMetrics } from '#metrics';
import type { Principal } from '#tenancy';
import { Clock } from './clock.js';
import { encodeCursor } from './cursor.js';
import { canonicalJson } from './dna/canonical-json.js';
import { KeyRing, keyIdOf } from './dna/key-ring.js';
import { similarity } from './dna/similarity.js';
import type { SigilRecord } from './domain/index.js';
import {
  DataTooLargeError,
  IdempotencyConflictError,
  SigilNotFoundError,
  SigilValidationError,
} from './domain/sigil.errors.js';
import { FakeSigilRepository } from './domain/testing/fake-sigil.repository.js';
import { checkIntegrity } from './integrity.js';
import { mintSigil } from './mint.js';
import { SigilService } from './sigil.service.js';
import type { EncodeInput, VerifyReason } from './sigil.types.js';

const ACTIVE = 'a1'.repeat(32);
const PREVIOUS = 'b2'.repeat(32);
const FOREIGN = 'c3'.repeat(32);
const kidOf = (hex: string) => keyIdOf(Buffer.from(hex, 'hex'));

const T0 = Date.parse('2026-11-26T22:40:00.123Z');
const HOUR = 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const MAX_DATA_BYTES = 64;
const SIGIL_ID = /^sigil_[0-9A-HJKMNP-TV-Z]{26}$/;

class FakeClock extends Clock {
  constructor(private time: number) {
    super();
  }
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** Stands in for the Prometheus-backed metrics: records what the service reported. */
class RecordingMetrics implements Pick<SigilMetrics, 'encoded' | 'verified' | 'revoked'> {
  readonly encodes: { seconds: number; replayed: boolean }[] = [];
  readonly verifies: { result: string; seconds: number }[] = [];
  revokes = 0;
  encoded(seconds: number, replayed: boolean): void {
    this.encodes.push({ seconds, replayed });
  }
  verified(result: string, seconds: number): void {
    this.verifies.push({ result, seconds });
  }
  revoked(): void {
    this.revokes++;
  }
}

function principal(sub: string, tenantId = 'acme'): Principal {
  return { sub, tenantId, scopes: new Set(['sigil:admin']) };
}
const alice = principal('alice');
const bob = principal('bob');
const mallory = principal('mallory', 'globex');

function serviceOver(repo: FakeSigilRepository, keys: KeyRing, clock: Clock, maxDataBytes = MAX_DATA_BYTES) {
  const metrics = new RecordingMetrics();
  const config = { sigil: { maxDataBytes } } as AppConfig;
  const service = new SigilService(repo, keys, clock, metrics as unknown as SigilMetrics, config);
  return { service, metrics };
}

function setup(options: { keys?: KeyRing; maxDataBytes?: number } = {}) {
  const clock = new FakeClock(T0);
  const repo = new FakeSigilRepository(() => clock.now());
  const keys = options.keys ?? new KeyRing(ACTIVE);
  return { clock, repo, keys, ...serviceOver(repo, keys, clock, options.maxDataBytes) };
}

const body = (data: Record<string, unknown> = { hello: 'world' }): EncodeInput => ({ data });

/** Data whose canonical JSON `{"s":"…"}` is exactly `bytes` UTF-8 bytes, mostly 2-byte characters. */
function dataOfBytes(bytes: number): Record<string, unknown> {
  const content = bytes - '{"s":""}'.length;
  return { s: 'é'.repeat(Math.floor(content / 2)) + 'x'.repeat(content % 2) };
}

/** A record minted outside the service (any ring, any tenant) and written straight into the store. */
function plant(
  repo: FakeSigilRepository,
  keys: KeyRing,
  changes: { tenantId?: string; expiresAt?: string | null; revoked?: boolean } = {},
): SigilRecord {
  const tenantId = changes.tenantId ?? 'acme';
  const record = mintSigil(
    {
      id: `sigil_${ulid(T0 - HOUR)}`,
      tenantId,
      createdAt: iso(T0 - HOUR),
      createdBy: 'alice',
      data: { planted: true },
      expiresAt: changes.expiresAt ?? null,
    },
    keys,
  );
  if (changes.revoked) {
    Object.assign(record, { revokedAt: iso(T0 - 1), revokedBy: 'alice', revocationReason: 'test' });
  }
  repo.put(tenantId, record);
  return record;
}

/** Rewrites a stored record in place, as someone with write access to the store could. */
function tamper(repo: FakeSigilRepository, tenantId: string, id: string, edit: (r: SigilRecord) => void) {
  const record = repo.stored(tenantId, id)!;
  edit(record);
  repo.put(tenantId, record);
}

/** Flips the last hex digit: still well-formed, no longer the same. */
const flipHex = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

let logs: MockInstance<Logger['log']>;
beforeEach(() => {
  // Keeps test output quiet and lets tests read the audit lines.
  logs = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
});
const auditEvents = () =>
  logs.mock.calls.map(([line]) => line as Record<string, unknown>).filter((line) => line?.audit === true);

describe('SigilService.encode', () => {
  it('mints an id sigil_<ULID> whose timestamp is the clock time', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    expect(sigil.id).toMatch(SIGIL_ID);
    expect(decodeTime(sigil.id.slice('sigil_'.length))).toBe(T0);
  });

  it('takes tenant and createdBy from the principal and createdAt from the clock', async () => {
    const { service, clock } = setup();
    clock.advance(5);
    const { sigil } = await service.encode(alice, body());
    expect(sigil).toMatchObject({
      tenantId: 'acme',
      createdBy: 'alice',
      createdAt: '2026-11-26T22:40:00.128Z',
      revokedAt: null,
      revokedBy: null,
      revocationReason: null,
      version: 1,
    });
  });

  it('stores the sigil it returns, with the data', async () => {
    const { service, repo } = setup();
    const { sigil, replayed } = await service.encode(alice, body({ n: 1 }));
    expect(replayed).toBe(false);
    expect(sigil.data).toEqual({ n: 1 });
    expect(repo.stored('acme', sigil.id)).toEqual(sigil);
  });

  it('fills the consciousnessState defaults, leaving resonance out when not given', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    expect(sigil.consciousnessState).toStrictEqual({
      phi: 1.618033988749895,
      coherence: 0.5,
      awareness: 0.5,
    });
  });

  it('keeps given consciousness values and resonance, defaulting the rest', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, {
      ...body(),
      consciousnessState: { coherence: 0.9, resonance: 0.25 },
    });
    expect(sigil.consciousnessState).toStrictEqual({
      phi: 1.618033988749895,
      coherence: 0.9,
      awareness: 0.5,
      resonance: 0.25,
    });
  });

  it('stores metadata {} and expiresAt null when absent', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    expect(sigil.metadata).toStrictEqual({});
    expect(sigil.expiresAt).toBeNull();
  });

  it('keeps the given metadata', async () => {
    const { service } = setup();
    const metadata = { source: 'cli', version: '1.2.3', tags: ['a', 'b'] };
    const { sigil } = await service.encode(alice, { ...body(), metadata });
    expect(sigil.metadata).toStrictEqual(metadata);
  });

  it.each([
    ['2027-01-01T01:00:00+01:00', '2027-01-01T00:00:00.000Z'],
    ['2027-01-01T00:00:00Z', '2027-01-01T00:00:00.000Z'],
    [iso(T0 + 1), '2026-11-26T22:40:00.124Z'],
  ])('normalises expiresAt %s to ISO UTC with milliseconds', async (given, stored) => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, { ...body(), expiresAt: given });
    expect(sigil.expiresAt).toBe(stored);
  });

  it.each([
    ['in the past', iso(T0 - HOUR)],
    ['now', iso(T0)],
    ['not a time', 'tomorrow-ish'],
  ])('rejects an expiresAt %s with a SigilValidationError naming expiresAt', async (_what, expiresAt) => {
    const { service, repo } = setup();
    const encoding = service.encode(alice, { ...body(), expiresAt });
    await expect(encoding).rejects.toThrow(SigilValidationError);
    await expect(encoding).rejects.toMatchObject({ errors: [{ field: 'expiresAt' }] });
    expect(repo.callsTo('create')).toHaveLength(0);
  });

  it('accepts data whose canonical JSON is exactly maxDataBytes UTF-8 bytes', async () => {
    const { service, repo } = setup();
    const data = dataOfBytes(MAX_DATA_BYTES);
    expect(Buffer.byteLength(canonicalJson(data), 'utf8')).toBe(MAX_DATA_BYTES);
    const { sigil } = await service.encode(alice, body(data));
    expect(repo.stored('acme', sigil.id)?.data).toEqual(data);
  });

  it('rejects data one byte over maxDataBytes with DataTooLargeError and writes nothing', async () => {
    const { service, repo } = setup();
    const data = dataOfBytes(MAX_DATA_BYTES + 1);
    // Fewer characters than the limit: the limit is on bytes, not string length.
    expect(canonicalJson(data).length).toBeLessThan(MAX_DATA_BYTES);
    const encoding = service.encode(alice, body(data));
    await expect(encoding).rejects.toThrow(DataTooLargeError);
    await expect(encoding).rejects.toMatchObject({ size: MAX_DATA_BYTES + 1, limit: MAX_DATA_BYTES });
    expect(repo.callsTo('create')).toHaveLength(0);
    expect(repo.sizeOf('acme')).toBe(0);
  });

  it('signs with the active key so that the sigil passes the integrity check', async () => {
    const { service, repo, keys } = setup();
    const { sigil } = await service.encode(alice, {
      ...body(),
      consciousnessState: { phi: 2, resonance: 0.1 },
      metadata: { tags: ['x'] },
      expiresAt: iso(T0 + HOUR),
    });
    expect(sigil.kid).toBe(kidOf(ACTIVE));
    expect(checkIntegrity(sigil, 'acme', keys)).toBeNull();
    expect(checkIntegrity(repo.stored('acme', sigil.id), 'acme', keys)).toBeNull();
  });

  describe('idempotency', () => {
    it('replays the same sigil for the same key and body, storing one', async () => {
      const { service, repo, clock } = setup();
      const first = await service.encode(alice, body(), 'key-1');
      clock.advance(HOUR);
      const second = await service.encode(alice, body(), 'key-1');
      expect(second).toEqual({ sigil: first.sigil, replayed: true });
      expect(repo.sizeOf('acme')).toBe(1);
    });

    it('hands the port a claim: principal, key, body fingerprint and a 24 h expiry', async () => {
      const { service, repo } = setup();
      await service.encode(alice, body(), 'key-1');
      const [, claim] = repo.callsTo('create')[0].args;
      expect(claim).toEqual({
        principal: 'alice',
        key: 'key-1',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
        expiresAt: iso(T0 + 24 * HOUR),
      });
    });

    it('rejects the same key with another body with IdempotencyConflictError, storing nothing new', async () => {
      const { service, repo } = setup();
      await service.encode(alice, body({ n: 1 }), 'key-1');
      await expect(service.encode(alice, body({ n: 2 }), 'key-1')).rejects.toThrow(IdempotencyConflictError);
      expect(repo.sizeOf('acme')).toBe(1);
    });

    it('treats a body differing only outside data as another body', async () => {
      const { service } = setup();
      await service.encode(alice, body(), 'key-1');
      const other = { ...body(), metadata: { source: 'elsewhere' } };
      await expect(service.encode(alice, other, 'key-1')).rejects.toThrow(IdempotencyConflictError);
    });

    it('keeps keys apart per principal: the same key from two principals mints two sigils', async () => {
      const { service, repo } = setup();
      const fromAlice = await service.encode(alice, body(), 'key-1');
      const fromBob = await service.encode(bob, body(), 'key-1');
      expect(fromBob.replayed).toBe(false);
      expect(fromBob.sigil.id).not.toBe(fromAlice.sigil.id);
      expect(fromBob.sigil.createdBy).toBe('bob');
      expect(repo.sizeOf('acme')).toBe(2);
    });

    it('without a key, mints a new sigil for every identical request', async () => {
      const { service, repo } = setup();
      const first = await service.encode(alice, body());
      const second = await service.encode(alice, body());
      expect(second.sigil.id).not.toBe(first.sigil.id);
      expect(repo.callsTo('create').map((c) => c.args[1])).toEqual([undefined, undefined]);
      expect(repo.sizeOf('acme')).toBe(2);
    });

    it('accepts a key of 255 visible ASCII characters', async () => {
      const { service, repo } = setup();
      const key = '!~'.repeat(127) + 'k';
      await service.encode(alice, body(), key);
      expect(repo.callsTo('create')[0].args[1]).toMatchObject({ key });
    });

    it.each([
      ['empty', ''],
      ['with a space', 'key 1'],
      ['with a non-ASCII character', 'clé'],
      ['256 characters long', 'k'.repeat(256)],
    ])('rejects a key %s with a SigilValidationError, writing nothing', async (_what, key) => {
      const { service, repo } = setup();
      const encoding = service.encode(alice, body(), key);
      await expect(encoding).rejects.toThrow(SigilValidationError);
      await expect(encoding).rejects.toMatchObject({ errors: [{ field: 'Idempotency-Key' }] });
      expect(repo.calls).toEqual([]);
    });
  });

  it('reports every encode to the metrics with its replayed flag', async () => {
    const { service, metrics } = setup();
    await service.encode(alice, body(), 'key-1');
    await service.encode(alice, body(), 'key-1');
    expect(metrics.encodes).toEqual([
      { seconds: expect.any(Number), replayed: false },
      { seconds: expect.any(Number), replayed: true },
    ]);
    expect(metrics.encodes.every((e) => e.seconds >= 0)).toBe(true);
  });
});

describe('SigilService.decode', () => {
  it('returns the stored sigil with its data', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body({ n: 42 }));
    await expect(service.decode('acme', sigil.id)).resolves.toEqual(sigil);
  });

  it('throws SigilNotFoundError for an unknown id', async () => {
    const { service } = setup();
    await expect(service.decode('acme', `sigil_${ulid(T0)}`)).rejects.toThrow(SigilNotFoundError);
  });

  it.each(['sigil_123', 'abc', `sigil_${ulid(T0).toLowerCase()}`, `SIGIL_${ulid(T0)}`, `sigil_${ulid(T0)}x`])(
    'throws SigilNotFoundError for the malformed id %s without touching the repository',
    async (id) => {
      const { service, repo } = setup();
      await expect(service.decode('acme', id)).rejects.toThrow(SigilNotFoundError);
      expect(repo.calls).toEqual([]);
    },
  );

  it("treats another tenant's sigil as missing", async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    await expect(service.decode('globex', sigil.id)).rejects.toThrow(SigilNotFoundError);
  });
});

describe('SigilService.verify', () => {
  it('answers ok with valid true, the kid and checkedAt from the clock', async () => {
    const { service, clock } = setup();
    const { sigil } = await service.encode(alice, body());
    clock.advance(HOUR);
    await expect(service.verify('acme', { id: sigil.id })).resolves.toEqual({
      valid: true,
      reason: 'ok',
      sigilId: sigil.id,
      kid: kidOf(ACTIVE),
      checkedAt: iso(T0 + HOUR),
    });
  });

  it('answers ok when the given signature and data match, data in any key order', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body({ a: 1, b: { c: 2, d: 3 } }));
    const result = await service.verify('acme', {
      id: sigil.id,
      signature: sigil.signature,
      data: { b: { d: 3, c: 2 }, a: 1 },
    });
    expect(result).toMatchObject({ valid: true, reason: 'ok' });
  });

  it('answers not_found with kid null for an unknown id', async () => {
    const { service } = setup();
    const id = `sigil_${ulid(T0)}`;
    await expect(service.verify('acme', { id })).resolves.toEqual({
      valid: false,
      reason: 'not_found',
      sigilId: id,
      kid: null,
      checkedAt: iso(T0),
    });
  });

  it('answers not_found for a malformed id without touching the repository', async () => {
    const { service, repo } = setup();
    await expect(service.verify('acme', { id: 'not-a-sigil' })).resolves.toMatchObject({
      valid: false,
      reason: 'not_found',
      kid: null,
    });
    expect(repo.calls).toEqual([]);
  });

  it("answers not_found for another tenant's sigil", async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    await expect(service.verify('globex', { id: sigil.id })).resolves.toMatchObject({
      valid: false,
      reason: 'not_found',
      kid: null,
    });
  });

  it('answers unknown_key, with the record kid, for a sigil signed by a secret not in the ring', async () => {
    const { service, repo } = setup();
    const planted = plant(repo, new KeyRing(FOREIGN));
    await expect(service.verify('acme', { id: planted.id })).resolves.toMatchObject({
      valid: false,
      reason: 'unknown_key',
      kid: kidOf(FOREIGN),
    });
  });

  it.each<[string, (r: SigilRecord) => void]>([
    ['data changed', (r) => (r.data = { hello: 'mars' })],
    ['signature field changed', (r) => (r.signature = flipHex(r.signature))],
    ['authHash changed', (r) => (r.authHash = flipHex(r.authHash))],
    ['digest changed', (r) => (r.dna.digest = flipHex(r.dna.digest))],
    [
      'resonance pattern changed',
      (r) => (r.dna.resonancePattern[0] = r.dna.resonancePattern[0] === 0 ? 1 : 0),
    ],
    ['metadata changed', (r) => (r.metadata = { source: 'forged' })],
    ['expiry pushed back', (r) => (r.expiresAt = iso(T0 + 48 * HOUR))],
    ['expiry removed', (r) => (r.expiresAt = null)],
    ['consciousness changed', (r) => (r.consciousnessState.phi = 3)],
  ])('answers tampered when the stored record was altered: %s', async (_what, edit) => {
    const { service, repo } = setup();
    const { sigil } = await service.encode(alice, { ...body(), expiresAt: iso(T0 + HOUR) });
    tamper(repo, 'acme', sigil.id, edit);
    await expect(service.verify('acme', { id: sigil.id })).resolves.toMatchObject({
      valid: false,
      reason: 'tampered',
      kid: kidOf(ACTIVE),
    });
  });

  it.each<[string, (r: SigilRecord) => SigilRecord]>([
    ['as is', (r) => r],
    ['with its tenantId rewritten', (r) => ({ ...r, tenantId: 'globex' })],
  ])("answers tampered for a sigil copied into another tenant's store %s", async (_how, rewrite) => {
    const { service, repo } = setup();
    const { sigil } = await service.encode(alice, body());
    repo.put('globex', rewrite(sigil));
    await expect(service.verify('globex', { id: sigil.id })).resolves.toMatchObject({ reason: 'tampered' });
  });

  it.each<[string, (signature: string) => string]>([
    ['another well-formed signature', flipHex],
    ['a short signature', (s) => s.slice(0, 16)],
    ['a longer signature', (s) => s + '00'],
    ['an empty signature', () => ''],
    ['not hex at all', () => 'z'.repeat(64)],
  ])('answers signature_mismatch for %s', async (_what, given) => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    await expect(
      service.verify('acme', { id: sigil.id, signature: given(sigil.signature) }),
    ).resolves.toMatchObject({
      valid: false,
      reason: 'signature_mismatch',
    });
  });

  it('answers data_mismatch when the given data has another digest', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body({ n: 1 }));
    await expect(service.verify('acme', { id: sigil.id, data: { n: 2 } })).resolves.toMatchObject({
      valid: false,
      reason: 'data_mismatch',
    });
  });

  it('answers revoked for a revoked sigil', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    await service.revoke(alice, sigil.id, 'compromised');
    await expect(service.verify('acme', { id: sigil.id })).resolves.toMatchObject({
      valid: false,
      reason: 'revoked',
      kid: kidOf(ACTIVE),
    });
  });

  it('answers expired once the clock reaches expiresAt, and ok a millisecond before', async () => {
    const { service, clock } = setup();
    const { sigil } = await service.encode(alice, { ...body(), expiresAt: iso(T0 + HOUR) });
    clock.advance(HOUR - 1);
    await expect(service.verify('acme', { id: sigil.id })).resolves.toMatchObject({ reason: 'ok' });
    clock.advance(1);
    await expect(service.verify('acme', { id: sigil.id })).resolves.toMatchObject({
      valid: false,
      reason: 'expired',
    });
  });

  /**
   * Each row makes its reason and every later one apply at once; the first in SPEC order must win.
   * The stored record is revoked and expired in every row.
   */
  it.each<
    [
      VerifyReason,
      {
        signer: string;
        tampered: boolean;
        signature: 'right' | 'wrong' | 'none';
        data: 'right' | 'wrong' | 'none';
      },
    ]
  >([
    ['unknown_key', { signer: FOREIGN, tampered: true, signature: 'wrong', data: 'wrong' }],
    ['tampered', { signer: ACTIVE, tampered: true, signature: 'wrong', data: 'wrong' }],
    ['signature_mismatch', { signer: ACTIVE, tampered: false, signature: 'wrong', data: 'wrong' }],
    ['data_mismatch', { signer: ACTIVE, tampered: false, signature: 'right', data: 'wrong' }],
    ['revoked', { signer: ACTIVE, tampered: false, signature: 'right', data: 'right' }],
  ])('answers %s when it and every later reason apply', async (expected, scenario) => {
    const { service, repo } = setup();
    const planted = plant(repo, new KeyRing(scenario.signer), { expiresAt: iso(T0 - 1), revoked: true });
    if (scenario.tampered) tamper(repo, 'acme', planted.id, (r) => (r.metadata = { source: 'forged' }));
    const signature = { right: planted.signature, wrong: flipHex(planted.signature), none: undefined }[
      scenario.signature
    ];
    const data = { right: planted.data, wrong: { other: true }, none: undefined }[scenario.data];
    await expect(service.verify('acme', { id: planted.id, signature, data })).resolves.toMatchObject({
      valid: false,
      reason: expected,
    });
  });

  it('answers not_found before anything else, even with a signature and data given', async () => {
    const { service } = setup();
    await expect(
      service.verify('acme', { id: `sigil_${ulid(T0)}`, signature: 'f'.repeat(64), data: { x: 1 } }),
    ).resolves.toMatchObject({ reason: 'not_found' });
  });

  it('answers ok for a sigil signed with a previous secret while that secret is in the ring', async () => {
    const { service: before, repo, clock } = setup({ keys: new KeyRing(PREVIOUS) });
    const { sigil } = await before.encode(alice, body());
    const { service: rotated } = serviceOver(repo, new KeyRing(ACTIVE, [PREVIOUS]), clock);
    await expect(rotated.verify('acme', { id: sigil.id, signature: sigil.signature })).resolves.toMatchObject(
      {
        valid: true,
        reason: 'ok',
        kid: kidOf(PREVIOUS),
      },
    );
    const { sigil: fresh } = await rotated.encode(alice, body());
    expect(fresh.kid).toBe(kidOf(ACTIVE));
  });

  it('answers unknown_key for a sigil signed with a secret dropped from the ring', async () => {
    const { service: before, repo, clock } = setup({ keys: new KeyRing(PREVIOUS) });
    const { sigil } = await before.encode(alice, body());
    const { service: rotated } = serviceOver(repo, new KeyRing(ACTIVE), clock);
    await expect(rotated.verify('acme', { id: sigil.id })).resolves.toMatchObject({ reason: 'unknown_key' });
  });

  it('reports every verification to the metrics with its reason', async () => {
    const { service, metrics } = setup();
    const { sigil } = await service.encode(alice, body());
    await service.verify('acme', { id: sigil.id });
    await service.verify('acme', { id: `sigil_${ulid(T0)}` });
    expect(metrics.verifies).toEqual([
      { result: 'ok', seconds: expect.any(Number) },
      { result: 'not_found', seconds: expect.any(Number) },
    ]);
  });
});

describe('SigilService.revoke', () => {
  it('records revokedAt from the clock, revokedBy from the principal and the reason', async () => {
    const { service, repo, clock } = setup();
    const { sigil } = await service.encode(alice, body());
    clock.advance(HOUR);
    const revoked = await service.revoke(bob, sigil.id, 'key compromised');
    expect(revoked).toEqual({
      ...sigil,
      revokedAt: iso(T0 + HOUR),
      revokedBy: 'bob',
      revocationReason: 'key compromised',
    });
    expect(repo.stored('acme', sigil.id)).toEqual(revoked);
  });

  it('keeps a null reason as null', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    await expect(service.revoke(alice, sigil.id, null)).resolves.toMatchObject({
      revokedBy: 'alice',
      revocationReason: null,
    });
  });

  it('is idempotent: a second revoke returns the sigil unchanged, the first reason kept', async () => {
    const { service, clock } = setup();
    const { sigil } = await service.encode(alice, body());
    const first = await service.revoke(alice, sigil.id, 'first');
    clock.advance(HOUR);
    await expect(service.revoke(bob, sigil.id, 'second')).resolves.toEqual(first);
    expect(first).toMatchObject({ revokedAt: iso(T0), revokedBy: 'alice', revocationReason: 'first' });
  });

  it('throws SigilNotFoundError for a missing sigil', async () => {
    const { service } = setup();
    await expect(service.revoke(alice, `sigil_${ulid(T0)}`, 'x')).rejects.toThrow(SigilNotFoundError);
  });

  it('throws SigilNotFoundError for a malformed id without touching the repository', async () => {
    const { service, repo } = setup();
    await expect(service.revoke(alice, 'sigil_nope', 'x')).rejects.toThrow(SigilNotFoundError);
    expect(repo.calls).toEqual([]);
  });

  it("cannot revoke another tenant's sigil: not found, and it stays unrevoked", async () => {
    const { service, repo } = setup();
    const { sigil } = await service.encode(alice, body());
    await expect(service.revoke(mallory, sigil.id, 'x')).rejects.toThrow(SigilNotFoundError);
    expect(repo.stored('acme', sigil.id)?.revokedAt).toBeNull();
  });

  it('counts the revoke and writes one audit line', async () => {
    const { service, metrics } = setup();
    const { sigil } = await service.encode(alice, body());
    await service.revoke(bob, sigil.id, 'x');
    expect(metrics.revokes).toBe(1);
    expect(auditEvents()).toEqual([
      { audit: true, event: 'sigil.revoked', sigilId: sigil.id, tenantId: 'acme', principal: 'bob' },
    ]);
  });
});

describe('SigilService.purge', () => {
  it('deletes the sigil', async () => {
    const { service, repo } = setup();
    const { sigil } = await service.encode(alice, body());
    await service.purge(alice, sigil.id);
    expect(repo.sizeOf('acme')).toBe(0);
    await expect(service.decode('acme', sigil.id)).rejects.toThrow(SigilNotFoundError);
  });

  it('throws SigilNotFoundError on a second purge', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    await service.purge(alice, sigil.id);
    await expect(service.purge(alice, sigil.id)).rejects.toThrow(SigilNotFoundError);
  });

  it('throws SigilNotFoundError for a malformed id without touching the repository', async () => {
    const { service, repo } = setup();
    await expect(service.purge(alice, '../../etc')).rejects.toThrow(SigilNotFoundError);
    expect(repo.calls).toEqual([]);
  });

  it("cannot purge another tenant's sigil: not found, and it stays stored", async () => {
    const { service, repo } = setup();
    const { sigil } = await service.encode(alice, body());
    await expect(service.purge(mallory, sigil.id)).rejects.toThrow(SigilNotFoundError);
    expect(repo.stored('acme', sigil.id)).toBeDefined();
  });

  it('writes one audit line', async () => {
    const { service } = setup();
    const { sigil } = await service.encode(alice, body());
    await service.purge(bob, sigil.id);
    expect(auditEvents()).toEqual([
      { audit: true, event: 'sigil.purged', sigilId: sigil.id, tenantId: 'acme', principal: 'bob' },
    ]);
  });
});

describe('SigilService.list', () => {
  async function encodeMany(service: SigilService, count: number): Promise<SigilRecord[]> {
    const sigils: SigilRecord[] = [];
    for (let i = 0; i < count; i++) sigils.push((await service.encode(alice, body({ i }))).sigil);
    return sigils;
  }

  it('lists newest first, with no next cursor when everything fits', async () => {
    const { service } = setup();
    const sigils = await encodeMany(service, 3);
    const page = await service.list('acme', { limit: 10 });
    expect(page.items.map((s) => s.id)).toEqual(sigils.map((s) => s.id).reverse());
    expect(page.nextCursor).toBeNull();
  });

  it('pages through nextCursor without duplicates or gaps', async () => {
    const { service } = setup();
    const sigils = await encodeMany(service, 7);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.list('acme', { limit: 3, cursor });
      seen.push(...page.items.map((s) => s.id));
      sizes.push(page.items.length);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(sigils.map((s) => s.id).reverse());
  });

  it('returns items without their data, everything else as stored', async () => {
    const { service } = setup();
    const [sigil] = await encodeMany(service, 1);
    const { items } = await service.list('acme', { limit: 10 });
    expect(items[0]).not.toHaveProperty('data');
    const { data: _data, ...summary } = sigil;
    expect(items[0]).toEqual(summary);
  });

  it('passes limit, the decoded cursor and the filters to the port', async () => {
    const { service, repo } = setup();
    const after = `sigil_${ulid(T0)}`;
    await service.list('acme', {
      limit: 5,
      cursor: encodeCursor(after),
      tag: 't',
      source: 's',
      revoked: false,
    });
    expect(repo.callsTo('listPage')).toEqual([
      {
        method: 'listPage',
        tenantId: 'acme',
        args: [{ limit: 5, after, tag: 't', source: 's', revoked: false }],
      },
    ]);
  });

  it('filters by tag, source and revoked', async () => {
    const { service } = setup();
    const tagged = (await service.encode(alice, { ...body(), metadata: { tags: ['red'] } })).sigil;
    const sourced = (await service.encode(alice, { ...body(), metadata: { source: 'cli' } })).sigil;
    const revoked = (await service.encode(alice, body())).sigil;
    await service.revoke(alice, revoked.id, null);
    const ids = async (input: Parameters<SigilService['list']>[1]) =>
      (await service.list('acme', input)).items.map((s) => s.id);
    expect(await ids({ limit: 10, tag: 'red' })).toEqual([tagged.id]);
    expect(await ids({ limit: 10, source: 'cli' })).toEqual([sourced.id]);
    expect(await ids({ limit: 10, revoked: true })).toEqual([revoked.id]);
    expect(await ids({ limit: 10, revoked: false })).toEqual([sourced.id, tagged.id]);
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['an empty string', ''],
    [
      'another version',
      Buffer.from(JSON.stringify({ v: 2, after: `sigil_${ulid(T0)}` })).toString('base64url'),
    ],
    ['a non-sigil id', Buffer.from(JSON.stringify({ v: 1, after: 'x' })).toString('base64url')],
  ])(
    'rejects %s as cursor with a SigilValidationError, without touching the repository',
    async (_what, cursor) => {
      const { service, repo } = setup();
      const listing = service.list('acme', { limit: 10, cursor });
      await expect(listing).rejects.toThrow(SigilValidationError);
      await expect(listing).rejects.toMatchObject({ errors: [{ field: 'cursor' }] });
      expect(repo.calls).toEqual([]);
    },
  );

  it("does not list another tenant's sigils", async () => {
    const { service } = setup();
    await encodeMany(service, 2);
    await expect(service.list('globex', { limit: 10 })).resolves.toEqual({ items: [], nextCursor: null });
  });
});

describe('SigilService.match', () => {
  /** Different coherence/awareness give visibly different resonance patterns. */
  const STATES = [
    { coherence: 0.1, awareness: 0.9 },
    { coherence: 0.3, awareness: 0.7 },
    { coherence: 0.5, awareness: 0.5 },
    { coherence: 0.7, awareness: 0.3 },
    { coherence: 0.9, awareness: 0.1 },
  ];

  async function encodeVaried(service: SigilService, who: Principal = alice): Promise<SigilRecord[]> {
    const sigils: SigilRecord[] = [];
    for (const consciousnessState of STATES) {
      sigils.push((await service.encode(who, { ...body(), consciousnessState })).sigil);
    }
    return sigils;
  }

  /** The expected answer, worked out independently of the repository. */
  function ranked(sigils: SigilRecord[], pattern: number[], threshold: number, topN: number) {
    return sigils
      .map((s) => ({ sigilId: s.id, similarity: similarity(pattern, s.dna.resonancePattern) }))
      .filter((h) => h.similarity >= threshold)
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, topN);
  }

  const QUERY = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.5, 0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8];

  it('matches by dnaPattern, ordered by similarity, most similar first', async () => {
    const { service } = setup();
    const sigils = await encodeVaried(service);
    const { matches } = await service.match('acme', { dnaPattern: QUERY, threshold: 0, topN: 10 });
    expect(matches).toEqual(ranked(sigils, QUERY, 0, 10));
    expect(matches).toHaveLength(STATES.length);
    expect(new Set(matches.map((m) => m.similarity)).size).toBe(STATES.length);
  });

  it('leaves out hits below the threshold', async () => {
    const { service } = setup();
    const sigils = await encodeVaried(service);
    const all = ranked(sigils, QUERY, 0, 10);
    const threshold = all[2].similarity;
    const { matches } = await service.match('acme', { dnaPattern: QUERY, threshold, topN: 10 });
    expect(matches).toEqual(all.slice(0, 3));
  });

  it('returns at most topN hits, the best ones', async () => {
    const { service } = setup();
    const sigils = await encodeVaried(service);
    const { matches } = await service.match('acme', { dnaPattern: QUERY, threshold: 0, topN: 2 });
    expect(matches).toEqual(ranked(sigils, QUERY, 0, 10).slice(0, 2));
  });

  it('leaves out revoked sigils', async () => {
    const { service } = setup();
    const sigils = await encodeVaried(service);
    const best = ranked(sigils, QUERY, 0, 10)[0];
    await service.revoke(alice, best.sigilId, null);
    const { matches } = await service.match('acme', { dnaPattern: QUERY, threshold: 0, topN: 10 });
    expect(matches.map((m) => m.sigilId)).not.toContain(best.sigilId);
    expect(matches).toHaveLength(STATES.length - 1);
  });

  it("matches by sigilId with that sigil's pattern, leaving the query sigil out", async () => {
    const { service, repo } = setup();
    const sigils = await encodeVaried(service);
    const query = sigils[2];
    const { matches } = await service.match('acme', { sigilId: query.id, threshold: 0, topN: 10 });
    const others = sigils.filter((s) => s.id !== query.id);
    expect(matches).toEqual(ranked(others, query.dna.resonancePattern, 0, 10));
    expect(repo.callsTo('match')[0].args).toEqual([
      { pattern: query.dna.resonancePattern, excludeId: query.id, threshold: 0, topN: 10 },
    ]);
  });

  it('throws SigilNotFoundError for an unknown sigilId without running a match', async () => {
    const { service, repo } = setup();
    await encodeVaried(service);
    await expect(
      service.match('acme', { sigilId: `sigil_${ulid(T0 - HOUR)}`, threshold: 0, topN: 10 }),
    ).rejects.toThrow(SigilNotFoundError);
    expect(repo.callsTo('match')).toHaveLength(0);
  });

  it("throws SigilNotFoundError for another tenant's sigilId", async () => {
    const { service } = setup();
    const [sigil] = await encodeVaried(service);
    await expect(service.match('globex', { sigilId: sigil.id, threshold: 0, topN: 10 })).rejects.toThrow(
      SigilNotFoundError,
    );
  });

  it("never matches another tenant's sigils", async () => {
    const { service } = setup();
    await encodeVaried(service, mallory);
    await expect(service.match('acme', { dnaPattern: QUERY, threshold: 0, topN: 10 })).resolves.toEqual({
      matches: [],
    });
  });
});

describe('SigilService tenant scoping', () => {
  it("sends the principal's tenant with every repository call", async () => {
    const { service, repo } = setup();
    const { sigil } = await service.encode(mallory, body(), 'key-1');
    const other = (await service.encode(mallory, body({ n: 2 }))).sigil;
    await service.decode(mallory.tenantId, sigil.id);
    await service.verify(mallory.tenantId, { id: sigil.id });
    await service.revoke(mallory, sigil.id, null);
    await service.list(mallory.tenantId, { limit: 10 });
    await service.match(mallory.tenantId, { sigilId: other.id, threshold: 0, topN: 10 });
    await service.purge(mallory, sigil.id);
    const methods = new Set(repo.calls.map((c) => c.method));
    expect([...methods].sort()).toEqual(['create', 'delete', 'findById', 'listPage', 'match', 'revoke']);
    expect(repo.calls.filter((c) => c.tenantId !== 'globex')).toEqual([]);
  });

  it('stores each sigil under the tenant of the principal that encoded it', async () => {
    const { service, repo } = setup();
    const { sigil } = await service.encode(mallory, body());
    expect(repo.stored('globex', sigil.id)?.tenantId).toBe('globex');
    expect(repo.stored('acme', sigil.id)).toBeUndefined();
  });
});

describe('SigilService keys', () => {
  it('reports the active kid and the verify-only kids, never secrets', () => {
    const { service } = setup({ keys: new KeyRing(ACTIVE, [PREVIOUS]) });
    expect(service.keyStatus()).toEqual({ activeKid: kidOf(ACTIVE), verifyOnlyKids: [kidOf(PREVIOUS)] });
  });

  it('writes a keys.loaded audit line with kids only at module init', () => {
    const { service } = setup({ keys: new KeyRing(ACTIVE, [PREVIOUS]) });
    service.onModuleInit();
    expect(auditEvents()).toEqual([
      { audit: true, event: 'keys.loaded', activeKid: kidOf(ACTIVE), verifyOnlyKids: [kidOf(PREVIOUS)] },
    ]);
  });
});
