import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { Optional } from './optional.validator.js';

@ApiSchema({ name: 'RevokeSigilRequest' })
export class RevokeSigilDto {
  @ApiPropertyOptional({ maxLength: 200, example: 'key compromise' })
  @Optional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}
