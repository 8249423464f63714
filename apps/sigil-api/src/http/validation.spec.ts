import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsObject, IsString, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { OpaqueJson, SigilValidationError } from '#sigil';
import { DtoValidationPipe } from './validation.js';

/** Optional the way the API's DTOs mean it: absent is fine, null is validated (and refused). */
const Optional = () => ValidateIf((_o: object, v: unknown) => v !== undefined);

class MetadataDto {
  @Optional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];
}

class EncodeSigilDto {
  @OpaqueJson()
  @IsObject()
  data!: Record<string, unknown>;

  @Optional()
  @ValidateNested()
  @Type(() => MetadataDto)
  metadata?: MetadataDto;
}

class VerifySigilDto {
  @IsString()
  @MaxLength(64)
  id!: string;

  @OpaqueJson()
  @Optional()
  @IsObject()
  data?: Record<string, unknown>;
}

class StampedEncodeDto extends EncodeSigilDto {
  @Optional()
  @IsString()
  stamp?: string;
}

class RevokeSigilDto {
  @Optional()
  @IsString()
  reason?: string;
}

const pipe = new DtoValidationPipe();
const body = (metatype: unknown) => ({ type: 'body' as const, metatype: metatype as never, data: undefined });

function refusal(run: () => unknown): { field: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SigilValidationError);
    return (error as SigilValidationError).errors;
  }
  throw new Error('expected a validation error');
}

describe('DtoValidationPipe', () => {
  it('turns a valid body into an instance of its DTO', () => {
    const out = pipe.transform({ id: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' }, body(VerifySigilDto));
    expect(out).toBeInstanceOf(VerifySigilDto);
    expect(out).toEqual({ id: 'sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P' });
  });

  it('names every failing field by its path, unknown fields included', () => {
    const errors = refusal(() =>
      pipe.transform({ data: { a: 1 }, metadata: { tags: [1] }, extra: true }, body(EncodeSigilDto)),
    );
    expect(errors.map((e) => e.field).sort()).toEqual(['extra', 'metadata.tags']);
  });

  it('refuses null where a member is optional (absent or of its type, never null)', () => {
    expect(refusal(() => pipe.transform({ id: 'x', data: null }, body(VerifySigilDto)))[0].field).toBe(
      'data',
    );
  });

  it('validates an absent body as an empty one', () => {
    expect(pipe.transform(undefined, body(RevokeSigilDto))).toBeInstanceOf(RevokeSigilDto);
    expect(refusal(() => pipe.transform(undefined, body(VerifySigilDto)))[0].field).toBe('id');
  });

  it('refuses a body that is not an object, and a __proto__ member', () => {
    expect(refusal(() => pipe.transform('text', body(VerifySigilDto)))[0].field).toBe('body');
    expect(refusal(() => pipe.transform([{ id: 'x' }], body(VerifySigilDto)))[0].field).toBe('body');
    const poisoned = JSON.parse('{"id":"x","__proto__":{"admin":true}}') as object;
    expect(refusal(() => pipe.transform(poisoned, body(VerifySigilDto)))[0].field).toBe('__proto__');
  });

  it('hands @OpaqueJson() members over as parsed, still validated, and converts the rest', () => {
    const data = { nested: { list: [1, { deep: true }] }, n: -0 };
    const out = pipe.transform({ data, metadata: { tags: ['a'] } }, body(EncodeSigilDto)) as EncodeSigilDto;
    expect(out).toBeInstanceOf(EncodeSigilDto);
    expect(out.data).toBe(data);
    expect(out.metadata).toBeInstanceOf(MetadataDto);
    expect(out.metadata).toEqual({ tags: ['a'] });
    // Inherited, and validated like any member.
    const stamped = pipe.transform({ data, stamp: 's' }, body(StampedEncodeDto)) as StampedEncodeDto;
    expect(stamped.data).toBe(data);
    const errors = refusal(() => pipe.transform({ data: 'text', stamp: 1 }, body(StampedEncodeDto)));
    expect(errors.sort((a, b) => a.field.localeCompare(b.field))).toEqual([
      { field: 'data', message: 'must be an object' },
      { field: 'stamp', message: 'must be a string' },
    ]);
    expect(refusal(() => pipe.transform({ id: 'x', data: [1] }, body(VerifySigilDto)))[0].field).toBe('data');
    // Absent stays absent.
    expect(Object.keys(pipe.transform({ id: 'x' }, body(VerifySigilDto)) as object)).toEqual(['id']);
    expect(Object.keys(pipe.transform({ data, id: 'x' }, body(VerifySigilDto)) as object)).toEqual([
      'data',
      'id',
    ]);
  });

  it('passes primitives, plain objects and custom decorators through untouched', () => {
    const principal = { sub: 'u' };
    expect(pipe.transform(principal, { type: 'custom', metatype: Object, data: undefined })).toBe(principal);
    expect(pipe.transform('sigil_x', { type: 'param', metatype: String, data: 'id' })).toBe('sigil_x');
    expect(pipe.transform(undefined, { type: 'body', metatype: undefined, data: undefined })).toBeUndefined();
  });
});
