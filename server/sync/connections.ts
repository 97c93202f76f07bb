/**
 * Every open socket of this instance, by member: revocation checks, the heartbeat, shedding when the server's
 * send buffers are full, and shutdown. The per-member and per-team socket limits are counted across instances
 * (server/guard/deployment-limits.ts).
 */
import { CLOSE_CODES, type Role } from '../../shared/protocol/api.ts';
import type { Connection } from './connection.ts';

export class ConnectionTracker {
  private readonly byMember = new Map<string, Set<Connection>>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  add(connection: Connection): void {
    let set = this.byMember.get(connection.memberId);
    if (!set) {
      set = new Set();
      this.byMember.set(connection.memberId, set);
    }
    if (!set.has(connection)) {
      set.add(connection);
      this.total++;
    }
  }

  remove(connection: Connection): void {
    const set = this.byMember.get(connection.memberId);
    if (!set?.delete(connection)) return;
    this.total--;
    if (set.size === 0) this.byMember.delete(connection.memberId);
  }

  /**
   * The server's send buffers are full: closes the sockets furthest behind until `bytes` more fit, or no socket
   * is behind (a socket that keeps up is never closed for others' backlog).
   */
  shedOutbound(bytes: number, full: (bytes: number) => boolean): void {
    const behind = this.all()
      .filter((c) => c.backlog > 0)
      .sort((a, b) => b.backlog - a.backlog);
    for (const connection of behind) {
      if (!full(bytes)) return;
      connection.shed();
    }
  }

  /** Pings every socket; drops those that did not answer the previous ping. */
  heartbeat(): void {
    for (const connection of this.all()) connection.heartbeat();
  }

  all(): Connection[] {
    return [...this.byMember.values()].flatMap((set) => [...set]);
  }

  tokenHashes(): string[] {
    return [...new Set(this.all().map((c) => c.tokenHash))];
  }

  /**
   * Closes the sockets whose token is no longer live (revoked, or member removed: permanent), and those whose
   * member's role changed (transient: the client reconnects with a new ticket and gets the new role).
   */
  closeRevoked(live: Map<string, Role>): number {
    let closed = 0;
    for (const connection of this.all()) {
      const role = live.get(connection.tokenHash);
      if (role === undefined) connection.close(CLOSE_CODES.badTicket, 'access was revoked');
      else if (role !== connection.role) connection.close(CLOSE_CODES.roleChanged, 'your role changed; reconnect');
      else continue;
      closed++;
    }
    return closed;
  }

  closeAll(code: number, reason: string): void {
    for (const connection of this.all()) connection.close(code, reason);
  }
}
