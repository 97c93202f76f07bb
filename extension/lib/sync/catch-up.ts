/**
 * Background catch-up of all the team's rooms through the server's bulk endpoints, so search, the tag library
 * and export work offline on everything the team shared, and offline edits reach the server even for pages
 * that are not open. One run:
 *   1. POST /sync with the stored change cursor and every room's state vector; apply what the server sends
 *      (each room through its Room, so it is stored and projected like any other change);
 *   2. POST /push what the server lacks: rooms with unsent local changes, and rooms the server is behind on;
 *   3. store the new cursor (only when every room was stored; a full disk retries next time).
 * Everything it needs is read from IndexedDB at the start, so a stopped service worker resumes cleanly.
 */
import * as Y from 'yjs';
import { parseRoomId } from '../../../shared/model/room.ts';
import { base64ToBytes, bytesToBase64 } from '../../../shared/protocol/api.ts';
import { type ErrorInfo, errorInfo, errorMessage, PizhuError } from '../errors.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { TeamRow } from '../store/schema.ts';
import type { ApiClient } from './api-client.ts';
import { RoomUpdateError, type RoomRegistry } from './rooms.ts';

/** The server's push endpoint takes at most this many updates per request… */
const PUSH_BATCH_UPDATES = 200;
/** …and we keep each request well under its body limit. */
const PUSH_BATCH_BYTES = 4 * 1024 * 1024;
/** Bounds one run however large the team's history (the next run continues from the stored cursor). */
const MAX_PAGES = 200;

export type CatchUpResult = {
  /** Rooms the server sent changes for. */
  received: number;
  /** Rooms whose local changes were pushed. */
  pushed: number;
  /** Rooms the server refused or sent garbage for; the rest went through. */
  problems: ErrorInfo[];
};

type PendingPush = { room: string; update: Uint8Array; stateVector: Uint8Array; localChanges: number };

/** Whether this doc holds anything the given state vector lacks (new items; deletions are tracked by `dirty`). */
function aheadOf(doc: Y.Doc, serverStateVector: Uint8Array): boolean {
  const server = Y.decodeStateVector(serverStateVector);
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    if (clock > (server.get(client) ?? 0)) return true;
  }
  return false;
}

export class CatchUp {
  constructor(
    private readonly db: PizhuDatabase,
    private readonly rooms: RoomRegistry,
  ) {}

  async run(team: TeamRow, api: ApiClient): Promise<CatchUpResult> {
    const result: CatchUpResult = { received: 0, pushed: 0, problems: [] };
    const behind = new Set<string>();
    // The server answers in pages of bounded size; `more` asks for the next one (from the returned cursor).
    for (let page = 0; page < MAX_PAGES; page++) {
      if (!(await this.receivePage(team, api, result, behind))) break;
    }

    const dirty = await this.db.rooms
      .where('dirty')
      .equals(1)
      .filter((r) => r.teamId === team.teamId)
      .toArray();
    const toPush = [...new Set([...dirty.map((r) => r.room), ...behind])];
    for (const batch of await this.batches(toPush)) {
      const answer = await api.push(team.teamId, {
        updates: batch.map((p) => ({ room: p.room, update: bytesToBase64(p.update) })),
      });
      const outcome = new Map(answer.results.map((r) => [r.room, r]));
      for (const pushed of batch) {
        const r = outcome.get(pushed.room);
        if (r?.ok) {
          await this.markPushed(pushed);
          result.pushed++;
        } else {
          // Next time send the whole room: the server may lack more than we thought (a restored server).
          await this.db.rooms.update(pushed.room, { serverStateVector: undefined });
          // The server's own code for the refusal (not_allowed, too_costly, room_full…), with its words as detail.
          result.problems.push({
            code: r?.error?.code ?? 'unexpected_answer',
            params: { room: pushed.room, ...r?.error?.params },
            ...(r?.error?.message ? { detail: r.error.message } : {}),
          });
        }
      }
    }
    return result;
  }

  /** One page of the bulk answer; returns whether the server has more. */
  private async receivePage(
    team: TeamRow,
    api: ApiClient,
    result: CatchUpResult,
    behind: Set<string>,
  ): Promise<boolean> {
    const known = await this.db.rooms.where('teamId').equals(team.teamId).toArray();
    const vectors: Record<string, string> = {};
    for (const row of known)
      if (row.stateVector instanceof Uint8Array) vectors[row.room] = bytesToBase64(row.stateVector);
    const state = await this.db.syncState.get(team.teamId);

    const response = await api.bulkSync(team.teamId, { since: state?.cursor ?? null, rooms: vectors });
    for (const refused of response.unavailable ?? []) {
      result.problems.push({ code: refused.code, params: { room: refused.room }, detail: refused.message });
    }
    for (const entry of response.rooms) {
      if (parseRoomId(entry.room)?.teamId !== team.teamId) {
        result.problems.push({ code: 'foreign_room', params: { room: entry.room } });
        continue;
      }
      try {
        const ahead = await this.receive(
          entry.room,
          decode(entry.room, entry.update),
          decode(entry.room, entry.stateVector),
        );
        result.received++;
        if (ahead) behind.add(entry.room);
        else behind.delete(entry.room);
      } catch (error) {
        if (!(error instanceof RoomUpdateError) && !(error instanceof BadVectorError)) throw error;
        result.problems.push(errorInfo(error));
      }
    }
    // Stored only once every room of the page is stored: a failure (a full disk) fetches the page again.
    await this.db.syncState.put({
      ...(state ?? { teamId: team.teamId, failures: 0 }),
      teamId: team.teamId,
      cursor: response.cursor,
    });
    return response.more === true && response.rooms.length > 0;
  }

  /** Applies one room's missing update; tells whether the server lacks something this browser has. */
  private async receive(roomId: string, update: Uint8Array, serverStateVector: Uint8Array): Promise<boolean> {
    return this.rooms.use(roomId, async (room) => {
      await room.applyRemote(update);
      let ahead: boolean;
      try {
        ahead = aheadOf(room.doc, serverStateVector);
      } catch (error) {
        throw new BadVectorError(roomId, error);
      }
      await this.db.rooms.update(roomId, { serverStateVector, syncedAt: Date.now() });
      return ahead;
    });
  }

  /** What each room has that the server lacks, grouped into requests of bounded size. */
  private async batches(roomIds: string[]): Promise<PendingPush[][]> {
    const batches: PendingPush[][] = [];
    let current: PendingPush[] = [];
    let bytes = 0;
    for (const roomId of roomIds) {
      const pending = await this.rooms.use(roomId, async (room) => {
        await room.flushed();
        const row = await this.db.rooms.get(roomId);
        let update: Uint8Array;
        try {
          update = Y.encodeStateAsUpdate(room.doc, row?.serverStateVector);
        } catch {
          update = Y.encodeStateAsUpdate(room.doc);
        }
        return {
          room: roomId,
          update,
          stateVector: Y.encodeStateVector(room.doc),
          localChanges: row?.localChanges ?? 0,
        };
      });
      if (
        current.length &&
        (current.length >= PUSH_BATCH_UPDATES || bytes + pending.update.length > PUSH_BATCH_BYTES)
      ) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(pending);
      bytes += pending.update.length;
    }
    if (current.length) batches.push(current);
    return batches;
  }

  /** The server now has everything up to `stateVector`; clear `dirty` unless the room changed meanwhile. */
  private async markPushed(pushed: PendingPush): Promise<void> {
    await this.db.transaction('rw', this.db.rooms, async () => {
      const row = await this.db.rooms.get(pushed.room);
      if (!row) return;
      const unchanged = (row.localChanges ?? 0) === pushed.localChanges;
      await this.db.rooms.put({
        ...row,
        serverStateVector: pushed.stateVector,
        syncedAt: Date.now(),
        dirty: unchanged ? 0 : row.dirty,
        pushedChanges: pushed.localChanges,
      });
    });
  }
}

function decode(room: string, base64: string): Uint8Array {
  try {
    return base64ToBytes(base64);
  } catch (error) {
    throw new RoomUpdateError(room, error);
  }
}

class BadVectorError extends PizhuError {
  constructor(room: string, cause: unknown) {
    super('state_vector_invalid', { room }, errorMessage(cause));
    this.name = 'BadVectorError';
  }
}
