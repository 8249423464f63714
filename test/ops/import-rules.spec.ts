import { describe, expect, it } from 'vitest';
import {
  legacyIdOfFileName,
  legacyShapeOf,
  parseLegacy,
  parseLegacyTime,
} from '../../apps/sigil-cli/src/import/legacy-sigil.js';

const parse = (value: unknown, file = 'f.json', maxDataBytes = 65_536) =>
  parseLegacy(value, file, 'public', maxDataBytes);

/** The import's rules for one parsed file, as the help text and operations.md state them. */
describe('legacy file rules', () => {
  it.each([
    ['2024-01-02T03:04:05Z', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-01-02T03:04:05.678+02:00', Date.UTC(2024, 0, 2, 1, 4, 5, 678)],
    ['2024-01-02T03:04:05.678', Date.UTC(2024, 0, 2, 3, 4, 5, 678)], // no zone: UTC
    ['2024-01-02T03:04', Date.UTC(2024, 0, 2, 3, 4)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    [1_690_000_000_123, 1_690_000_000_123],
    ['1690000000123', 1_690_000_000_123],
    [0, 0],
  ])('timestamp %j is %d ms', (timestamp, ms) => {
    expect(parseLegacyTime(timestamp)).toBe(ms);
  });

  it.each([
    undefined,
    null,
    '',
    'yesterday',
    '2024-01-02', // a date is not a date-time
    '2024-01-02 03:04:05Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:60:00Z',
    '2024-01-01T00:00:00+25:00',
    '1969-12-31T23:59:59Z',
    -1,
    1.5,
    Number.NaN,
    2 ** 48,
    '-5',
    '12.5',
    true,
    { ms: 1 },
  ])('timestamp %j is not usable', (timestamp) => {
    expect(parseLegacyTime(timestamp)).toBeNull();
  });

  it('the explicit rule needs every member within the six and `data` an object', () => {
    expect(legacyShapeOf({ id: 'x', timestamp: 1, data: {} })).toBe('data');
    expect(legacyShapeOf({ id: 'x', timestamp: 1, data: { a: 1 }, signature: 's', tenantId: 't' })).toBe(
      'data',
    );
    expect(legacyShapeOf({ id: 'x', timestamp: 1, data: { a: 1 }, version: 1 })).toBe('members');
    expect(legacyShapeOf({ id: 'x', timestamp: 1, data: [1] })).toBe('members');
    expect(legacyShapeOf({ id: 'x', timestamp: 1, data: null })).toBe('members');
    expect(legacyShapeOf({ id: 'x', timestamp: 1 })).toBe('members');
  });

  it('members rule: everything but id, timestamp and tenantId is data; a valid state is also the state', () => {
    const state = { phi: 2, coherence: 0.5, awareness: 0.5, resonance: 1 };
    const file = {
      id: 'x',
      timestamp: 1,
      tenantId: 'acme',
      data: 'text',
      signature: 's',
      consciousnessState: state,
    };
    expect(parse(file)).toEqual({
      ok: true,
      shape: 'members',
      sigil: {
        legacyId: 'x',
        tenantId: 'acme',
        createdAtMs: 1,
        data: { data: 'text', signature: 's', consciousnessState: state },
        consciousnessState: state,
      },
    });
    // An invalid state is no reason to refuse the file: it stays data, the sigil gets the defaults.
    const odd = parse({
      id: 'x',
      timestamp: 1,
      consciousnessState: { phi: 1, coherence: 1, awareness: 1, mood: 1 },
    });
    expect(odd).toMatchObject({ ok: true, sigil: { data: { consciousnessState: { mood: 1 } } } });
    expect(odd.ok && odd.sigil.consciousnessState).toBeUndefined();
  });

  it('explicit rule: data as given, state checked as before, signature ignored', () => {
    expect(parse({ id: 'x', timestamp: 1, data: { a: 1 }, signature: 'old' })).toEqual({
      ok: true,
      shape: 'data',
      sigil: { legacyId: 'x', tenantId: 'public', createdAtMs: 1, data: { a: 1 } },
    });
    expect(parse({ id: 'x', timestamp: 1, data: {} })).toMatchObject({ ok: true, sigil: { data: {} } });
    expect(parse({ id: 'x', timestamp: 1, data: { a: 1 }, consciousnessState: { phi: 1 } })).toMatchObject({
      ok: false,
      shape: 'data',
      legacyId: 'x',
      errors: [
        'consciousnessState.coherence: required, a number in [0, 1]',
        'consciousnessState.awareness: required, a number in [0, 1]',
      ],
    });
    expect(parse({ id: 'x', timestamp: 1, data: {}, signature: 7 })).toMatchObject({
      ok: false,
      errors: ['signature: must be a string'],
    });
  });

  it('a file of identity fields only imports with data {}', () => {
    expect(parse({ id: 'x', timestamp: '2024-01-01T00:00:00Z', tenantId: 'acme' })).toMatchObject({
      ok: true,
      shape: 'members',
      sigil: { legacyId: 'x', tenantId: 'acme', data: {} },
    });
  });

  it('no id: the file name without .json is the legacy id', () => {
    expect(legacyIdOfFileName('sigil-1690000000000.json')).toBe('sigil-1690000000000');
    expect(legacyIdOfFileName('UPPER.JSON')).toBe('UPPER');
    expect(parse({ timestamp: 1, n: 1 }, 'sigil-1690000000000.json')).toMatchObject({
      ok: true,
      sigil: { legacyId: 'sigil-1690000000000', data: { n: 1 } },
    });
    expect(parse({ timestamp: 1 }, `${'x'.repeat(201)}.json`)).toMatchObject({
      ok: false,
      errors: ['id: missing, and the file name without .json is not 1–200 characters'],
    });
  });

  it('every problem is reported at once, and the data limit counts canonical JSON', () => {
    expect(
      parse({ id: '', timestamp: 'soon', tenantId: 'a b', blob: 'x'.repeat(100) }, 'f.json', 64),
    ).toEqual({
      ok: false,
      shape: 'members',
      legacyId: null,
      tenantId: null,
      errors: [
        'id: must be a string of 1–200 characters',
        expect.stringMatching(/^timestamp: must be an ISO-8601 date-time/),
        'tenantId: must match [A-Za-z0-9._-]{1,64}',
        'data: canonical JSON is 111 bytes, over the 64 limit',
      ],
    });
    expect(parse({ id: 'x', timestamp: 1, blob: 'x'.repeat(53) }, 'f.json', 64)).toMatchObject({ ok: true });
    expect(parse([], 'f.json')).toMatchObject({ ok: false, errors: ['not a JSON object'] });
  });
});
