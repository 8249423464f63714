import { describe, expect, it } from 'vitest';
import { RecordCache } from '../adapters/level/record.cache.js';
import { levelKeys } from '../adapters/level/level.keys.js';

const key = levelKeys.record('t', 'sigil_01');
const other = levelKeys.record('t', 'sigil_02');
const cache = (bytes = 1 << 20) => new RecordCache(bytes, levelKeys.isRecord);

describe('RecordCache', () => {
  it('keeps a read record equal to what the last committed batch wrote, and forgets deletes', () => {
    const records = cache();
    records.committed([{ type: 'put', key, value: '{"v":1}' }]);
    // Written but never read: not held, so new records cannot push out the ones being read.
    expect(records.get(key)).toBeUndefined();
    records.fill(key, '{"v":1}', records.token());
    expect(records.get(key)).toBe('{"v":1}');
    records.committed([{ type: 'put', key, value: '{"v":2}' }]);
    expect(records.get(key)).toBe('{"v":2}');
    records.committed([{ type: 'del', key }]);
    expect(records.get(key)).toBeUndefined();
  });

  it('keeps only record keys', () => {
    const records = cache();
    const tag = levelKeys.tag('t', 'x', 'sigil_01');
    records.committed([
      { type: 'put', key: tag, value: '' },
      { type: 'put', key: levelKeys.count('t'), value: '3' },
    ]);
    expect(records.size).toBe(0);
    expect(records.get(tag)).toBeUndefined();
  });

  it('fills from a read only if no batch committed during it', () => {
    const records = cache();
    const before = records.token();
    records.fill(key, '{"v":1}', before);
    expect(records.get(key)).toBe('{"v":1}');

    // A read of `other` started, a batch committed (any keys), then the read came back: stale, dropped.
    const stale = records.token();
    records.committed([{ type: 'put', key, value: '{"v":2}' }]);
    records.fill(other, '{"old":true}', stale);
    expect(records.get(other)).toBeUndefined();
    // …and a stale read of a key the batch wrote never puts the old text back.
    records.fill(key, '{"v":1}', stale);
    expect(records.get(key)).toBe('{"v":2}');
    // A miss (no record) is not cached.
    records.fill(other, undefined, records.token());
    expect(records.size).toBe(1);
  });

  it('drops a record that grows past the per-entry limit instead of keeping its old text', () => {
    const records = cache(256 * 64);
    records.fill(key, 'x'.repeat(10), records.token());
    expect(records.get(key)).toBe('x'.repeat(10));
    records.committed([{ type: 'put', key, value: 'y'.repeat(100) }]);
    expect(records.get(key)).toBeUndefined();
  });

  it('evicts the least recently used past its size', () => {
    const records = cache(256 * 200);
    for (let i = 0; i < 2000; i++)
      records.fill(levelKeys.record('t', `sigil_${i}`), 'z'.repeat(150), records.token());
    expect(records.size).toBeGreaterThan(0);
    expect(records.size).toBeLessThan(2000);
    expect(records.get(levelKeys.record('t', 'sigil_1999'))).toBe('z'.repeat(150));
    expect(records.get(levelKeys.record('t', 'sigil_0'))).toBeUndefined();
  });

  it('invalidate forgets everything and makes reads in flight stale', () => {
    const records = cache();
    const inFlight = records.token();
    records.fill(key, '{"v":1}', inFlight);
    records.invalidate();
    expect(records.get(key)).toBeUndefined();
    records.fill(other, '{"v":0}', inFlight);
    expect(records.get(other)).toBeUndefined();
  });

  it('can be turned off', () => {
    const records = cache(0);
    records.fill(key, '{"v":1}', records.token());
    records.committed([{ type: 'put', key, value: '{"v":2}' }]);
    expect(records.get(key)).toBeUndefined();
    expect(records.size).toBe(0);
    expect(() => new RecordCache(-1, levelKeys.isRecord)).toThrow(RangeError);
  });
});
