import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { Optional } from './optional.validator.js';

const PATTERN_DOC = {
  type: 'array',
  items: { type: 'number', minimum: 0, maximum: 1 },
  minItems: 16,
  maxItems: 16,
  description: 'A resonance pattern: exactly 16 numbers in [0, 1].',
  example: [0.1, 0.9, 0.4, 0.7, 0.2, 0.8, 0.3, 0.6, 0.5, 0.5, 0.6, 0.3, 0.8, 0.2, 0.7, 0.4],
} as const;
const SIGIL_ID_DOC = {
  minLength: 1,
  maxLength: 64,
  description: 'Match against this sigil’s pattern (404 when it is not in the caller’s tenant).',
  example: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P',
} as const;

/** What both forms of a match request share. */
class MatchOptionsDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 100,
    default: 10,
    example: 10,
  })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(100)
  topN: number = 10;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 0.5, example: 0.5 })
  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  threshold: number = 0.5;
}

/** The document's first form of a match request: by pattern. */
@ApiSchema({ name: 'MatchByPatternRequest' })
export class MatchByPatternDto extends MatchOptionsDto {
  @ApiProperty(PATTERN_DOC) dnaPattern!: number[];
}

/** The document's second form: by the pattern of a stored sigil. */
@ApiSchema({ name: 'MatchBySigilRequest' })
export class MatchBySigilDto extends MatchOptionsDto {
  @ApiProperty(SIGIL_ID_DOC) sigilId!: string;
}

/** The request body schema: exactly one of the two forms (both fields, or neither, is a 400). */
export const MATCH_REQUEST_SCHEMA = {
  oneOf: [{ $ref: getSchemaPath(MatchByPatternDto) }, { $ref: getSchemaPath(MatchBySigilDto) }],
};

/**
 * What the server validates: both fields optional here, and the controller refuses both at once.
 * Documented as MATCH_REQUEST_SCHEMA (a oneOf), which says the same for generated clients.
 */
export class MatchSigilsDto extends MatchOptionsDto {
  @ValidateIf((o: MatchSigilsDto) => o.sigilId === undefined || o.dnaPattern !== undefined)
  @IsArray()
  @ArrayMinSize(16)
  @ArrayMaxSize(16)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  @Min(0, { each: true })
  @Max(1, { each: true })
  dnaPattern?: number[];

  @ValidateIf((o: MatchSigilsDto) => o.dnaPattern === undefined || o.sigilId !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  sigilId?: string;
}

@ApiSchema({ name: 'MatchEntry' })
export class MatchEntryDto {
  @ApiProperty({ maxLength: 64, example: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' }) sigilId!: string;
  @ApiProperty({ minimum: -1, maximum: 1, example: 0.97 }) similarity!: number;
}

@ApiSchema({ name: 'MatchResult' })
export class MatchResultDto {
  @ApiProperty({ type: [MatchEntryDto], maxItems: 100 }) matches!: MatchEntryDto[];
}
