/**
 * Marks a DTO property whose value is the client's own JSON, validated as a whole (`@IsObject()` and
 * the like) but never converted: the validation pipe hands it over as the parser produced it instead
 * of letting class-transformer copy it member by member, which for `data` was most of an encode's
 * transform cost. Its own validators still run on it.
 */
const opaqueFields = new WeakMap<object, string[]>();

export function OpaqueJson(): PropertyDecorator {
  return (target, property) => {
    if (typeof property !== 'string') throw new TypeError('@OpaqueJson() needs a string property name');
    const own = opaqueFields.get(target.constructor) ?? [];
    opaqueFields.set(target.constructor, [...own, property]);
  };
}

/** The @OpaqueJson() properties of a DTO class and of the classes it extends. */
export function opaqueJsonFields(type: object): readonly string[] {
  const fields: string[] = [];
  for (
    let cls: object | null = type;
    cls !== null && cls !== Function.prototype;
    cls = Object.getPrototypeOf(cls) as object | null
  ) {
    fields.push(...(opaqueFields.get(cls) ?? []));
  }
  return fields;
}
