import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SCOPES, Scoped } from '#auth';
import { CurrentPrincipal, type Principal } from '#tenancy';
import { EncodeSigilDto } from './dto/encode-sigil.dto.js';
import { ListSigilsQuery } from './dto/list-sigils.query.js';
import { MatchResultDto, MatchSigilsDto } from './dto/match-sigils.dto.js';
import { RevokeSigilDto } from './dto/revoke-sigil.dto.js';
import { toMatchResultView, toSigilListView, toSigilView, toVerifyResultView } from './dto/sigil.mapper.js';
import { SigilListView, SigilView } from './dto/sigil.response.js';
import { VerifyResultDto, VerifySigilDto } from './dto/verify-sigil.dto.js';
import { ApiProblems } from './http/problem.view.js';
import { SigilValidationError } from './domain/sigil.errors.js';
import { SigilService, type EncodeOutcome } from './sigil.service.js';

export const SIGILS_PATH = '/api/v1/sigils';

const IdParam = () => ApiParam({ name: 'id', example: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' });
const IdempotencyHeader = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Same key and body from the same principal within 24 h return the same sigil; another body → 409.',
  });

/** A minted (or replayed) sigil as a 201: where it lives, and whether the Idempotency-Key replayed it. */
export function created(reply: FastifyReply, { sigil, replayed }: EncodeOutcome): SigilView {
  void reply.header('location', `${SIGILS_PATH}/${sigil.id}`);
  if (replayed) void reply.header('idempotent-replayed', 'true');
  return toSigilView(sigil);
}

@ApiTags('sigils')
@ApiProblems(401, 429, 503)
@Controller()
export class SigilController {
  constructor(private readonly sigils: SigilService) {}

  @Post(SIGILS_PATH)
  @Scoped(SCOPES.write)
  @ApiOperation({ summary: 'Mint a sigil', description: 'Scope: `sigil:write`.' })
  @IdempotencyHeader()
  @ApiCreatedResponse({
    type: SigilView,
    description: 'The new sigil (or the replayed one for a repeated Idempotency-Key).',
  })
  @ApiProblems(400, 403, 409, 413)
  async encode(
    @CurrentPrincipal() principal: Principal,
    @Body() body: EncodeSigilDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SigilView> {
    return created(reply, await this.sigils.encode(principal, body, idempotencyKey));
  }

  @Get(SIGILS_PATH)
  @Scoped(SCOPES.read)
  @ApiOperation({
    summary: 'List sigils, newest first',
    description: 'Scope: `sigil:read`. Items omit `data`.',
  })
  @ApiOkResponse({ type: SigilListView })
  @ApiProblems(400, 403)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSigilsQuery,
  ): Promise<SigilListView> {
    return toSigilListView(await this.sigils.list(principal.tenantId, query));
  }

  @Post(`${SIGILS_PATH}/verify`)
  @HttpCode(200)
  @Scoped(SCOPES.read)
  @ApiOperation({
    summary: 'Verify a sigil',
    description:
      'Scope: `sigil:read`. Always 200 for a well-formed request; `reason` is the first failing check: ' +
      'not_found, unknown_key, tampered, signature_mismatch, data_mismatch, revoked, expired, else ok.',
  })
  @ApiOkResponse({ type: VerifyResultDto })
  @ApiProblems(400, 403)
  async verify(
    @CurrentPrincipal() principal: Principal,
    @Body() body: VerifySigilDto,
  ): Promise<VerifyResultDto> {
    return toVerifyResultView(await this.sigils.verify(principal.tenantId, body));
  }

  @Post(`${SIGILS_PATH}/match`)
  @HttpCode(200)
  @Scoped(SCOPES.read)
  @ApiOperation({
    summary: 'Find sigils with similar resonance patterns',
    description:
      'Scope: `sigil:read`. Cosine similarity within the caller’s tenant; revoked sigils and the query sigil are excluded.',
  })
  @ApiOkResponse({ type: MatchResultDto })
  @ApiProblems(400, 403, 404)
  async match(
    @CurrentPrincipal() principal: Principal,
    @Body() body: MatchSigilsDto,
  ): Promise<MatchResultDto> {
    if (body.dnaPattern !== undefined && body.sigilId !== undefined) {
      throw new SigilValidationError([
        { field: 'dnaPattern', message: 'give dnaPattern or sigilId, not both' },
      ]);
    }
    return toMatchResultView(
      await this.sigils.match(principal.tenantId, body as Parameters<SigilService['match']>[1]),
    );
  }

  @Get(`${SIGILS_PATH}/:id`)
  @Scoped(SCOPES.read)
  @ApiOperation({
    summary: 'Decode a sigil',
    description: 'Scope: `sigil:read`. Returns the sigil with its data.',
  })
  @IdParam()
  @ApiOkResponse({ type: SigilView })
  @ApiProblems(403, 404)
  async decode(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<SigilView> {
    return toSigilView(await this.sigils.decode(principal.tenantId, id));
  }

  @Post(`${SIGILS_PATH}/:id/revoke`)
  @HttpCode(200)
  @Scoped(SCOPES.revoke)
  @ApiOperation({
    summary: 'Revoke a sigil',
    description: 'Scope: `sigil:revoke`. Idempotent: revoking again returns it unchanged.',
  })
  @IdParam()
  @ApiOkResponse({ type: SigilView })
  @ApiProblems(400, 403, 404)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    // Not `RevokeSigilDto | undefined`: a union erases the type metadata validation needs. A missing body
    // arrives as {} (ValidationPipe), so `reason` is simply absent.
    @Body() body: RevokeSigilDto,
  ): Promise<SigilView> {
    return toSigilView(await this.sigils.revoke(principal, id, body.reason ?? null));
  }

  @Delete(`${SIGILS_PATH}/:id`)
  @HttpCode(204)
  @Scoped(SCOPES.admin)
  @ApiOperation({ summary: 'Erase a sigil (hard delete)', description: 'Scope: `sigil:admin`.' })
  @IdParam()
  @ApiNoContentResponse({ description: 'Erased' })
  @ApiProblems(403, 404)
  async purge(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.sigils.purge(principal, id);
  }
}
