import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KeyRing } from './dna/key-ring.js';
import { checkIntegrity } from './integrity.js';
import { mintSigil } from './mint.js';

interface Vector {
  name: string;
  inputs: {
    secretHex: string;
    tenantId: string;
    id: string;
    createdAt: string;
    data: Record<string, unknown>;
    consciousnessState?: Record<string, number>;
    metadata?: Record<string, unknown>;
    expiresAt: string | null;
  };
  expected: {
    consciousnessState: Record<string, number>;
    metadata: Record<string, unknown>;
    digest: string;
    resonancePattern: number[];
    signature: string;
    kid: string;
    authHash: string;
  };
}

const vectors = (
  JSON.parse(readFileSync(new URL('../../../test/vectors/sigil-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

describe('mintSigil against the known-answer vectors', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, { inputs, expected }) => {
    const keys = new KeyRing(inputs.secretHex);
    const sigil = mintSigil(
      {
        id: inputs.id,
        tenantId: inputs.tenantId,
        createdAt: inputs.createdAt,
        createdBy: 'vector',
        data: inputs.data,
        consciousnessState: inputs.consciousnessState,
        metadata: inputs.metadata,
        expiresAt: inputs.expiresAt,
      },
      keys,
    );
    expect(sigil).toMatchObject({
      id: inputs.id,
      tenantId: inputs.tenantId,
      kid: expected.kid,
      signature: expected.signature,
      authHash: expected.authHash,
      dna: { digest: expected.digest, resonancePattern: expected.resonancePattern },
      consciousnessState: expected.consciousnessState,
      metadata: expected.metadata,
      createdAt: inputs.createdAt,
      expiresAt: inputs.expiresAt,
      revokedAt: null,
      version: 1,
    });
    expect(checkIntegrity(sigil, inputs.tenantId, keys)).toBeNull();
  });
});
