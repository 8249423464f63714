import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
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
import {
  MATCH_REQUEST_SCHEMA,
  MatchByPatternDto,
  MatchBySigilDto,
  MatchResultDto,
  MatchSigilsDto,
} from './dto/match-sigils.dto.js';
import { RevokeSigilDto } from './dto/revoke-sigil.dto.js';
import { toMatchResultView, toSigilListView, toSigilView, toVerifyResultView } from './dto/sigil.mapper.js';
import { SigilListView, SigilView } from './dto/sigil.response.js';
import { VerifyResultDto, VerifySigilDto } from './dto/verify-sigil.dto.js';
import { ApiProblems } from './http/problem.view.js';
import { SigilValidationError } from './domain/sigil.errors.js';
import { SigilService, type EncodeOutcome } from './sigil.service.js';

export const SIGILS_PATH = '/api/v1/sigils';

/**
 * A sigil id in a path. Any string up to the router's limit is accepted and simply not found unless
 * it names a sigil, so the schema bounds only the length (longer segments are a 414).
 */
const IdParam = () =>
  ApiParam({
    name: 'id',
    description: '`sigil_` and a ULID. Anything else is simply not found (404).',
    schema: { type: 'string', minLength: 1, maxLength: 200 },
    example: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P',
  });
export const IdempotencyHeader = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Same key and body from the same principal within 24 h return the same sigil (201 again, with ' +
      '`Idempotent-Replayed: true`); the same key with another body → 409.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
    example: '7c4a8d09-ca37-4e1c-9a5f-2b6f4f1f0c11',
  });

/** What a 201 from encode carries besides the body. */
export const CREATED_HEADERS = {
  Location: {
    description: 'Where the sigil lives: /api/v1/sigils/{id}.',
    required: true,
    schema: { type: 'string', maxLength: 64, example: '/api/v1/sigils/sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' },
  },
  'Idempotent-Replayed': {
    description: 'Present (`true`) when the Idempotency-Key replayed an earlier encode.',
    required: false,
    schema: { type: 'string', enum: ['true'] },
  },
};

/** The flows a minted sigil leads to: the stateful fuzzer and readers of the document follow these. */
const ENCODE_LINKS = {
  getSigil: {
    operationId: 'getSigil',
    parameters: { id: '$response.body#/id' },
    description: 'Decode the new sigil.',
  },
  verifySigil: {
    operationId: 'verifySigil',
    requestBody: { id: '$response.body#/id', signature: '$response.body#/signature' },
    description: 'Verify the new sigil against its signature.',
  },
  matchSigils: {
    operationId: 'matchSigils',
    requestBody: { sigilId: '$response.body#/id' },
    description: 'Find sigils that resonate like the new one.',
  },
  revokeSigil: {
    operationId: 'revokeSigil',
    parameters: { id: '$response.body#/id' },
    description: 'Revoke the new sigil.',
  },
  deleteSigil: {
    operationId: 'deleteSigil',
    parameters: { id: '$response.body#/id' },
    description: 'Erase the new sigil.',
  },
};

/** A minted (or replayed) sigil as a 201: where it lives, and whether the Idempotency-Key replayed it. */
export function created(reply: FastifyReply, { sigil, replayed }: EncodeOutcome): SigilView {
  void reply.header('location', `${SIGILS_PATH}/${sigil.id}`);
  if (replayed) void reply.header('idempotent-replayed', 'true');
  return toSigilView(sigil);
}

@ApiTags('sigils')
@ApiProblems(400, 401, 429, 500, 503)
@Controller()
export class SigilController {
  constructor(private readonly sigils: SigilService) {}

  @Post(SIGILS_PATH)
  @Scoped(SCOPES.write)
  @ApiOperation({ operationId: 'encodeSigil', summary: 'Mint a sigil', description: 'Scope: `sigil:write`.' })
  @IdempotencyHeader()
  @ApiCreatedResponse({
    type: SigilView,
    description: 'The new sigil (or the replayed one for a repeated Idempotency-Key).',
    headers: CREATED_HEADERS,
    links: ENCODE_LINKS,
  })
  @ApiProblems(400, 403, 409, 413, 415)
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
    operationId: 'listSigils',
    summary: 'List sigils, newest first',
    description:
      'Scope: `sigil:read`. Items omit `data`; pass `nextCursor` back as `cursor` for the next page.',
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
    operationId: 'verifySigil',
    summary: 'Verify a sigil',
    description:
      'Scope: `sigil:read`. Always 200 for a well-formed request; `reason` is the first failing check: ' +
      'not_found, unknown_key, tampered, signature_mismatch, data_mismatch, revoked, expired, else ok.',
  })
  @ApiOkResponse({ type: VerifyResultDto })
  @ApiProblems(400, 403, 413, 415)
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
    operationId: 'matchSigils',
    summary: 'Find sigils with similar resonance patterns',
    description:
      'Scope: `sigil:read`. Cosine similarity within the caller’s tenant; revoked sigils and the query sigil are excluded.',
  })
  @ApiExtraModels(MatchByPatternDto, MatchBySigilDto)
  @ApiBody({
    schema: MATCH_REQUEST_SCHEMA,
    description: 'Either `dnaPattern` or `sigilId`, not both.',
    examples: {
      byPattern: {
        summary: 'By pattern',
        value: {
          dnaPattern: [0.1, 0.9, 0.4, 0.7, 0.2, 0.8, 0.3, 0.6, 0.5, 0.5, 0.6, 0.3, 0.8, 0.2, 0.7, 0.4],
          topN: 5,
          threshold: 0.8,
        },
      },
      bySigil: { summary: 'Like a stored sigil', value: { sigilId: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' } },
    },
  })
  @ApiOkResponse({ type: MatchResultDto })
  @ApiProblems(400, 403, 404, 413, 415)
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
    operationId: 'getSigil',
    summary: 'Decode a sigil',
    description: 'Scope: `sigil:read`. Returns the sigil with its data.',
  })
  @IdParam()
  @ApiOkResponse({ type: SigilView })
  @ApiProblems(403, 404, 414)
  async decode(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<SigilView> {
    return toSigilView(await this.sigils.decode(principal.tenantId, id));
  }

  @Post(`${SIGILS_PATH}/:id/revoke`)
  @HttpCode(200)
  @Scoped(SCOPES.revoke)
  @ApiOperation({
    operationId: 'revokeSigil',
    summary: 'Revoke a sigil',
    description: 'Scope: `sigil:revoke`. Idempotent: revoking again returns it unchanged.',
  })
  @IdParam()
  @ApiBody({ type: RevokeSigilDto, required: false, description: 'May be left out, with its Content-Type.' })
  @ApiOkResponse({ type: SigilView })
  @ApiProblems(400, 403, 404, 413, 414, 415)
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
  @ApiOperation({
    operationId: 'deleteSigil',
    summary: 'Erase a sigil (hard delete)',
    description: 'Scope: `sigil:admin`. For erasure requests; revoke is the normal way to retire a sigil.',
  })
  @IdParam()
  @ApiNoContentResponse({ description: 'Erased' })
  // No body is expected, but Fastify parses one sent with DELETE: too large, or not JSON, is refused.
  @ApiProblems(403, 404, 413, 414, 415)
  async purge(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.sigils.purge(principal, id);
  }
}
