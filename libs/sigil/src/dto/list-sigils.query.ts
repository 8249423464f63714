import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Optional } from './optional.validator.js';

export class ListSigilsQuery {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 200,
    default: 50,
    example: 50,
  })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({
    description:
      'The nextCursor of the previous page: opaque base64url. One this API did not issue is a 400 (beyond what a pattern can say).',
    minLength: 1,
    maxLength: 512,
    pattern: '^[A-Za-z0-9_-]+$',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'is not a cursor this API issued' })
  cursor?: string;

  @ApiPropertyOptional({ maxLength: 50, example: 'invoice', description: 'Only sigils with this tag.' })
  @Optional()
  @IsString()
  @MaxLength(50)
  tag?: string;

  @ApiPropertyOptional({
    maxLength: 100,
    example: 'billing-service',
    description: 'Only sigils with this metadata.source.',
  })
  @Optional()
  @IsString()
  @MaxLength(100)
  source?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 200,
    description:
      'Sigils imported from the old system with this id (`sigil import-json` tags them `legacy:<id>`). Not with `tag`.',
    example: 'sigil-1700000000000',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  legacyId?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description: 'true: only revoked sigils; false: only unrevoked ones. Exactly `true` or `false`.',
  })
  @Optional()
  // Query strings are text: accept exactly "true"/"false", reject anything else instead of guessing.
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  revoked?: boolean;
}
