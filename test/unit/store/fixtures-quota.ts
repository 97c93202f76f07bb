/** A Dexie middleware that makes every write fail with QuotaExceededError while `full.on` is set. */
import type Dexie from 'dexie';

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
