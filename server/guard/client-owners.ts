/**
 * Which member owns each Yjs client id of a room: the member who first wrote with it. Structs under a client id
 * owned by someone else are refused (update-policy.ts), so nobody can forge another member's edits or take the
 * clock range their next edits need (Yjs would drop those as duplicates). Kept durably (a restart must not hand
 * a client id to someone else), in the client_owners table of the store's schema; a claim is committed
 * before the update that makes it is applied, so it is stored before the update is.
 */
import type { SqliteHandle } from '../storage/sqlite-db.ts';

/** The owner recorded for client ids the server itself writes with (tag renames and merges). */
export const SERVER_MEMBER = '@server';

export interface ClientOwnerStore {
  /**
   * The owners recorded for a room. A store that answers later (PostgreSQL) is read when the room loads
   * (UpdatePolicy.prepare); one that answers at once may also be read on the room's first write.
   */
  ownersOf(roomId: string): Map<number, string> | Promise<Map<number, string>>;
  /**
   * Records the member as the owner of these client ids, stored no later than the update that makes the claim:
   * committed when it returns (SQLite), or written in the transaction of the room's next append (PostgreSQL).
   */
  claim(roomId: string, clients: readonly number[], memberId: string): void;
}

export class SqliteClientOwners implements ClientOwnerStore {
  private readonly select;
  private readonly insert;
  private readonly claimAll;

  constructor(
    db: SqliteHandle,
    private readonly now: () => number = Date.now,
  ) {
    this.select = db.prepare<[string], { client: number; member_id: string }>(
      'SELECT client, member_id FROM client_owners WHERE room = ?',
    );
    this.insert = db.prepare<[string, number, string, number]>(
      'INSERT OR IGNORE INTO client_owners (room, client, member_id, claimed_at) VALUES (?, ?, ?, ?)',
    );
    this.claimAll = db.transaction((roomId: string, clients: readonly number[], memberId: string, at: number) => {
      for (const client of clients) this.insert.run(roomId, client, memberId, at);
    });
  }

  ownersOf(roomId: string): Map<number, string> {
    return new Map(this.select.all(roomId).map((row) => [row.client, row.member_id]));
  }

  claim(roomId: string, clients: readonly number[], memberId: string): void {
    if (clients.length > 0) this.claimAll(roomId, clients, memberId, this.now());
  }
}

/** Owners kept in memory only: for unit tests and benchmarks of one layer. */
export class InMemoryClientOwners implements ClientOwnerStore {
  private readonly rooms = new Map<string, Map<number, string>>();

  ownersOf(roomId: string): Map<number, string> {
    return new Map(this.rooms.get(roomId));
  }

  claim(roomId: string, clients: readonly number[], memberId: string): void {
    let owners = this.rooms.get(roomId);
    if (!owners) this.rooms.set(roomId, (owners = new Map()));
    for (const client of clients) if (!owners.has(client)) owners.set(client, memberId);
  }
}
