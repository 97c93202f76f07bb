// biome-ignore-all lint/correctness/useExhaustiveDependencies: the caller lists what the query depends on
/** React hook over Dexie's liveQuery: re-renders when the queried tables change, in any extension page. */
import { liveQuery } from 'dexie';
import { useEffect, useState } from 'react';

export function useLiveQuery<T>(query: () => Promise<T>, deps: unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const subscription = liveQuery(query).subscribe({
      next: setValue,
      error: (error) => console.error('[pizhu] live query failed', error),
    });
    return () => subscription.unsubscribe();
  }, deps);
  return value;
}
