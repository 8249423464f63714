import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * An optional member: it may be left out, but a `null` is validated like any other value, and so
 * refused by the member's type check. class-validator's IsOptional skips `null` too, which let
 * `{"metadata": {"tags": null}}` through to the service (a 500) and `{"data": null}` past verify's
 * schema; the API document says these members are absent or of their type, never null.
 */
export function Optional(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}
