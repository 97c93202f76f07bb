/**
 * Storage behind two small interfaces, so a networked backend (PostgreSQL) can replace the embedded SQLite one.
 * Every method returns a Promise even where SQLite answers synchronously: callers are written for a store that
 * answers later, and the room delivers nothing that depends on an append before that append has resolved. The
 * one exception is the optional `appendNow`, the sync hot path's shortcut for stores that commit in the call.
 */
import type { Role } from '../../shared/protocol/api.ts';

export type StoredUpdate = {
  /** Global, increasing id of the append (unique across rooms; not a cursor: see RoomHead.changeId). */
  id: number;
  /**
   * Per-room sequence number, 1, 2, 3… assigned in the transaction that stores the update, without gaps in
   * commit order. A compacted row carries the seq of the last update folded into it.
   */
  seq: number;
  update: Uint8Array;
  /** Set on a compacted row: the state vector of `update`, so a cold room can answer without decoding. */
  stateVector: Uint8Array | null;
  /** Set on a compacted row: the delete set of `update` as a struct-less update (cheap to decode). */
  deleteSet: Uint8Array | null;
  /** Set on a compacted row: SHA-256 of `update` (hex), checked before the bytes are served undecoded. */
  checksum: string | null;
};

/** A compacted room state: the merged update plus what is needed to answer clients without decoding it. */
export type EncodedState = { update: Uint8Array; stateVector: Uint8Array; deleteSet: Uint8Array };

export type StoredRoom = {
  roomId: string;
  teamId: string;
  /** In append order. After compaction the first row holds the merged state of everything up to it. */
  rows: StoredUpdate[];
  /** Seq of the last update included in `rows`. */
  lastSeq: number;
  /** Bytes of all rows. */
  bytes: number;
};

/**
 * A room's place in the change feed: `changeId` orders rooms for the per-team change cursor (see
 * `changedRooms`), `lastSeq` is the seq of its last stored update.
 */
export type RoomHead = { roomId: string; changeId: number; lastSeq: number };

/** Where an appended update landed: its id, its per-room seq and the room's stored bytes after it. */
export type AppendResult = { id: number; seq: number; roomBytes: number };

/** One stored update as `updatesSince` returns it. */
export type SeqUpdate = { seq: number; update: Uint8Array };

export interface UpdateStore {
  /** An id that changes when the database is replaced, so stale change cursors are recognised. */
  readonly instanceId: string;
  /** null when the room has never been written. Throws when stored data cannot be read. */
  load(roomId: string): Promise<StoredRoom | null>;
  /**
   * Appends the updates durably in one transaction (a room's group commit), in order, with consecutive seqs;
   * resolves with one result per update once all of them survive a crash of this process, or rejects with
   * none stored.
   */
  append(roomId: string, teamId: string, updates: readonly Uint8Array[]): Promise<AppendResult[]>;
  /**
   * The same append, committed before it returns; offered by stores that commit synchronously (embedded
   * SQLite). A room with nothing else in flight uses it to store and send an update in the turn it arrived,
   * instead of queueing the sending behind the event loop.
   */
  appendNow?(roomId: string, teamId: string, update: Uint8Array): AppendResult;
  /**
   * Every update with seq > `afterSeq`, in seq order (gap repair between instances); null when compaction
   * folded some of them into a compacted row (the caller reloads the room instead).
   */
  updatesSince(roomId: string, afterSeq: number): Promise<SeqUpdate[] | null>;
  /**
   * Replaces the rows with seq <= `throughSeq` with one row holding `state`, which must contain every one of
   * them (it may contain later updates too: applying an update twice changes nothing). Never removes a row
   * after `throughSeq`; a no-op when a compaction through a later seq already happened.
   */
  compact(roomId: string, throughSeq: number, state: EncodedState): Promise<{ roomBytes: number }>;
  /** Every room of a team (listing, re-indexing). */
  teamRooms(teamId: string): Promise<RoomHead[]>;
  /**
   * The rooms of these teams with a change after cursor `since` (changeId > since), oldest change first. A
   * cursor from `currentCursor` never skips a change that commits after it was handed out. Several teams in one
   * query: an instance checks the heads of every team it holds rooms of each second.
   */
  changedRooms(teamIds: readonly string[], since: number): Promise<RoomHead[]>;
  head(roomId: string): Promise<RoomHead | null>;
  /**
   * The cursor a fully caught-up client holds: every change with a changeId at or below it is committed and
   * visible, and none can still commit there later.
   */
  currentCursor(): Promise<number>;
  totalBytes(): Promise<number>;
  /** Every room with its head (startup checks of the query index). */
  allHeads(): Promise<RoomHead[]>;
}

export type Team = { id: string; name: string; createdAt: number };
export type TeamSummary = Team & { members: number; rooms: number };

export type Member = {
  id: string;
  teamId: string;
  displayName: string;
  role: Role;
  createdAt: number;
  removedAt: number | null;
  /** The unit the owner gave the member (a unit id of the team room, and its name when it was set), or null. */
  unit: MemberUnit | null;
};

export type MemberUnit = { id: string; name: string };

/** Who a bearer token or ticket speaks for. */
export type Principal = {
  memberId: string;
  teamId: string;
  teamName: string;
  displayName: string;
  role: Role;
  tokenHash: string;
};

export type Invite = {
  id: string;
  teamId: string;
  role: Role;
  maxUses: number | null;
  uses: number;
  expiresAt: number | null;
  createdAt: number;
  revokedAt: number | null;
};

export type Ticket = {
  hash: string;
  tokenHash: string;
  memberId: string;
  teamId: string;
  room: string;
  expiresAt: number;
};

export type InviteRedemption = {
  memberId: string;
  displayName: string;
  tokenHash: string;
  now: number;
  maxMembers: number;
};

export type RedeemResult =
  | { ok: true; member: Member; teamName: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used_up' | 'revoked' | 'team_full' };

export interface TeamStore {
  createTeam(team: Team): Promise<void>;
  getTeam(teamId: string): Promise<Team | null>;
  listTeams(): Promise<TeamSummary[]>;

  addInvite(invite: Invite & { codeHash: string; createdBy: string | null }): Promise<void>;
  listInvites(teamId: string): Promise<Invite[]>;
  revokeInvite(teamId: string, inviteId: string, now: number): Promise<boolean>;
  /**
   * In one transaction: checks the invite and that the team has fewer than `maxMembers` members, counts the
   * use, adds the member (as owner when the team has none yet) and stores the token hash.
   */
  redeemInvite(codeHash: string, join: InviteRedemption): Promise<RedeemResult>;

  getMember(memberId: string): Promise<Member | null>;
  listMembers(teamId: string): Promise<Member[]>;
  setRole(memberId: string, role: Role): Promise<void>;
  setUnit(memberId: string, unit: MemberUnit | null): Promise<void>;
  /** The member's unit id, answered in the call (the write rules ask it while checking an update). */
  memberUnitNow(memberId: string): string | null;
  /** Marks the member removed and revokes all their tokens and the invites they created. */
  removeMember(memberId: string, now: number): Promise<void>;
  countOwners(teamId: string): Promise<number>;

  /** The principal of a live token (not revoked, member not removed), or null. */
  findToken(tokenHash: string): Promise<Principal | null>;
  revokeToken(tokenHash: string, now: number): Promise<boolean>;
  revokeMemberTokens(memberId: string, now: number): Promise<number>;
  /** The current role behind each of these token hashes that is still live (revoked ones are absent). */
  liveTokens(tokenHashes: string[]): Promise<Map<string, Role>>;

  addTicket(ticket: Ticket): Promise<void>;
  /** Deletes and returns the ticket: a second use finds nothing. */
  consumeTicket(hash: string): Promise<Ticket | null>;
  deleteExpiredTickets(now: number): Promise<number>;
}
