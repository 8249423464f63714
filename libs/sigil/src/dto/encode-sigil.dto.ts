import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsISO8601,
  IsNumber,
  IsObject,
  IsSemVer,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsNonEmptyObject } from './non-empty-object.validator.js';
import { OpaqueJson } from './opaque-json.js';
import { Optional } from './optional.validator.js';

/**
 * class-validator's IsSemVer (validator.js), as a JSON Schema pattern: ASCII digits instead of `\d`
 * and both letter cases instead of its `i` flag, so a schema-driven client or fuzzer generates only
 * versions the server accepts.
 */
export const SEMVER_PATTERN =
  '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)' +
  '(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
  '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';

@ApiSchema({ name: 'ConsciousnessStateInput' })
export class ConsciousnessStateDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 1.618033988749895, example: 1.618033988749895 })
  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(10)
  phi?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 0.5, example: 0.5 })
  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  coherence?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 0.5, example: 0.5 })
  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  awareness?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Stored only when given.' })
  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  resonance?: number;
}

@ApiSchema({ name: 'SigilMetadataInput' })
export class SigilMetadataDto {
  @ApiPropertyOptional({ maxLength: 100, example: 'billing-service' })
  @Optional()
  @IsString()
  @MaxLength(100)
  source?: string;

  @ApiPropertyOptional({
    description: 'Semantic version (semver.org 2.0.0)',
    maxLength: 256,
    pattern: SEMVER_PATTERN,
    example: '1.2.0',
  })
  @Optional()
  @IsSemVer()
  @MaxLength(256)
  version?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: 50 },
    maxItems: 10,
    example: ['invoice'],
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
}

@ApiSchema({ name: 'EncodeSigilRequest' })
export class EncodeSigilDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    minProperties: 1,
    description:
      'Any JSON object with at least one key; its RFC 8785 canonical form is limited to SIGIL_MAX_DATA_BYTES (413 beyond).',
    example: { invoice: 'INV-1001', amount: 42.5 },
  })
  @OpaqueJson()
  @IsObject()
  @IsNonEmptyObject()
  data!: Record<string, unknown>;

  @ApiPropertyOptional({ type: ConsciousnessStateDto })
  @Optional()
  @ValidateNested()
  @Type(() => ConsciousnessStateDto)
  consciousnessState?: ConsciousnessStateDto;

  @ApiPropertyOptional({ type: SigilMetadataDto })
  @Optional()
  @ValidateNested()
  @Type(() => SigilMetadataDto)
  metadata?: SigilMetadataDto;

  @ApiPropertyOptional({
    format: 'date-time',
    maxLength: 64,
    description:
      'A future time after which verify answers `expired` (a time already past is a 400: the schema cannot say "future").',
    example: '2030-01-01T00:00:00.000Z',
  })
  @Optional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @MaxLength(64)
  expiresAt?: string;
}
