/** Dexie middlewares for tests: a disk that fills up, and a hook between two reads. */
import type Dexie from 'dexie';

/** Every write fails with QuotaExceededError while `full.on` is set. */
export function simulateQuota(db: Dexie): { on: boolean } {
  const full = { on: false };
  db.use({
    stack: 'dbcore',
    name: 'simulated-quota',
    create: (down) => ({
      ...down,
      table: (name) => {
        const table = down.table(name);
        return {
          ...table,
          mutate: (request) =>
            full.on
              ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
              : table.mutate(request),
        };
      },
    }),
  });
  return full;
}

/**
 * Runs `tap.next` (once) right after the next read of `tableName` completes: a way to make something happen
 * exactly between two steps of the code under test.
 */
export function tapReads(db: Dexie, tableName: string): { next: (() => void) | null } {
  const tap: { next: (() => void) | null } = { next: null };
  const fire = () => {
    const next = tap.next;
    tap.next = null;
    next?.();
  };
  db.use({
    stack: 'dbcore',
    name: `tap-${tableName}`,
    create: (down) => ({
      ...down,
      table: (name) => {
        const table = down.table(name);
        if (name !== tableName) return table;
        return {
          ...table,
          get: (request) => table.get(request).finally(fire),
          getMany: (request) => table.getMany(request).finally(fire),
          query: (request) => table.query(request).finally(fire),
          openCursor: (request) => table.openCursor(request).finally(fire),
        };
      },
    }),
  });
  return tap;
}
