import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class RevokeSigilDto {
  @ApiPropertyOptional({ maxLength: 200, example: 'key compromise' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}
