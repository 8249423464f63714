import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSchema,
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

@ApiSchema({ name: 'FieldError' })
export class FieldErrorView {
  @ApiProperty({ example: 'metadata.tags', description: 'The offending field, as a dotted path.' })
  field!: string;
  @ApiProperty({ example: 'tags must contain no more than 10 elements' }) message!: string;
}

/** RFC 9457 problem details, as every error of this API is returned. */
@ApiSchema({ name: 'Problem' })
export class ProblemView {
  @ApiProperty({
    example: 'urn:sigil-dna:problem:validation-failed',
    description: '`urn:sigil-dna:problem:` and the code in kebab case.',
    pattern: '^urn:sigil-dna:problem:[a-z-]+$',
    maxLength: 64,
  })
  type!: string;
  @ApiProperty({ example: 'Validation failed', maxLength: 64 }) title!: string;
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 400 })
  status!: number;
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
  @ApiProperty({ example: 'req-7f3c', maxLength: 128, description: 'Also the `X-Request-Id` header.' })
  requestId!: string;
  @ApiPropertyOptional({ type: [FieldErrorView], description: 'Present when specific fields are at fault.' })
  errors?: FieldErrorView[];
}

/** What each status means, unless an operation says otherwise. */
const DESCRIPTIONS = {
  400: 'Invalid request (a bad field, parameter, header or body, or a malformed URL): `errors` names each offending field',
  401: 'Missing or invalid bearer token (see WWW-Authenticate)',
  403: 'The token lacks the scope this operation needs (see WWW-Authenticate)',
  404: 'No such sigil in the caller’s tenant',
  409: 'Idempotency-Key reused with a different body',
  413: 'Body or data too large',
  414: 'A path segment is longer than the router accepts',
  415: 'The body is not JSON (Content-Type must be application/json)',
  429: 'Rate limit exceeded (see Retry-After)',
  500: 'A bug: quote the requestId when reporting it',
  503: 'Storage unavailable (see Retry-After)',
} as const;

/** Statuses with a documented problem body; ApiProblems takes only these. */
export type ProblemStatus = keyof typeof DESCRIPTIONS;

/**
 * Documents problem+json error responses for the given statuses; `[status, description]` says what
 * the status means for this operation where the common description does not fit. The example body
 * of each and the headers every problem carries are added once, by the app's OpenAPI document
 * builder (apps/sigil-api/src/openapi.ts), from the one problem table.
 */
export function ApiProblems(
  ...statuses: (ProblemStatus | [ProblemStatus, string])[]
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemView),
    ...statuses.map((entry) => {
      const [status, description] = typeof entry === 'number' ? [entry, DESCRIPTIONS[entry]] : entry;
      return ApiResponse({
        status,
        description,
        content: {
          [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemView) } },
        },
      });
    }),
  );
}
