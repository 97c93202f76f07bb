/**
 * Client id owners (server/guard/client-owners.ts) in PostgreSQL. A room's owners are read when it loads; a
 * claim waits in PendingClaims and is written in the transaction of the room's next append, so it is stored no
 * later than the update that made it. Another instance may have claimed the same client id for someone else
 * since this one read the owners: the append then fails (nothing stored, nothing sent) and the room reloads.
 */
import type { ClientOwnerStore } from '../../guard/client-owners.ts';
import type { PgClient, PgPool } from './pool.ts';

export class ClientOwnerConflictError extends Error {
  override name = 'ClientOwnerConflictError';
}

type Claim = { roomId: string; clients: readonly number[]; memberId: string; at: number };

/** One claim, written on the append's transaction; throws when a client id already belongs to someone else. */
export type PendingClaim = Claim & { write(client: PgClient): Promise<void> };

async function writeClaim(this: Claim, client: PgClient): Promise<void> {
  await client.query(
    `INSERT INTO client_owners (room, client, member_id, claimed_at)
     SELECT $1, unnest($2::bigint[]), $3, $4 ON CONFLICT (room, client) DO NOTHING`,
    [this.roomId, this.clients, this.memberId, this.at],
  );
  const { rows } = await client.query<{ client: number }>(
    'SELECT client FROM client_owners WHERE room = $1 AND client = ANY($2::bigint[]) AND member_id <> $3',
    [this.roomId, this.clients, this.memberId],
  );
  if (rows.length > 0) {
    throw new ClientOwnerConflictError(`client id ${rows[0]!.client} of room ${this.roomId} belongs to another member`);
  }
}

/** Claims not yet written, per room. */
export class PendingClaims {
  private readonly rooms = new Map<string, PendingClaim[]>();

  add(claim: Claim): void {
    const pending: PendingClaim = { ...claim, write: writeClaim };
    const list = this.rooms.get(claim.roomId);
    if (list) list.push(pending);
    else this.rooms.set(claim.roomId, [pending]);
  }

  /** The room's claims, handed to the append that writes them. */
  take(roomId: string): PendingClaim[] {
    const list = this.rooms.get(roomId) ?? [];
    this.rooms.delete(roomId);
    return list;
  }
}

export class PgClientOwners implements ClientOwnerStore {
  constructor(
    private readonly pool: PgPool,
    readonly pending: PendingClaims,
    private readonly now: () => number = Date.now,
  ) {}

  async ownersOf(roomId: string): Promise<Map<number, string>> {
    const { rows } = await this.pool.query<{ client: number; member_id: string }>(
      'SELECT client, member_id FROM client_owners WHERE room = $1',
      [roomId],
    );
    return new Map(rows.map((row) => [row.client, row.member_id]));
  }

  claim(roomId: string, clients: readonly number[], memberId: string): void {
    if (clients.length > 0) this.pending.add({ roomId, clients: [...clients], memberId, at: this.now() });
  }
}
