import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

export class MatchSigilsDto {
  @ApiPropertyOptional({ type: [Number], minItems: 16, maxItems: 16, description: 'Give this or sigilId.' })
  @ValidateIf((o: MatchSigilsDto) => o.sigilId === undefined || o.dnaPattern !== undefined)
  @IsArray()
  @ArrayMinSize(16)
  @ArrayMaxSize(16)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  @Min(0, { each: true })
  @Max(1, { each: true })
  dnaPattern?: number[];

  @ApiPropertyOptional({ description: 'Match against this sigil’s pattern. Give this or dnaPattern.' })
  @ValidateIf((o: MatchSigilsDto) => o.dnaPattern === undefined || o.sigilId !== undefined)
  @IsString()
  @MaxLength(64)
  sigilId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  topN: number = 10;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: 0.5 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  threshold: number = 0.5;
}

export class MatchEntryDto {
  @ApiProperty() sigilId!: string;
  @ApiProperty({ minimum: -1, maximum: 1 }) similarity!: number;
}

export class MatchResultDto {
  @ApiProperty({ type: [MatchEntryDto] }) matches!: MatchEntryDto[];
}
