import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { SigilValidationError, type FieldError } from '#sigil';

/**
 * Request DTO validation: unknown fields are errors (not silently dropped), and every failure names
 * its field by path (`metadata.tags.0`), so a client can fix all of them in one go.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new SigilValidationError(flatten(errors)),
  });
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
