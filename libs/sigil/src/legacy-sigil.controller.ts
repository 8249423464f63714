import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SCOPES, Scoped } from '#auth';
import { CurrentPrincipal, type Principal } from '#tenancy';
import { EncodeSigilDto } from './dto/encode-sigil.dto.js';
import { ListSigilsQuery } from './dto/list-sigils.query.js';
import { toSigilListView } from './dto/sigil.mapper.js';
import { SigilListView, SigilView } from './dto/sigil.response.js';
import { ApiProblems } from './http/problem.view.js';
import { CREATED_HEADERS, created, IdempotencyHeader, SIGILS_PATH } from './sigil.controller.js';
import { SigilService } from './sigil.service.js';

const LEGACY_PATH = '/api/consciousness/sigils';

/** What every legacy answer carries. */
const DEPRECATION_HEADERS = {
  Deprecation: { description: 'Always `true`.', required: true, schema: { type: 'string', enum: ['true'] } },
  Link: {
    description: 'The successor: `</api/v1/sigils>; rel="successor-version"`.',
    required: true,
    schema: { type: 'string', maxLength: 128 },
  },
};

/** The paths the first clients used. Same behaviour as /api/v1, flagged deprecated in docs and headers. */
@ApiTags('legacy')
@ApiProblems(400, 401, 429, 500, 503)
@Controller()
export class LegacySigilController {
  constructor(private readonly sigils: SigilService) {}

  @Post(LEGACY_PATH)
  @Scoped(SCOPES.write)
  @ApiOperation({
    operationId: 'legacyEncodeSigil',
    summary: 'Mint a sigil (legacy path)',
    deprecated: true,
    description: `Use POST ${SIGILS_PATH}.`,
  })
  @IdempotencyHeader()
  @ApiCreatedResponse({ type: SigilView, headers: { ...CREATED_HEADERS, ...DEPRECATION_HEADERS } })
  @ApiProblems(400, 403, 409, 413, 415)
  async encode(
    @CurrentPrincipal() principal: Principal,
    @Body() body: EncodeSigilDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SigilView> {
    deprecate(reply);
    return created(reply, await this.sigils.encode(principal, body, idempotencyKey));
  }

  @Get(LEGACY_PATH)
  @Scoped(SCOPES.read)
  @ApiOperation({
    operationId: 'legacyListSigils',
    summary: 'List sigils (legacy path)',
    deprecated: true,
    description: `Use GET ${SIGILS_PATH}.`,
  })
  @ApiOkResponse({ type: SigilListView, headers: DEPRECATION_HEADERS })
  @ApiProblems(400, 403)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSigilsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SigilListView> {
    deprecate(reply);
    return toSigilListView(await this.sigils.list(principal.tenantId, query));
  }
}

function deprecate(reply: FastifyReply): void {
  void reply.header('deprecation', 'true').header('link', `<${SIGILS_PATH}>; rel="successor-version"`);
}
