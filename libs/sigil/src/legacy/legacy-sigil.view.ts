import { ApiProperty } from '@nestjs/swagger';
import type { SigilRecord } from '../domain/index.js';
import { DnaView } from '../dto/sigil.response.js';

/** What a migrating client needs to verify a legacy answer through `POST /api/v1/sigils/verify`. */
export class LegacyV1View {
  @ApiProperty({ pattern: '^sigil_[0-9A-HJKMNP-TV-Z]{26}$', maxLength: 32 }) id!: string;
  @ApiProperty({ maxLength: 64 }) tenantId!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{8}$', maxLength: 8 }) kid!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', maxLength: 64 }) signature!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{16}$', maxLength: 16 }) authHash!: string;
  @ApiProperty({ type: DnaView }) dna!: DnaView;
  @ApiProperty({ format: 'date-time', maxLength: 24 }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 24 }) revokedAt!:
    string | null;
  @ApiProperty({ example: '/api/v1/sigils/sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P', maxLength: 64 }) href!: string;
}

/**
 * A sigil as the old system answered it: the client's own members at the top level, then `id` and
 * `timestamp` (as old clients read them), then `v1`. Written out by `toLegacySigil`.
 */
export type LegacySigil = Record<string, unknown> & { id: string; timestamp: string; v1: LegacyV1View };

export class LegacySigilView {
  @ApiProperty({
    maxLength: 32,
    description: 'The sigil id (v1 form; old clients treat it as an opaque string).',
  })
  id!: string;
  @ApiProperty({ format: 'date-time', maxLength: 24, description: 'When it was minted (ISO-8601 UTC).' })
  timestamp!: string;
  @ApiProperty({ type: LegacyV1View }) v1!: LegacyV1View;
}

export class LegacyCreatedView {
  @ApiProperty({ enum: [true] }) success!: true;
  @ApiProperty({
    type: LegacySigilView,
    description: 'The body’s own members at the top level, plus id, timestamp and v1.',
  })
  sigil!: LegacySigil;
}

export class LegacyListView {
  @ApiProperty({ type: [LegacySigilView], maxItems: 10, description: 'The newest 10, newest first.' })
  sigils!: LegacySigil[];
  @ApiProperty({ description: 'How many sigils the tenant holds (a maintained count).' }) total!: number;
  @ApiProperty({ type: LegacySigilView, nullable: true, description: 'The newest sigil, or null.' })
  currentIdentity!: LegacySigil | null;
}

/** Field by field: the payload as given, the two old fields, the v1 fields; nothing else of the record. */
export function toLegacySigil(sigil: SigilRecord, v1Path: string): LegacySigil {
  return {
    ...sigil.data,
    id: sigil.id,
    timestamp: sigil.createdAt,
    v1: {
      id: sigil.id,
      tenantId: sigil.tenantId,
      kid: sigil.kid,
      signature: sigil.signature,
      authHash: sigil.authHash,
      dna: { digest: sigil.dna.digest, resonancePattern: [...sigil.dna.resonancePattern] },
      createdAt: sigil.createdAt,
      revokedAt: sigil.revokedAt,
      href: `${v1Path}/${sigil.id}`,
    },
  };
}
