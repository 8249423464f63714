import { ApiProperty, ApiPropertyOptional, ApiSchema, OmitType } from '@nestjs/swagger';

const EXAMPLE_ID = 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P';

@ApiSchema({ name: 'ConsciousnessState' })
export class ConsciousnessStateView {
  @ApiProperty({ minimum: 0, maximum: 10, example: 1.618033988749895 }) phi!: number;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.5 }) coherence!: number;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.5 }) awareness!: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Present only when it was given.' })
  resonance?: number;
}

@ApiSchema({ name: 'SigilMetadata' })
export class MetadataView {
  @ApiPropertyOptional({ maxLength: 100, example: 'billing-service' }) source?: string;
  @ApiPropertyOptional({ maxLength: 256, example: '1.2.0' }) version?: string;
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: 50 },
    maxItems: 10,
    example: ['invoice'],
  })
  tags?: string[];
}

@ApiSchema({ name: 'Dna' })
export class DnaView {
  @ApiProperty({
    pattern: '^sha256:[0-9a-f]{64}$',
    maxLength: 71,
    example: 'sha256:9f2c1a7e4b8d3f6a0c5e9b2d7f1a4c8e3b6d0f9a2c5e8b1d4f7a0c3e6b9d2f5a',
  })
  digest!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'number', minimum: 0, maximum: 1 },
    minItems: 16,
    maxItems: 16,
    example: [0.1, 0.9, 0.4, 0.7, 0.2, 0.8, 0.3, 0.6, 0.5, 0.5, 0.6, 0.3, 0.8, 0.2, 0.7, 0.4],
  })
  resonancePattern!: number[];
}

/** The sigil as the API returns it; `toSigilView` (sigil.mapper.ts) writes it field by field. */
@ApiSchema({ name: 'Sigil' })
export class SigilView {
  @ApiProperty({ pattern: '^sigil_[0-9A-HJKMNP-TV-Z]{26}$', maxLength: 32, example: EXAMPLE_ID }) id!: string;
  @ApiProperty({ pattern: '^[A-Za-z0-9._-]{1,64}$', maxLength: 64, example: 'acme' }) tenantId!: string;
  @ApiProperty({
    pattern: '^[0-9a-f]{8}$',
    maxLength: 8,
    description: 'Which signing secret signed it.',
    example: '3f9a1c2b',
  })
  kid!: string;
  @ApiProperty({
    pattern: '^[0-9a-f]{64}$',
    maxLength: 64,
    example: '5d41402abc4b2a76b9719d911017c592ae5b0a3f1c9e8d7f6a5b4c3d2e1f0a9b',
  })
  signature!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{16}$', maxLength: 16, example: '0a1b2c3d4e5f6a7b' }) authHash!: string;
  @ApiProperty({ type: DnaView }) dna!: DnaView;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The payload exactly as it was signed.',
    example: { invoice: 'INV-1001', amount: 42.5 },
  })
  data!: Record<string, unknown>;
  @ApiProperty({ type: ConsciousnessStateView }) consciousnessState!: ConsciousnessStateView;
  @ApiProperty({ type: MetadataView }) metadata!: MetadataView;
  @ApiProperty({ format: 'date-time', maxLength: 64, example: '2026-11-26T22:40:00.123Z' })
  createdAt!: string;
  @ApiProperty({
    description: 'The minting token’s `sub` (as long as a token within the 16 KiB header limit allows).',
    maxLength: 16_384,
    example: 'user-1',
  })
  createdBy!: string;
  @ApiProperty({ type: String, format: 'date-time', maxLength: 64, nullable: true, example: null })
  expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', maxLength: 64, nullable: true, example: null })
  revokedAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 16_384,
    description: 'The revoking token’s `sub`.',
    example: null,
  })
  revokedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 200, example: null }) revocationReason!:
    string | null;
  @ApiProperty({ type: 'integer', format: 'int32', enum: [1], minimum: 1, maximum: 1, example: 1 })
  version!: 1;
}

@ApiSchema({ name: 'SigilSummary', description: 'A sigil without its `data` (list items).' })
export class SigilSummaryView extends OmitType(SigilView, ['data'] as const) {}

@ApiSchema({ name: 'SigilList' })
export class SigilListView {
  @ApiProperty({ type: [SigilSummaryView], maxItems: 200 }) items!: SigilSummaryView[];
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 512,
    description: 'Pass as `cursor` for the next page; null on the last.',
    example: null,
  })
  nextCursor!: string | null;
}
