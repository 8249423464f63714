import { Body, Controller, Get, Headers, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SCOPES, Scoped } from '#auth';
import type { SigilRecord } from '#storage';
import { CurrentPrincipal, type Principal } from '#tenancy';
import { EncodeSigilDto } from './dto/encode-sigil.dto.js';
import { ListSigilsQuery } from './dto/list-sigils.query.js';
import { SigilListView, SigilView } from './dto/sigil.response.js';
import { ApiProblems } from './http/problem.view.js';
import { SigilController, SIGILS_PATH } from './sigil.controller.js';
import type { ListResult } from './sigil.types.js';

const LEGACY_PATH = '/api/consciousness/sigils';

/** The paths the first clients used. Same behaviour as /api/v1, flagged deprecated in docs and headers. */
@ApiTags('legacy')
@ApiProblems(401, 429, 503)
@Controller()
export class LegacySigilController {
  constructor(private readonly current: SigilController) {}

  @Post(LEGACY_PATH)
  @Scoped(SCOPES.write)
  @ApiOperation({
    summary: 'Mint a sigil (legacy path)',
    deprecated: true,
    description: `Use POST ${SIGILS_PATH}.`,
  })
  @ApiCreatedResponse({ type: SigilView })
  @ApiProblems(400, 403, 409, 413)
  encode(
    @CurrentPrincipal() principal: Principal,
    @Body() body: EncodeSigilDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SigilRecord> {
    deprecate(reply);
    return this.current.encode(principal, body, idempotencyKey, reply);
  }

  @Get(LEGACY_PATH)
  @Scoped(SCOPES.read)
  @ApiOperation({
    summary: 'List sigils (legacy path)',
    deprecated: true,
    description: `Use GET ${SIGILS_PATH}.`,
  })
  @ApiOkResponse({ type: SigilListView })
  @ApiProblems(400, 403)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSigilsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ListResult> {
    deprecate(reply);
    return this.current.list(principal, query);
  }
}

function deprecate(reply: FastifyReply): void {
  void reply.header('deprecation', 'true').header('link', `<${SIGILS_PATH}>; rel="successor-version"`);
}
