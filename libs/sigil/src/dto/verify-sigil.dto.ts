import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsObject, IsString, MaxLength, MinLength } from 'class-validator';
import { OpaqueJson } from './opaque-json.js';
import { Optional } from './optional.validator.js';

@ApiSchema({ name: 'VerifySigilRequest' })
export class VerifySigilDto {
  @ApiProperty({ example: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P', minLength: 1, maxLength: 64 })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  id!: string;

  @ApiPropertyOptional({
    description: 'A signature the caller holds; compared in constant time (lowercase hex).',
    maxLength: 128,
    example: '5d41402abc4b2a76b9719d911017c592ae5b0a3f1c9e8d7f6a5b4c3d2e1f0a9b',
  })
  @Optional()
  @IsString()
  @MaxLength(128)
  signature?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Data the caller holds; its canonical digest is compared (key order does not matter).',
    example: { amount: 42.5, invoice: 'INV-1001' },
  })
  @OpaqueJson()
  @Optional()
  @IsObject()
  data?: Record<string, unknown>;
}

@ApiSchema({ name: 'VerifyResult' })
export class VerifyResultDto {
  @ApiProperty({ example: true }) valid!: boolean;
  @ApiProperty({
    enum: [
      'ok',
      'not_found',
      'unknown_key',
      'tampered',
      'signature_mismatch',
      'data_mismatch',
      'revoked',
      'expired',
    ],
    example: 'ok',
  })
  reason!: string;
  @ApiProperty({ maxLength: 64, example: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' }) sigilId!: string;
  @ApiProperty({ type: String, nullable: true, pattern: '^[0-9a-f]{8}$', maxLength: 8, example: '3f9a1c2b' })
  kid!: string | null;
  @ApiProperty({ format: 'date-time', maxLength: 64, example: '2026-11-26T22:40:00.123Z' })
  checkedAt!: string;
}
