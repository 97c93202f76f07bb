import { createHash } from 'node:crypto';

/** SHA-256 (hex) of stored bytes that are served without being decoded first. */
export function checksumOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A room's stored state fails its checksum: it is never served, decoded or written over. */
export class CorruptRoomError extends Error {
  override name = 'CorruptRoomError';

  constructor(
    readonly roomId: string,
    rowId: number,
  ) {
    super(`the stored state of room ${roomId} is corrupt (row ${rowId} fails its checksum)`);
  }
}
