// The project's enums are plain objects of string constants (`Outcome.valid`), so each
// member can carry its own doc comment and be used as a value. These two give the union
// type of their values and the values as the non-empty tuple that `z.enum` wants.

/** The union of an enum object's values: `type Outcome = ValueOf<typeof Outcome>`. */
export type ValueOf<T> = T[keyof T];

/** Every value of an enum object, in declaration order, as a non-empty tuple for `z.enum`. */
export function valuesOf<T extends Record<string, string>>(members: T): [ValueOf<T>, ...ValueOf<T>[]] {
  const values = Object.values(members) as ValueOf<T>[];
  if (values.length === 0) throw new Error('an enum needs at least one member');
  return values as [ValueOf<T>, ...ValueOf<T>[]];
}
