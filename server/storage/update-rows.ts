/** Rows of the updates table as both stores read them, turned into stored updates with their checksum verified. */
import { CorruptRoomError, checksumOf } from './checksum.ts';
import type { StoredUpdate } from './types.ts';

export type UpdateRow = {
  id: number;
  seq: number;
  data: Buffer;
  state_vector: Buffer | null;
  delete_set: Buffer | null;
  checksum: string | null;
};

/** The driver's Buffer as a plain view of the same bytes (no copy). */
export const asBytes = (buffer: Buffer): Uint8Array =>
  new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

export function storedUpdate(roomId: string, row: UpdateRow): StoredUpdate {
  // A compacted row may be served without being decoded: its bytes must be the ones compaction wrote.
  if (row.checksum !== null && checksumOf(row.data) !== row.checksum) throw new CorruptRoomError(roomId, row.id);
  return {
    id: row.id,
    seq: row.seq,
    update: asBytes(row.data),
    stateVector: row.state_vector ? asBytes(row.state_vector) : null,
    deleteSet: row.delete_set ? asBytes(row.delete_set) : null,
    checksum: row.checksum,
  };
}
