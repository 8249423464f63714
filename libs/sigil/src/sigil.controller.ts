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
import type { SigilRecord } from '#storage';
import { CurrentPrincipal, type Principal } from '#tenancy';
import { EncodeSigilDto } from './dto/encode-sigil.dto.js';
import { ListSigilsQuery } from './dto/list-sigils.query.js';
import { MatchResultDto, MatchSigilsDto } from './dto/match-sigils.dto.js';
import { RevokeSigilDto } from './dto/revoke-sigil.dto.js';
import { KeyStatusView, SigilListView, SigilView } from './dto/sigil.response.js';
import { VerifyResultDto, VerifySigilDto } from './dto/verify-sigil.dto.js';
import { ApiProblems } from './http/problem.view.js';
import { SigilValidationError } from './sigil.errors.js';
import { SigilService } from './sigil.service.js';
import type { ListResult, MatchResult, VerifyResult } from './sigil.types.js';
import type { KeyRingStatus } from './dna/key-ring.js';

export const SIGILS_PATH = '/api/v1/sigils';
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

const IdParam = () => ApiParam({ name: 'id', example: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' });
const IdempotencyHeader = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Same key and body from the same principal within 24 h return the same sigil; another body → 409.',
  });

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
  ): Promise<SigilRecord> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new SigilValidationError([
        { field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' },
      ]);
    }
    const { sigil, replayed } = await this.sigils.encode(principal, body, idempotencyKey);
    void reply.header('location', `${SIGILS_PATH}/${sigil.id}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return sigil;
  }

  @Get(SIGILS_PATH)
  @Scoped(SCOPES.read)
  @ApiOperation({
    summary: 'List sigils, newest first',
    description: 'Scope: `sigil:read`. Items omit `data`.',
  })
  @ApiOkResponse({ type: SigilListView })
  @ApiProblems(400, 403)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListSigilsQuery): Promise<ListResult> {
    return this.sigils.list(principal.tenantId, query);
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
  verify(@CurrentPrincipal() principal: Principal, @Body() body: VerifySigilDto): Promise<VerifyResult> {
    return this.sigils.verify(principal.tenantId, body);
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
  match(@CurrentPrincipal() principal: Principal, @Body() body: MatchSigilsDto): Promise<MatchResult> {
    if (body.dnaPattern !== undefined && body.sigilId !== undefined) {
      throw new SigilValidationError([
        { field: 'dnaPattern', message: 'give dnaPattern or sigilId, not both' },
      ]);
    }
    return this.sigils.match(principal.tenantId, body as Parameters<SigilService['match']>[1]);
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
  decode(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<SigilRecord> {
    return this.sigils.decode(principal.tenantId, id);
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
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    // Not `RevokeSigilDto | undefined`: a union erases the type metadata validation needs. A missing body
    // arrives as {} (ValidationPipe), so `reason` is simply absent.
    @Body() body: RevokeSigilDto,
  ): Promise<SigilRecord> {
    return this.sigils.revoke(principal, id, body.reason ?? null);
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

  @Get('/api/v1/keys')
  @Scoped(SCOPES.admin)
  @ApiTags('keys')
  @ApiOperation({
    summary: 'Key ring status',
    description: 'Scope: `sigil:admin`. Kids only; secrets never leave the process.',
  })
  @ApiOkResponse({ type: KeyStatusView })
  @ApiProblems(403)
  keys(): KeyRingStatus {
    return this.sigils.keyStatus();
  }
}
