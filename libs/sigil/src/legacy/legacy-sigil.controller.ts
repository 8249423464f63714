import { Body, Controller, Get, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SCOPES, Scoped } from '#auth';
import { CurrentPrincipal, type Principal } from '#tenancy';
import { SigilValidationError } from '../domain/sigil.errors.js';
import { ApiProblems } from '../http/problem.view.js';
import { CREATED_HEADERS, IdempotencyHeader, SIGILS_PATH } from '../sigil.controller.js';
import { SigilService } from '../sigil.service.js';
import { LEGACY_PATH, LEGACY_RECENT, LEGACY_SERVER_MEMBERS, LEGACY_V1_MEMBER } from './legacy.paths.js';
import { LegacyCreatedView, LegacyListView, toLegacySigil } from './legacy-sigil.view.js';

/** What every legacy answer carries (see LegacyDeprecation). */
const DEPRECATION_HEADERS = {
  Deprecation: {
    description: 'RFC 9745: when the path was deprecated, as `@<epoch seconds>`.',
    required: true,
    schema: { type: 'string', pattern: '^@[0-9]+$', maxLength: 24, example: '@1796083200' },
  },
  Sunset: {
    description: 'RFC 8594: when the path goes away (SIGIL_LEGACY_SUNSET), an HTTP date.',
    required: true,
    schema: { type: 'string', maxLength: 64, example: 'Fri, 31 Dec 2027 00:00:00 GMT' },
  },
  Link: {
    description: 'The successor: `</api/v1/sigils>; rel="successor-version"`.',
    required: true,
    schema: { type: 'string', maxLength: 128 },
  },
};

const DEPRECATED =
  'Deprecated: answers carry `Deprecation`, `Sunset` (SIGIL_LEGACY_SUNSET) and ' +
  '`Link: </api/v1/sigils>; rel="successor-version"`. Same authentication, scopes, tenancy and limits as v1.';

/**
 * The old system's wire format, for clients that have not moved to /api/v1 yet (docs/api.md#legacy).
 * The rules are v1's, through the same service: only the shapes differ.
 */
@ApiTags('legacy')
@ApiProblems(400, 401, 429, 500, 503)
@Controller()
export class LegacySigilController {
  constructor(private readonly sigils: SigilService) {}

  @Post(LEGACY_PATH)
  // 200, not 201: the old system answered 200, and its clients check for exactly that.
  @HttpCode(200)
  @Scoped(SCOPES.write)
  @ApiOperation({
    operationId: 'legacyEncodeSigil',
    summary: 'Mint a sigil from any JSON object (legacy format)',
    deprecated: true,
    description:
      `Scope: \`sigil:write\`. Every member of the body but \`id\` and \`timestamp\` (the server's, as before) ` +
      `becomes the sigil's \`data\`; \`v1\` is reserved. ${DEPRECATED} Use POST ${SIGILS_PATH}.`,
  })
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: true,
      // `v1` is where the answer puts the v1 fields; a body may not bring its own.
      not: { required: [LEGACY_V1_MEMBER] },
      example: { name: 'aurora', level: 3 },
    },
  })
  @IdempotencyHeader()
  @ApiOkResponse({ type: LegacyCreatedView, headers: { ...CREATED_HEADERS, ...DEPRECATION_HEADERS } })
  @ApiProblems(403, 409, 413, 415)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LegacyCreatedView> {
    const { sigil, replayed } = await this.sigils.encode(
      principal,
      { data: legacyData(body) },
      idempotencyKey,
    );
    void reply.header('location', `${SIGILS_PATH}/${sigil.id}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return { success: true, sigil: toLegacySigil(sigil, SIGILS_PATH) };
  }

  @Get(LEGACY_PATH)
  @Scoped(SCOPES.read)
  @ApiOperation({
    operationId: 'legacyListSigils',
    summary: 'The newest sigils and the count (legacy format)',
    deprecated: true,
    description: `Scope: \`sigil:read\`. The tenant's newest ${LEGACY_RECENT}, newest first. ${DEPRECATED} Use GET ${SIGILS_PATH}.`,
  })
  @ApiOkResponse({ type: LegacyListView, headers: DEPRECATION_HEADERS })
  @ApiProblems(403)
  async list(@CurrentPrincipal() principal: Principal): Promise<LegacyListView> {
    const { items, total } = await this.sigils.recent(principal.tenantId, LEGACY_RECENT);
    const sigils = items.map((sigil) => toLegacySigil(sigil, SIGILS_PATH));
    return { sigils, total, currentIdentity: sigils[0] ?? null };
  }
}

/** The body's members as the sigil's data: any JSON object, less what the server sets. */
function legacyData(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SigilValidationError([{ field: 'body', message: 'must be a JSON object' }]);
  }
  const members = body as Record<string, unknown>;
  if (LEGACY_V1_MEMBER in members) {
    throw new SigilValidationError([
      { field: LEGACY_V1_MEMBER, message: 'is reserved: the answer carries the v1 fields there' },
    ]);
  }
  const data = { ...members };
  for (const name of LEGACY_SERVER_MEMBERS) delete data[name];
  return data;
}
