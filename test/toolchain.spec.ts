import { describe, expect, it } from 'vitest';
import * as viaImportMap from '#config';
// eslint-disable-next-line no-restricted-imports -- this test exists to compare the two resolutions
import * as viaSource from '../libs/config/src/index.js';

describe('test toolchain', () => {
  it('resolves #lib imports to the TypeScript sources, not a stale build in dist/', () => {
    expect(viaImportMap.parseConfig).toBe(viaSource.parseConfig);
  });
});
