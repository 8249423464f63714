import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsSemVer,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsNonEmptyObject } from './non-empty-object.validator.js';

export class ConsciousnessStateDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 1.618033988749895 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10)
  phi?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 0.5 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  coherence?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 0.5 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  awareness?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Stored only when given.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  resonance?: number;
}

export class SigilMetadataDto {
  @ApiPropertyOptional({ maxLength: 100, example: 'billing-service' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  source?: string;

  @ApiPropertyOptional({ description: 'Semantic version', example: '1.2.0' })
  @IsOptional()
  @IsSemVer()
  version?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 10, example: ['invoice'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
}

export class EncodeSigilDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Any JSON object with at least one key; its RFC 8785 canonical form is limited to SIGIL_MAX_DATA_BYTES.',
    example: { invoice: 'INV-1001', amount: 42.5 },
  })
  @IsObject()
  @IsNonEmptyObject()
  data!: Record<string, unknown>;

  @ApiPropertyOptional({ type: ConsciousnessStateDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConsciousnessStateDto)
  consciousnessState?: ConsciousnessStateDto;

  @ApiPropertyOptional({ type: SigilMetadataDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SigilMetadataDto)
  metadata?: SigilMetadataDto;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'A future time after which verify answers `expired`.',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;
}
