import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';

export class ConsciousnessStateView {
  @ApiProperty() phi!: number;
  @ApiProperty() coherence!: number;
  @ApiProperty() awareness!: number;
  @ApiPropertyOptional() resonance?: number;
}

export class MetadataView {
  @ApiPropertyOptional() source?: string;
  @ApiPropertyOptional() version?: string;
  @ApiPropertyOptional({ type: [String] }) tags?: string[];
}

export class DnaView {
  @ApiProperty({ pattern: '^sha256:[0-9a-f]{64}$' }) digest!: string;
  @ApiProperty({ type: [Number], minItems: 16, maxItems: 16 }) resonancePattern!: number[];
}

/** The sigil as the API returns it; `toSigilView` (sigil.mapper.ts) writes it field by field. */
export class SigilView {
  @ApiProperty({ pattern: '^sigil_[0-9A-HJKMNP-TV-Z]{26}$' }) id!: string;
  @ApiProperty() tenantId!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{8}$', description: 'Which signing secret signed it.' }) kid!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' }) signature!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{16}$' }) authHash!: string;
  @ApiProperty({ type: DnaView }) dna!: DnaView;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ type: ConsciousnessStateView }) consciousnessState!: ConsciousnessStateView;
  @ApiProperty({ type: MetadataView }) metadata!: MetadataView;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) revocationReason!: string | null;
  @ApiProperty({ enum: [1] }) version!: 1;
}

export class SigilSummaryView extends OmitType(SigilView, ['data'] as const) {}

export class SigilListView {
  @ApiProperty({ type: [SigilSummaryView] }) items!: SigilSummaryView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last.',
  })
  nextCursor!: string | null;
}
