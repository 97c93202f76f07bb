/** Small helpers for plain objects, for both sides (no DOM, no Node). */

/** The object without its `undefined` fields: spreading it over defaults keeps the defaults those fields leave. */
export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
