/**
 * Who is on the page: the y-protocols awareness states of one room, relayed between its sockets. Compatible
 * with the awareness wire format (count, then client id, clock and JSON state per entry) but kept by the server
 * itself, so it can bound what one socket announces, refuse to let a socket overwrite another socket's client,
 * and drop everything a socket announced when it closes.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ProtocolError } from './protocol.ts';

type Entry = { clock: number; state: string | null; owner: object | null; updatedAt: number };

export type PresenceLimits = { maxStateBytes: number; maxClientsPerOwner: number };

const MAX_ENTRIES_PER_MESSAGE = 64;

export class Presence {
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly limits: PresenceLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of clients currently present. */
  get size(): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.state !== null) n++;
    return n;
  }

  /**
   * Applies a client's awareness update. Returns the entries that changed, re-encoded for the other sockets
   * (null when nothing changed). Throws ProtocolError for malformed updates; entries over a limit are skipped.
   */
  apply(update: Uint8Array, owner: object | null): { changed: Uint8Array | null; refused: number } {
    const incoming = decodePresence(update, this.limits.maxStateBytes);
    const changed: number[] = [];
    let refused = 0;
    const time = this.now();
    for (const { client, clock, state } of incoming) {
      const current = this.entries.get(client);
      if (owner && current?.owner && current.owner !== owner && current.state !== null) {
        refused++; // another socket's client: not yours to change
        continue;
      }
      if (
        owner &&
        state !== null &&
        current?.owner !== owner &&
        this.clientsOf(owner) >= this.limits.maxClientsPerOwner
      ) {
        refused++;
        continue;
      }
      const currentClock = current?.clock ?? 0;
      const newer = currentClock < clock;
      const removal = currentClock === clock && state === null && current !== undefined && current.state !== null;
      if (!newer && !removal) continue;
      this.entries.set(client, { clock, state, owner: state === null ? null : owner, updatedAt: time });
      changed.push(client);
    }
    return { changed: changed.length ? this.encode(changed) : null, refused };
  }

  clientsOf(owner: object): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.owner === owner && entry.state !== null) n++;
    return n;
  }

  /** Every present client, for a socket that just joined (null when nobody is there). */
  encodeAll(): Uint8Array | null {
    const present = [...this.entries].filter(([, e]) => e.state !== null).map(([client]) => client);
    return present.length ? this.encode(present) : null;
  }

  /** Marks everything a closed socket announced as gone; returns the removal to relay (or null). */
  removeOwner(owner: object): Uint8Array | null {
    const gone: number[] = [];
    for (const [client, entry] of this.entries) {
      if (entry.owner === owner && entry.state !== null) {
        this.entries.set(client, { clock: entry.clock + 1, state: null, owner: null, updatedAt: this.now() });
        gone.push(client);
      }
    }
    return gone.length ? this.encode(gone) : null;
  }

  /** Removes clients not renewed within `timeoutMs`; forgets removed ones after the same time. */
  sweep(timeoutMs: number): Uint8Array | null {
    const time = this.now();
    const gone: number[] = [];
    for (const [client, entry] of this.entries) {
      if (time - entry.updatedAt < timeoutMs) continue;
      if (entry.state === null) {
        this.entries.delete(client);
      } else {
        this.entries.set(client, { clock: entry.clock + 1, state: null, owner: null, updatedAt: time });
        gone.push(client);
      }
    }
    return gone.length ? this.encode(gone) : null;
  }

  private encode(clients: number[]): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, clients.length);
    for (const client of clients) {
      const entry = this.entries.get(client)!;
      encoding.writeVarUint(encoder, client);
      encoding.writeVarUint(encoder, entry.clock);
      encoding.writeVarString(encoder, entry.state ?? 'null');
    }
    return encoding.toUint8Array(encoder);
  }
}

export function decodePresence(
  update: Uint8Array,
  maxStateBytes: number,
): { client: number; clock: number; state: string | null }[] {
  const decoder = decoding.createDecoder(update);
  const entries: { client: number; clock: number; state: string | null }[] = [];
  try {
    const count = decoding.readVarUint(decoder);
    if (count > MAX_ENTRIES_PER_MESSAGE) throw new ProtocolError(`awareness update with ${count} entries`);
    for (let i = 0; i < count; i++) {
      const client = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const length = decoding.peekVarUint(decoder);
      if (length > maxStateBytes * 4) throw new ProtocolError('awareness state too large');
      if (length > decoder.arr.length - decoder.pos) throw new ProtocolError('awareness state is truncated');
      const text = decoding.readVarString(decoder);
      if (text.length > maxStateBytes) throw new ProtocolError('awareness state too large');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ProtocolError('awareness state is not JSON');
      }
      entries.push({ client, clock, state: parsed === null ? null : text });
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError('malformed awareness update');
  }
  if (decoder.pos !== decoder.arr.length) throw new ProtocolError('trailing bytes after the awareness update');
  return entries;
}
