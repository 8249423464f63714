import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class VerifySigilDto {
  @ApiProperty({ example: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  id!: string;

  @ApiPropertyOptional({
    description: 'A signature the caller holds; compared in constant time.',
    maxLength: 128,
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  signature?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Data the caller holds; its digest is compared.',
  })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

export class VerifyResultDto {
  @ApiProperty() valid!: boolean;
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
  })
  reason!: string;
  @ApiProperty() sigilId!: string;
  @ApiProperty({ type: String, nullable: true }) kid!: string | null;
  @ApiProperty({ format: 'date-time' }) checkedAt!: string;
}
