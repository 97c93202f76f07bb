/** Small helpers for plain objects, for both sides (no DOM, no Node). */

/** The object without its `undefined` fields: spreading it over defaults keeps the defaults those fields leave. */
export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** `compute` with each key's result kept: for resolvers called once per row over one snapshot of their data. */
export function memoizeByKey<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as T;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}
