import { ValidateBy, type ValidationOptions } from 'class-validator';

/** A plain object with at least one own key (class-validator's isNotEmptyObject also ignores nullish values). */
export function IsNonEmptyObject(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNonEmptyObject',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length > 0,
        defaultMessage: () => '$property must be an object with at least one key',
      },
    },
    options,
  );
}
