/**
 * What a room asks before it applies an update (room.ts), in the order of their cost:
 *   1. inspect: is the update affordable? A large one is first scanned with a bounded walk (update-scan.ts); then
 *      it is decoded once and its shape bounded (update-shape.ts): structs, client ids, deletions, items at one
 *      insertion point, heap against wire size. Refused: CLOSE_CODES.tooCostly.
 *   2. admit: is there memory for it? The decoded rooms' budget and the resident memory ceiling
 *      (memory-budget.ts). Refused: CLOSE_CODES.unavailable, and idle documents are released to make room.
 *   3. review: may this member write it? The room's write rules and client ids (update-policy.ts). Refused:
 *      CLOSE_CODES.forbidden; and would ordering it against edits already in the room cost too much?
 *      Refused: CLOSE_CODES.tooCostly.
 * It also keeps the books of each room's decoded heap. One instance serves every room.
 */
import type * as Y from 'yjs';
import { parseRoomId } from '../../shared/model/room.ts';
import { CLOSE_CODES } from '../../shared/protocol/api.ts';
import type { Limits } from '../config.ts';
import type { RejectReason } from '../metrics.ts';
import type { MemoryBudget } from './memory-budget.ts';
import type { UnitMembership } from './unit-membership.ts';
import type { UpdatePolicy } from './update-policy.ts';
import { scanUpdate } from './update-scan.ts';
import {
  type DecodedUpdate,
  decodeUpdate,
  estimateDocHeap,
  shapeOf,
  shapeProblem,
  type UpdateShape,
} from './update-shape.ts';
import type { Writer } from './write-rules.ts';

export type Refusal = { ok: false; code: number; reason: string; metric: RejectReason };
export type Inspected = { ok: true; decoded: DecodedUpdate; shape: UpdateShape };

type GuardLimits = Pick<
  Limits,
  | 'maxStructsPerUpdate'
  | 'maxClientsPerUpdate'
  | 'maxDeleteRangesPerUpdate'
  | 'maxValuesPerUpdate'
  | 'maxItemsPerInsertionPoint'
  | 'maxDecodedRatio'
  | 'decodedRatioFloorBytes'
  | 'scanUpdatesOverBytes'
>;

/** The room as the guard sees it. */
export type GuardedRoom = { readonly id: string; readonly documentKey: string };

export class UpdateGuard {
  /** Called when memory is short: release what can be released (idle documents). */
  onMemoryPressure: () => void = () => {};

  constructor(
    private readonly limits: GuardLimits,
    private readonly policy: UpdatePolicy,
    private readonly memory: MemoryBudget,
    /** Which unit a member belongs to (for viewers' progress entries); without it, viewers belong to none. */
    private readonly membership?: UnitMembership,
  ) {}

  /** Decodes the update once, within bounds; a refusal says which bound it broke. */
  inspect(update: Uint8Array): Inspected | Refusal {
    if (update.byteLength > this.limits.scanUpdatesOverBytes) {
      const scan = scanUpdate(update, this.limits);
      if (!scan.ok) {
        return scan.malformed
          ? refusal(CLOSE_CODES.malformed, 'malformed update', 'malformed')
          : refusal(CLOSE_CODES.tooCostly, scan.reason, 'too_costly');
      }
    }
    let decoded: DecodedUpdate;
    let shape: UpdateShape;
    try {
      decoded = decodeUpdate(update);
      shape = shapeOf(decoded);
    } catch {
      return refusal(CLOSE_CODES.malformed, 'malformed update', 'malformed');
    }
    const problem = shapeProblem(shape, update.byteLength, this.limits);
    if (problem) return refusal(CLOSE_CODES.tooCostly, problem.reason, problem.kind);
    return { ok: true, decoded, shape };
  }

  /** Whether the server has memory for this update (and for decoding the room if it is not). */
  admit(inspected: Inspected): Refusal | null {
    if (!this.memory.decodedFull(inspected.shape.estimatedHeapBytes) && !this.memory.overCeiling()) return null;
    this.onMemoryPressure();
    return refusal(CLOSE_CODES.unavailable, 'the server is at its memory limit; try again later', 'memory');
  }

  /** The room's write rules and client ids, for the update and the sender's held parts (held: Yjs v2). */
  review(room: GuardedRoom, doc: Y.Doc, writer: Writer, inspected: Inspected, held: readonly Uint8Array[]) {
    let incoming: DecodedUpdate[];
    try {
      incoming = [inspected.decoded, ...held.map((part) => decodeUpdate(part, true))];
    } catch {
      return refusal(CLOSE_CODES.malformed, 'malformed update', 'malformed');
    }
    const refused = this.policy.review({
      room,
      roomId: room.id,
      documentKey: room.documentKey,
      doc,
      writer: this.withMembership(room, writer),
      incoming,
    });
    if (!refused) return null;
    const code = refused.metric === 'too_costly' ? CLOSE_CODES.tooCostly : CLOSE_CODES.forbidden;
    return refusal(code, refused.reason, refused.metric);
  }

  /** Whether a viewer may write anything at all: only one with a unit (progress on its tasks). */
  mayWriteAsViewer(writer: Writer): boolean {
    return this.membership?.hasUnit(writer.memberId) ?? false;
  }

  /** A viewer's writer answers "is this one of my units?" (looked up only when a rule asks). */
  private withMembership(room: GuardedRoom, writer: Writer): Writer {
    const membership = this.membership;
    const teamId = parseRoomId(room.id)?.teamId;
    if (writer.role !== 'viewer' || !membership || !teamId) return writer;
    return {
      memberId: writer.memberId,
      role: writer.role,
      belongsToAny: (unitIds) => membership.belongsToAny(teamId, writer.memberId, unitIds),
    };
  }

  /** A room was loaded: read what its first write is checked against. */
  async prepare(room: GuardedRoom): Promise<void> {
    const teamId = parseRoomId(room.id)?.teamId;
    await Promise.all([this.policy.prepare(room, room.id), teamId && this.membership?.prepare(teamId)]);
  }

  /** The room's document was decoded: book its heap. */
  decoded(room: GuardedRoom, doc: Y.Doc): void {
    this.memory.setDecoded(room, estimateDocHeap(doc));
  }

  /** An update was applied to the room's document. */
  applied(room: GuardedRoom, inspected: Inspected): void {
    this.memory.setDecoded(room, inspected.shape.estimatedHeapBytes, true);
  }

  /** The room's document was released. */
  released(room: GuardedRoom): void {
    this.memory.releaseDecoded(room);
  }

  /** The server writes in the room itself (tag renames and merges) with this client id. */
  serverWrites(room: GuardedRoom, client: number): void {
    this.policy.claimForServer(room, room.id, client);
  }
}

function refusal(code: number, reason: string, metric: RejectReason): Refusal {
  return { ok: false, code, reason, metric };
}
