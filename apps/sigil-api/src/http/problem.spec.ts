import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { BackupInProgressError, BackupsNotConfiguredError } from '#admin';
import { AuthenticationError, InsufficientScopeError, RateLimitedError } from '#auth';
import {
  DataTooLargeError,
  IdempotencyConflictError,
  SigilNotFoundError,
  SigilValidationError,
  StorageUnavailableError,
  UnsupportedStoreOperationError,
} from '#sigil';
import { JsonBodyError } from './json-body.parser.js';
import { PROBLEM_TYPES, problemFor, problemType } from './problem.js';

const RID = 'req-1';

describe('problemFor', () => {
  it.each([
    [new SigilValidationError([{ field: 'expiresAt', message: 'in the past' }]), 400, 'VALIDATION_FAILED'],
    [new SigilNotFoundError('sigil_x'), 404, 'NOT_FOUND'],
    [new IdempotencyConflictError(), 409, 'CONFLICT'],
    [new DataTooLargeError(70_000, 65_536), 413, 'PAYLOAD_TOO_LARGE'],
    [new AuthenticationError('expired'), 401, 'UNAUTHORIZED'],
    [new InsufficientScopeError('sigil:admin'), 403, 'FORBIDDEN'],
    [new RateLimitedError(7), 429, 'RATE_LIMITED'],
    [new JsonBodyError(400, 'body', 'nested deeper than 64'), 400, 'VALIDATION_FAILED'],
    [new JsonBodyError(413, 'body', 'more than 10000 keys'), 413, 'PAYLOAD_TOO_LARGE'],
    [new StorageUnavailableError('connect ECONNREFUSED 10.0.0.5:5432'), 503, 'STORAGE_UNAVAILABLE'],
    [new UnsupportedStoreOperationError('online backup', 'postgres', 'use sigil backup'), 409, 'CONFLICT'],
    [new BackupsNotConfiguredError(), 409, 'CONFLICT'],
    [new BackupInProgressError(), 409, 'CONFLICT'],
  ] as const)('maps %s to %i %s with the table title and the URN type', (error, status, code) => {
    const { problem, unexpected } = problemFor(error, RID);
    expect(unexpected).toBe(false);
    expect(problem).toMatchObject({
      status,
      code,
      title: PROBLEM_TYPES[code].title,
      type: `urn:sigil-dna:problem:${code.toLowerCase().replaceAll('_', '-')}`,
      requestId: RID,
    });
    expect(problem.detail.length).toBeGreaterThan(0);
  });

  it('names the offending field for validation and size errors', () => {
    expect(
      problemFor(new SigilValidationError([{ field: 'metadata.tags', message: 'too many' }]), RID).problem
        .errors,
    ).toEqual([{ field: 'metadata.tags', message: 'too many' }]);
    expect(problemFor(new DataTooLargeError(9, 8), RID).problem.errors).toEqual([
      { field: 'data', message: 'data is 9 bytes as canonical JSON; the limit is 8' },
    ]);
    expect(problemFor(new JsonBodyError(400, 'body', 'too deep'), RID).problem.errors).toEqual([
      { field: 'body', message: 'too deep' },
    ]);
  });

  it('sets the challenge and retry headers', () => {
    expect(problemFor(new AuthenticationError('missing_token'), RID).headers).toEqual({
      'www-authenticate': 'Bearer realm="sigil-dna"',
    });
    expect(problemFor(new AuthenticationError('expired'), RID).headers['www-authenticate']).toBe(
      'Bearer realm="sigil-dna", error="invalid_token", error_description="the token has expired"',
    );
    expect(problemFor(new InsufficientScopeError('sigil:revoke'), RID).headers['www-authenticate']).toBe(
      'Bearer realm="sigil-dna", error="insufficient_scope", scope="sigil:revoke"',
    );
    expect(problemFor(new RateLimitedError(7), RID).headers).toEqual({ 'retry-after': '7' });
    expect(problemFor(new StorageUnavailableError('down'), RID).headers).toEqual({ 'retry-after': '1' });
  });

  it("never tells the client a storage error's own message (hosts, paths)", () => {
    const { problem } = problemFor(new StorageUnavailableError('connect ECONNREFUSED 10.0.0.5:5432'), RID);
    expect(JSON.stringify(problem)).not.toContain('10.0.0.5');
  });

  it("maps Fastify's and Nest's own errors", () => {
    const fastify = Object.assign(new Error('x'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    expect(problemFor(fastify, RID).problem).toMatchObject({
      status: 415,
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'content-type', message: 'Content-Type must be application/json' }],
    });
    const wrapped = new BadRequestException('bad', {
      cause: Object.assign(new Error('y'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
    });
    expect(problemFor(wrapped, RID).problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(problemFor(new NotFoundException(), RID).problem).toMatchObject({
      status: 404,
      detail: 'no such route',
    });
  });

  it('answers anything else with a generic 500 and flags it for the log', () => {
    const { problem, unexpected } = problemFor(new TypeError('secret internals at /srv/app.js:12'), RID);
    expect(unexpected).toBe(true);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', type: problemType('INTERNAL') });
    expect(JSON.stringify(problem)).not.toContain('/srv/app.js');
  });

  it('does not take a foreign error for a domain error because its code looks alike', () => {
    const lookalike = Object.assign(new Error('from a library'), { code: 'NOT_FOUND' });
    expect(problemFor(lookalike, RID)).toMatchObject({ unexpected: true, problem: { status: 500 } });
  });
});
