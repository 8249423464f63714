import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export type ProblemCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'STORAGE_UNAVAILABLE'
  | 'INTERNAL';

export class FieldErrorView {
  @ApiProperty({ example: 'metadata.tags' }) field!: string;
  @ApiProperty({ example: 'tags must contain no more than 10 elements' }) message!: string;
}

/** RFC 9457 problem details, as every error of this API is returned. */
export class ProblemView {
  @ApiProperty({
    example: 'urn:sigil-dna:problem:validation-failed',
    description: '`urn:sigil-dna:problem:` and the code in kebab case.',
  })
  type!: string;
  @ApiProperty({ example: 'Validation failed' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'metadata.tags: tags must contain no more than 10 elements' }) detail!: string;
  @ApiProperty({
    enum: [
      'UNAUTHORIZED',
      'FORBIDDEN',
      'VALIDATION_FAILED',
      'NOT_FOUND',
      'CONFLICT',
      'PAYLOAD_TOO_LARGE',
      'RATE_LIMITED',
      'STORAGE_UNAVAILABLE',
      'INTERNAL',
    ],
  })
  code!: ProblemCode;
  @ApiProperty({ example: 'req-7f3c' }) requestId!: string;
  @ApiPropertyOptional({ type: [FieldErrorView] }) errors?: FieldErrorView[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `errors` names each offending field',
  401: 'Missing or invalid bearer token (see WWW-Authenticate)',
  403: 'The token lacks the scope this operation needs',
  404: 'No such sigil in the caller’s tenant',
  409: 'Idempotency-Key reused with a different body',
  413: 'Body or data too large',
  429: 'Rate limit exceeded (see Retry-After)',
  503: 'Storage unavailable',
};

/**
 * Documents problem+json error responses for the given statuses; `[status, description]` says what
 * the status means for this operation where the common description does not fit.
 */
export function ApiProblems(...statuses: (number | [number, string])[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemView),
    ...statuses.map((entry) => {
      const [status, description] = typeof entry === 'number' ? [entry, DESCRIPTIONS[entry]] : entry;
      return ApiResponse({
        status,
        description: description ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemView) } } },
      });
    }),
  );
}
