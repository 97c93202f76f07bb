/**
 * Bulk catch-up and offline push. A client that was offline sends its change cursor and the state vectors of
 * the rooms it holds; the answer holds, for each room of its team that changed since the cursor (or that the
 * client is behind on), only the update it misses. Rooms that did not change are not read at all. A room whose
 * stored state cannot be read (it fails its checksum) is refused as the socket path refuses it: listed under
 * `unavailable`, logged, counted, never sent, and the cursor stays before it so it is asked for again.
 */
import { Hono } from 'hono';
import * as Y from 'yjs';
import { parseRoomId } from '../../shared/model/index.ts';
import { base64ToBytes, bulkSyncRequestSchema, bytesToBase64, pushRequestSchema } from '../../shared/protocol/api.ts';
import type { ApiErrorCode } from '../../shared/protocol/errors.ts';
import { CorruptRoomError } from '../storage/checksum.ts';
import { cpuMs } from '../guard/cost-meter.ts';
import type { UpdateStore } from '../storage/types.ts';
import type { RoomRegistry } from '../sync/registry.ts';
import type { Room } from '../sync/room.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { ApiError, badRequest, forbidden, jsonBody } from './errors.ts';
import { refuseThrottled } from './middleware.ts';

const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

/** Cursors name the database they came from, so a cursor from a replaced database means "from the start". */
export function encodeChangeCursor(instanceId: string, id: number): string {
  return `${instanceId}:${id}`;
}

export function decodeChangeCursor(instanceId: string, cursor: string | null): number {
  if (!cursor) return 0;
  const match = /^([A-Za-z0-9-]+):(\d{1,15})$/.exec(cursor);
  if (!match || match[1] !== instanceId) return 0;
  return Number(match[2]);
}

function decodeBase64(text: string, what: string): Uint8Array {
  try {
    return base64ToBytes(text);
  } catch {
    throw badRequest(`${what} is not base64`, 'invalid_base64', { field: what });
  }
}

function sameStateVector(a: Map<number, number>, b: Map<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [client, clock] of a) if (b.get(client) !== clock) return false;
  return true;
}

type RoomState = { stateVector: Uint8Array; updateFor: (stateVector: Uint8Array) => Uint8Array };

/**
 * A room's state without loading it into the registry: the loaded room if it holds every update through
 * `storedSeq`, else the stored rows (checked by the store). With several instances a loaded room may not yet
 * have applied an update another instance stored; answering from it would move the client's cursor past an
 * update it never got. Throws when the stored state is corrupt or does not decode.
 */
async function readRoomState(
  registry: RoomRegistry,
  store: UpdateStore,
  roomId: string,
  storedSeq: number,
): Promise<RoomState | null> {
  const loaded = registry.loaded(roomId);
  if (loaded && !loaded.failed && loaded.appliedSeq >= storedSeq) {
    return { stateVector: loaded.stateVector(), updateFor: (sv) => loaded.updateFor(sv) };
  }
  const stored = await store.load(roomId);
  if (!stored || stored.rows.length === 0) return null;
  const only = stored.rows.length === 1 ? stored.rows[0]! : null;
  const update = only ? only.update : Y.mergeUpdates(stored.rows.map((r) => r.update));
  const stateVector = only?.stateVector ?? Y.encodeStateVectorFromUpdate(update);
  return {
    stateVector,
    updateFor: (sv) => (Y.decodeStateVector(sv).size === 0 ? update : Y.diffUpdate(update, sv)),
  };
}

/** What a client with `clientVector` lacks of a room and the room's state vector; null when there is nothing to send. */
async function missingUpdate(
  ctx: ServerContext,
  roomId: string,
  clientVector: Uint8Array,
  changed: boolean,
  storedSeq: number,
): Promise<{ update: Uint8Array; stateVector: Uint8Array } | null> {
  const state = await readRoomState(ctx.registry, ctx.updates, roomId, storedSeq);
  const stateVector = state?.stateVector ?? EMPTY_STATE_VECTOR;
  const decodedClient = Y.decodeStateVector(clientVector);
  if (!changed && sameStateVector(decodedClient, Y.decodeStateVector(stateVector))) return null;
  if (!state && decodedClient.size === 0) return null;
  return { update: state ? state.updateFor(clientVector) : Y.encodeStateAsUpdate(new Y.Doc()), stateVector };
}

export function bulkRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/:teamId/sync', async (c) => {
    const teamId = c.req.param('teamId');
    const body = await jsonBody(c, bulkSyncRequestSchema);
    const clientVectors = new Map<string, Uint8Array>();
    for (const [roomId, encoded] of Object.entries(body.rooms)) {
      if (parseRoomId(roomId)?.teamId !== teamId) {
        throw forbidden(`Room "${roomId}" is not in this team`, 'room_other_team', { room: roomId });
      }
      const stateVector = decodeBase64(encoded, `rooms.${roomId}`);
      try {
        Y.decodeStateVector(stateVector);
      } catch {
        throw badRequest(`rooms.${roomId} is not a state vector`, 'invalid_state_vector', { room: roomId });
      }
      clientVectors.set(roomId, stateVector);
    }
    const store = ctx.updates;
    const current = await store.currentCursor();
    const since = decodeChangeCursor(store.instanceId, body.since);
    const candidates = new Map<string, { changeId: number; changed: boolean; lastSeq: number }>();
    for (const head of await store.changedRooms([teamId], since)) {
      candidates.set(head.roomId, { changeId: head.changeId, changed: true, lastSeq: head.lastSeq });
    }
    for (const roomId of clientVectors.keys()) {
      if (candidates.has(roomId)) continue;
      const head = await store.head(roomId);
      candidates.set(roomId, { changeId: head?.changeId ?? 0, changed: false, lastSeq: head?.lastSeq ?? 0 });
    }
    const ordered = [...candidates].sort((a, b) => a[1].changeId - b[1].changeId);
    const rooms: { room: string; update: string; stateVector: string }[] = [];
    const unavailable: { room: string; code: ApiErrorCode; message: string }[] = [];
    /** The change id of the first changed room that could not be read: the cursor must stay before it. */
    let firstUnreadable: number | null = null;
    let bytes = 0;
    let cursor = current;
    let more = false;
    for (const [roomId, { changeId, changed, lastSeq }] of ordered) {
      const clientVector = clientVectors.get(roomId) ?? EMPTY_STATE_VECTOR;
      let answer: { update: Uint8Array; stateVector: Uint8Array } | null;
      try {
        answer = await missingUpdate(ctx, roomId, clientVector, changed, lastSeq);
      } catch (error) {
        ctx.metrics.refuseRoomRead();
        ctx.log.error(
          'room-unreadable',
          `bulk catch-up: room ${roomId} refused, its stored state cannot be read`,
          error,
        );
        unavailable.push({
          room: roomId,
          code: error instanceof CorruptRoomError ? 'corrupt' : 'unreadable',
          message: 'The stored state of this room cannot be read; the server sends nothing of it',
        });
        if (changed) firstUnreadable ??= changeId;
        continue;
      }
      if (!answer) continue;
      const size = answer.update.byteLength + answer.stateVector.byteLength;
      if (rooms.length > 0 && bytes + size > ctx.config.limits.maxBulkResponseBytes) {
        more = true;
        break;
      }
      bytes += size;
      rooms.push({
        room: roomId,
        update: bytesToBase64(answer.update),
        stateVector: bytesToBase64(answer.stateVector),
      });
      if (changed) cursor = Math.max(since, changeId);
    }
    let through = more ? cursor : current;
    if (firstUnreadable !== null) through = Math.min(through, Math.max(since, firstUnreadable - 1));
    return c.json({ cursor: encodeChangeCursor(store.instanceId, through), rooms, unavailable, more });
  });

  app.post('/:teamId/push', async (c) => {
    const teamId = c.req.param('teamId');
    const principal = c.get('principal');
    // A viewer writes only progress on their unit's tasks (write rules): without a unit, nothing at all.
    if (principal.role === 'viewer' && ctx.teams.store.memberUnitNow(principal.memberId) === null) {
      throw forbidden('Viewers cannot change annotations', 'viewer_read_only');
    }
    refuseThrottled(ctx, principal.memberId);
    const body = await jsonBody(c, pushRequestSchema);
    const updates = body.updates.map(({ room, update }) => {
      if (parseRoomId(room)?.teamId !== teamId) {
        throw forbidden(`Room "${room}" is not in this team`, 'room_other_team', { room });
      }
      return { room, update: decodeBase64(update, `update of ${room}`) };
    });
    const origin = { kind: 'http-push', memberId: principal.memberId };
    const results: { room: string; ok: boolean; error?: { code: ApiErrorCode; message: string } }[] = [];
    for (const { room: roomId, update } of updates) {
      // The same time budget as the member's sockets: once it is used up, the rest of the push is refused.
      if (ctx.cost.throttled(principal.memberId)) {
        ctx.refusals.note('throttled', `push of member ${principal.memberId}: used more than its share of server time`);
        results.push({ room: roomId, ok: false, error: { code: 'throttled', message: 'try again later' } });
        continue;
      }
      let room: Room;
      try {
        room = await ctx.registry.acquire(roomId);
      } catch (error) {
        results.push({ room: roomId, ok: false, error: { code: 'unavailable', message: (error as Error).message } });
        continue;
      }
      try {
        const started = cpuMs();
        const outcome = room.applyFrom(origin, principal, update);
        ctx.cost.charge(principal.memberId, cpuMs() - started);
        await room.whenDurable();
        if (outcome.ok) results.push({ room: roomId, ok: true });
        else {
          ctx.refusals.note(
            outcome.metric,
            `push to room ${roomId} by member ${principal.memberId}: ${outcome.reason}`,
          );
          results.push({ room: roomId, ok: false, error: { code: outcome.metric, message: outcome.reason } });
        }
      } catch (error) {
        results.push({ room: roomId, ok: false, error: { code: 'unavailable', message: (error as Error).message } });
      } finally {
        ctx.registry.release(room);
      }
    }
    if (results.some((r) => !r.ok && r.error?.code === 'unavailable') && results.every((r) => !r.ok)) {
      throw new ApiError(503, 'unavailable', 'The rooms could not be stored; try again later');
    }
    const cursor = encodeChangeCursor(ctx.updates.instanceId, await ctx.updates.currentCursor());
    return c.json({ results, cursor });
  });

  return app;
}
