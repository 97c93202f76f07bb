/**
 * The durable half of an append: each accepted update is one framed record written to an append-only file with
 * a single write(), which is all it takes to survive a killed process (the bytes are in the kernel once write()
 * returns; with `fsync` they are also on the disk). A SQLite commit of the same update costs about ten times as
 * much, because it writes several pages (update row, its index, room row, team cursor index); SQLite gets the
 * records in batches afterwards (SqliteUpdateStore), which empties this file whenever it has grown past 1 MiB. At
 * startup the records SQLite never received (ids above its highest) are read back from here.
 *
 * Frame: u32 body length, u32 CRC-32 of the body, body = f64 change id, f64 time (ms), u16 + room id (UTF-8),
 * u16 + team id (UTF-8), update bytes. A frame cut short or failing its checksum ends the readable part: it was
 * never acknowledged (its write() did not return), so it and anything after it are dropped.
 */
import {
  closeSync,
  fdatasyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writevSync,
} from 'node:fs';
import { crc32 } from 'node:zlib';
import { ConfigError } from '../config.ts';

export const JOURNAL_FILE = 'pizhu.journal';

export type JournalRecord = { id: number; roomId: string; teamId: string; at: number; update: Uint8Array };

export type JournalContents = {
  records: JournalRecord[];
  /** Bytes after the last whole frame (a write cut short by a crash or a full disk); dropped. */
  droppedBytes: number;
};

const FRAME_HEADER = 8;
/** What `append` writes ahead of the ids: the frame header, then the body's change id and time. */
const HEAD_BYTES = FRAME_HEADER + 16;
/** Change id and time (f64 each) and the two u16 id lengths. */
const FIXED_BODY = 8 + 8 + 2 + 2;
/** Room and team ids are short ASCII; a larger length field means the frame is garbage. */
const MAX_ID_BYTES = 1024;
/** Rooms whose encoded ids are kept (a room id fixes its team). */
const ENCODED_IDS_KEPT = 10_000;

export class UpdateJournal {
  private fd = -1;
  private size = 0;
  private contents: JournalContents | null;
  private readonly encodedIds = new Map<string, Buffer>();
  /** Length, checksum, id and time of the frame being written; reused, as writev() copies it before returning. */
  private readonly head = Buffer.alloc(HEAD_BYTES);

  /** Opens (or creates) the file and reads what it holds; `takeRecovered()` hands those records over. */
  constructor(
    readonly file: string,
    private readonly options: { fsync: boolean },
  ) {
    claimJournal(file);
    try {
      this.fd = openSync(file, 'a+');
      const existing = readFileSync(file);
      this.contents = parseJournal(existing);
      this.size = existing.byteLength;
      if (this.contents.droppedBytes > 0) this.truncate(existing.byteLength - this.contents.droppedBytes);
    } catch (error) {
      this.close();
      releaseJournal(file);
      throw error;
    }
  }

  /**
   * The records the file held when it was opened (those a previous process may not have handed to SQLite);
   * once only, so they are not kept in memory afterwards.
   */
  takeRecovered(): JournalContents {
    const contents = this.contents ?? { records: [], droppedBytes: 0 };
    this.contents = null;
    return contents;
  }

  /** Writes one record; returns once it survives this process's death (and the machine's with `fsync`). */
  append(record: JournalRecord): void {
    if (this.fd < 0) throw new Error(`journal ${this.file} is closed`);
    // The frame goes out in pieces (no frame buffer and no copy of the update on the path to the subscribers).
    const ids = this.idsOf(record);
    const frameBytes = writeFrameHead(this.head, record, ids);
    let written: number;
    try {
      written = writevSync(this.fd, [this.head, ids, record.update]);
      if (this.options.fsync) fdatasyncSync(this.fd);
    } catch (error) {
      this.dropPartialFrame();
      throw error;
    }
    if (written !== frameBytes) {
      this.dropPartialFrame();
      throw new Error(`journal ${this.file}: short write (${written} of ${frameBytes} bytes)`);
    }
    this.size += written;
  }

  /** Empties the file once every record in it is stored elsewhere. */
  clear(): void {
    this.truncate(0);
  }

  get bytes(): number {
    return this.size;
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    releaseJournal(this.file);
  }

  /** Every append of a room repeats its ids; encoding them once per room is a measurable part of an append. */
  private idsOf(record: JournalRecord): Buffer {
    let ids = this.encodedIds.get(record.roomId);
    if (!ids) {
      if (this.encodedIds.size >= ENCODED_IDS_KEPT) this.encodedIds.clear();
      ids = encodeIds(record.roomId, record.teamId);
      this.encodedIds.set(record.roomId, ids);
    }
    return ids;
  }

  /** After a failed write: cut whatever part of the frame reached the file (best effort; reading stops there anyway). */
  private dropPartialFrame(): void {
    try {
      this.truncate(this.size);
    } catch {
      // the frame's checksum keeps a partial frame from ever being read
    }
  }

  private truncate(size: number): void {
    ftruncateSync(this.fd, size);
    if (this.options.fsync) fdatasyncSync(this.fd);
    this.size = size;
  }
}

/** Journals this process has open: a second one on the same file would interleave two numberings. */
const claimed = new Set<string>();

/**
 * One writer per journal: this process numbers the updates it journals, so a second server on the same DATA_DIR
 * must not start. The lock file names the holder's pid; a lock left by a process that is gone is taken over.
 */
function claimJournal(file: string): void {
  const lock = `${file}.lock`;
  if (claimed.has(file)) throw new ConfigError(`The journal ${file} is already open in this process`);
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(lock, 'utf8'));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
      throw new ConfigError(
        `Another Pizhu server (pid ${holder}) is using this DATA_DIR; stop it or give this server its own DATA_DIR ` +
          `(if no such server runs, delete ${lock})`,
      );
    }
    writeFileSync(lock, String(process.pid));
  }
  claimed.add(file);
}

function releaseJournal(file: string): void {
  claimed.delete(file);
  try {
    unlinkSync(`${file}.lock`);
  } catch {
    // already gone
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The room and team part of a frame body: u16 length + UTF-8 room id, u16 length + UTF-8 team id. */
export function encodeIds(roomId: string, teamId: string): Buffer {
  const room = Buffer.from(roomId, 'utf8');
  const team = Buffer.from(teamId, 'utf8');
  const ids = Buffer.allocUnsafe(4 + room.byteLength + team.byteLength);
  ids.writeUInt16LE(room.byteLength, 0);
  room.copy(ids, 2);
  ids.writeUInt16LE(team.byteLength, 2 + room.byteLength);
  team.copy(ids, 4 + room.byteLength);
  return ids;
}

/**
 * Fills `head` (HEAD_BYTES) with the frame's length, checksum, id and time; the frame is `head`,
 * then `ids`, then the update. Returns the frame's length.
 */
function writeFrameHead(head: Buffer, record: JournalRecord, ids: Buffer): number {
  const bodyLength = 16 + ids.byteLength + record.update.byteLength;
  head.writeUInt32LE(bodyLength, 0);
  head.writeDoubleLE(record.id, FRAME_HEADER);
  head.writeDoubleLE(record.at, FRAME_HEADER + 8);
  const checksum = crc32(ids, crc32(head.subarray(FRAME_HEADER)));
  // Node's crc32 hands zlib a null pointer for an empty array that writev has seen, and zlib then answers 0.
  head.writeUInt32LE(record.update.byteLength > 0 ? crc32(record.update, checksum) : checksum, 4);
  return FRAME_HEADER + bodyLength;
}

/** One frame in one buffer (for reading tests and tools; `append` writes the same bytes in pieces). */
export function encodeFrame(record: JournalRecord, ids = encodeIds(record.roomId, record.teamId)): Buffer {
  const head = Buffer.alloc(HEAD_BYTES);
  writeFrameHead(head, record, ids);
  return Buffer.concat([head, ids, record.update]);
}

export function parseJournal(bytes: Buffer): JournalContents {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const record = readFrame(bytes, offset);
    if (!record) break;
    records.push(record.value);
    offset = record.next;
  }
  return { records, droppedBytes: bytes.byteLength - offset };
}

function readFrame(bytes: Buffer, offset: number): { value: JournalRecord; next: number } | null {
  if (bytes.byteLength - offset < FRAME_HEADER) return null;
  const bodyLength = bytes.readUInt32LE(offset);
  const bodyStart = offset + FRAME_HEADER;
  const next = bodyStart + bodyLength;
  if (bodyLength < FIXED_BODY || next > bytes.byteLength) return null;
  const body = bytes.subarray(bodyStart, next);
  if (crc32(body) !== bytes.readUInt32LE(offset + 4)) return null;
  const id = body.readDoubleLE(0);
  const at = body.readDoubleLE(8);
  let cursor = 16;
  const roomLength = body.readUInt16LE(cursor);
  cursor += 2;
  if (roomLength > MAX_ID_BYTES || cursor + roomLength + 2 > body.byteLength) return null;
  const roomId = body.toString('utf8', cursor, cursor + roomLength);
  cursor += roomLength;
  const teamLength = body.readUInt16LE(cursor);
  cursor += 2;
  if (teamLength > MAX_ID_BYTES || cursor + teamLength > body.byteLength) return null;
  const teamId = body.toString('utf8', cursor, cursor + teamLength);
  cursor += teamLength;
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  // A copy, so the records do not pin the whole file's buffer.
  const update = new Uint8Array(body.subarray(cursor));
  return { value: { id, roomId, teamId, at, update }, next };
}
