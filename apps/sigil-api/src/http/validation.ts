import type { ArgumentMetadata, PipeTransform, ValidationError } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { opaqueJsonFields, SigilValidationError, type FieldError } from '#sigil';

/** Parameter types that are passed through as they are: only DTO classes carry validation rules. */
const UNVALIDATED = new Set<unknown>([String, Boolean, Number, Array, Object, Buffer, Date]);

/** Unknown fields are errors (not silently dropped); error objects carry neither the target nor the value. */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false, value: false },
};

/**
 * Request DTO validation with the DTOs' class-validator rules, synchronously: the body (or query)
 * becomes an instance of its DTO class, is validated, and every failure names its field by path
 * (`metadata.tags.0`), so a client can fix all of them in one go.
 *
 * This replaces Nest's `ValidationPipe` with the same options (whitelist, forbidNonWhitelisted,
 * transform). That pipe is general: it awaits each step, copies and walks values for inputs this API
 * cannot receive (arrays, primitives and binary values as bodies: the JSON parser refuses them, see
 * `json-body.parser.ts`) and runs the validators asynchronously, where every validator of these DTOs
 * is synchronous. It cost about 100 µs of a verify's ~370 µs of CPU; this pipe, the same rules,
 * a fraction of that (docs/performance.md).
 */
export class DtoValidationPipe implements PipeTransform {
  /** @OpaqueJson() fields by DTO class, looked up once. */
  private readonly opaque = new Map<unknown, readonly string[]>();

  transform(value: unknown, { metatype, type }: ArgumentMetadata): unknown {
    if (type === 'custom' || metatype === undefined || UNVALIDATED.has(metatype)) return value;
    // An absent body (revoke's is optional) is an empty one: its members are all optional.
    const plain = value === undefined || value === null ? {} : value;
    if (typeof plain !== 'object' || Array.isArray(plain)) {
      throw new SigilValidationError([{ field: type, message: 'must be an object' }]);
    }
    // Query strings reach here as parsed by Fastify; a `__proto__` member is never a field of ours.
    if (Object.hasOwn(plain, '__proto__')) {
      throw new SigilValidationError([{ field: '__proto__', message: 'is not allowed' }]);
    }
    const instance = this.toInstance(metatype, plain as Record<string, unknown>);
    const errors = validateSync(instance, VALIDATOR_OPTIONS);
    if (errors.length > 0) throw new SigilValidationError(flatten(errors));
    return instance;
  }

  /** The DTO instance; @OpaqueJson() members are set as they are, after class-transformer. */
  private toInstance(metatype: new () => unknown, plain: Record<string, unknown>): object {
    let opaque = this.opaque.get(metatype);
    if (opaque === undefined) this.opaque.set(metatype, (opaque = opaqueJsonFields(metatype)));
    const present = opaque.filter((field) => Object.hasOwn(plain, field));
    if (present.length === 0) return plainToInstance(metatype, plain) as object;
    // Held in place by a null, which class-transformer copies as it is: the instance keeps the
    // body's member order, as it did when class-transformer copied these members too.
    const rest = { ...plain };
    for (const field of present) rest[field] = null;
    const instance = plainToInstance(metatype, rest) as Record<string, unknown>;
    for (const field of present) instance[field] = plain[field];
    return instance;
  }
}

export function createValidationPipe(): DtoValidationPipe {
  return new DtoValidationPipe();
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // class-validator writes "property must …"; restate with the full path for nested fields.
      message: message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
