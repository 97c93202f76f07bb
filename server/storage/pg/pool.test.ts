import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { inTransaction, type PgPool, withClient } from './pool.ts';

/** A pool of one client that records its queries and how it was released. */
function fakePool() {
  const client = Object.assign(new EventEmitter(), {
    queries: [] as string[],
    released: [] as (Error | undefined)[],
    async query(text: string) {
      client.queries.push(text);
      return { rows: [] };
    },
    release(error?: Error) {
      client.released.push(error);
    },
  });
  const pool = { connect: async () => client } as unknown as PgPool;
  return { pool, client };
}

describe('withClient', () => {
  it('survives the connection dying while the client is checked out, and has the pool drop it', async () => {
    const { pool, client } = fakePool();
    const lost = new Error('Connection terminated unexpectedly');
    // Unheard, an 'error' event throws here (and in a server, ends the process).
    await withClient(pool, async () => {
      client.emit('error', lost);
    });
    expect(client.released).toEqual([lost]);
    expect(client.listenerCount('error')).toBe(0);
  });

  it('returns a healthy client to the pool as it is', async () => {
    const { pool, client } = fakePool();
    expect(await withClient(pool, async () => 42)).toBe(42);
    expect(client.released).toEqual([undefined]);
  });

  it('rolls a failed transaction back and passes its error on', async () => {
    const { pool, client } = fakePool();
    await expect(
      inTransaction(pool, async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(client.queries).toEqual(['BEGIN', 'ROLLBACK']);
    expect(client.released).toEqual([undefined]);
  });
});
