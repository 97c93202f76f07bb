/**
 * A bounded first look at a large Yjs update (version 1 encoding, as y-websocket and the push endpoint send
 * it): walks its structs, values and deletions with lib0 and stops as soon as one passes its bound, creating no
 * struct objects. `Y.decodeUpdate` cannot stop early: a crafted 8 MB update of tiny structs takes seconds to
 * decode and hundreds of megabytes to hold, before anything could count them. Large updates are scanned first
 * and decoded only when they fit (update-guard.ts); small ones are decoded at once, which is bounded by their size.
 */
import * as decoding from 'lib0/decoding';

export type ScanLimits = {
  maxStructsPerUpdate: number;
  maxClientsPerUpdate: number;
  maxDeleteRangesPerUpdate: number;
  /** JSON values inside item contents (each element, object field or array entry counts). */
  maxValuesPerUpdate: number;
};

export type ScanResult = { ok: true } | { ok: false; malformed: boolean; reason: string };

class Exceeded extends Error {}

/** Content kinds of Yjs items (the low five bits of a struct's info byte). */
const GC = 0;
const DELETED = 1;
const JSON_CONTENT = 2;
const BINARY = 3;
const STRING = 4;
const EMBED = 5;
const FORMAT = 6;
const TYPE = 7;
const ANY = 8;
const DOC = 9;
const SKIP = 10;
/** Y.XmlElement and Y.XmlHook carry a name after their type ref. */
const XML_ELEMENT = 3;
const XML_HOOK = 5;

const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;

export function scanUpdate(update: Uint8Array, limits: ScanLimits): ScanResult {
  const scanner = new Scanner(update, limits);
  try {
    scanner.run();
  } catch (error) {
    if (error instanceof Exceeded) return { ok: false, malformed: false, reason: error.message };
    return { ok: false, malformed: true, reason: 'malformed update' };
  }
  return { ok: true };
}

class Scanner {
  private readonly decoder: decoding.Decoder;
  private structs = 0;
  private values = 0;
  private readonly clients = new Set<number>();

  constructor(
    update: Uint8Array,
    private readonly limits: ScanLimits,
  ) {
    this.decoder = decoding.createDecoder(update);
  }

  run(): void {
    const d = this.decoder;
    const sections = this.uint();
    for (let s = 0; s < sections; s++) {
      const structs = this.uint();
      const client = this.uint();
      this.uint(); // first clock
      this.clients.add(client);
      if (this.clients.size > this.limits.maxClientsPerUpdate) {
        throw new Exceeded(`update holds more than ${this.limits.maxClientsPerUpdate} client ids`);
      }
      for (let i = 0; i < structs; i++) this.struct();
    }
    let ranges = 0;
    const deleteClients = this.uint();
    for (let c = 0; c < deleteClients; c++) {
      this.uint(); // client
      const count = this.uint();
      ranges += count;
      if (ranges > this.limits.maxDeleteRangesPerUpdate) {
        throw new Exceeded(`update holds more than ${this.limits.maxDeleteRangesPerUpdate} deletions`);
      }
      for (let r = 0; r < count; r++) {
        this.uint();
        this.uint();
      }
    }
    if (d.pos > d.arr.length) throw new Error('truncated');
  }

  private struct(): void {
    if (++this.structs > this.limits.maxStructsPerUpdate) {
      throw new Exceeded(`update holds more than ${this.limits.maxStructsPerUpdate} structs`);
    }
    const info = this.byte();
    const kind = info & 31;
    if (kind === GC || kind === SKIP) {
      this.uint();
      return;
    }
    if (info & BIT8) this.id();
    if (info & BIT7) this.id();
    if ((info & (BIT7 | BIT8)) === 0) {
      if (this.uint() === 1) this.string();
      else this.id();
      if (info & BIT6) this.string();
    }
    this.content(kind);
  }

  private content(kind: number): void {
    switch (kind) {
      case DELETED:
        this.uint();
        return;
      case JSON_CONTENT: {
        const count = this.uint();
        for (let i = 0; i < count; i++) {
          this.countValue();
          this.string();
        }
        return;
      }
      case BINARY:
      case STRING:
      case EMBED:
        this.string();
        return;
      case FORMAT:
        this.string();
        this.string();
        return;
      case TYPE: {
        const ref = this.uint();
        if (ref === XML_ELEMENT || ref === XML_HOOK) this.string();
        return;
      }
      case ANY: {
        const count = this.uint();
        for (let i = 0; i < count; i++) this.any();
        return;
      }
      case DOC:
        this.string();
        this.any();
        return;
      default:
        throw new Error(`unknown content ${kind}`);
    }
  }

  /** Skips one lib0 `any` value, counting it and every value inside it. Nesting deeper than the stack allows is
   * malformed here as it is for lib0's own reader. */
  private any(): void {
    this.countValue();
    const type = this.byte();
    switch (type) {
      case 127: // undefined
      case 126: // null
      case 121: // false
      case 120: // true
        return;
      case 125:
        decoding.readVarInt(this.decoder);
        return;
      case 124:
        this.skip(4);
        return;
      case 123:
      case 122:
        this.skip(8);
        return;
      case 119: // string
      case 116: // Uint8Array
        this.string();
        return;
      case 118: {
        const fields = this.uint();
        for (let i = 0; i < fields; i++) {
          this.string();
          this.any();
        }
        return;
      }
      case 117: {
        const entries = this.uint();
        for (let i = 0; i < entries; i++) this.any();
        return;
      }
      default:
        throw new Error(`unknown value type ${type}`);
    }
  }

  private countValue(): void {
    if (++this.values > this.limits.maxValuesPerUpdate) {
      throw new Exceeded(`update holds more than ${this.limits.maxValuesPerUpdate} values`);
    }
  }

  private id(): void {
    this.uint();
    this.uint();
  }

  private uint(): number {
    return decoding.readVarUint(this.decoder);
  }

  private byte(): number {
    const d = this.decoder;
    if (d.pos >= d.arr.length) throw new Error('truncated');
    return d.arr[d.pos++]!;
  }

  /** Skips a length-prefixed string or byte array. */
  private string(): void {
    this.skip(this.uint());
  }

  private skip(bytes: number): void {
    const d = this.decoder;
    if (bytes > d.arr.length - d.pos) throw new Error('truncated');
    d.pos += bytes;
  }
}
