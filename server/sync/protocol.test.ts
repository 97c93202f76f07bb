import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  decodeClientMessage,
  encodeAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  ProtocolError,
} from './protocol.ts';

/** What the stock client sends, built with y-protocols itself. */
function clientStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

describe('decodeClientMessage', () => {
  it('decodes what y-protocols encodes', () => {
    const doc = new Y.Doc();
    doc.getMap('m').set('k', 1);
    const step1 = decodeClientMessage(clientStep1(doc));
    expect(step1.type).toBe('sync-step-1');
    expect(step1.type === 'sync-step-1' && Y.decodeStateVector(step1.stateVector).get(doc.clientID)).toBe(1);
    const update = Y.encodeStateAsUpdate(doc);
    expect(decodeClientMessage(encodeSyncStep2(update))).toEqual({ type: 'sync-step-2', update });
    expect(decodeClientMessage(encodeUpdate(update))).toEqual({ type: 'update', update });
    expect(decodeClientMessage(encodeAwareness(new Uint8Array([0])))).toEqual({
      type: 'awareness',
      update: new Uint8Array([0]),
    });
    expect(decodeClientMessage(new Uint8Array([3]))).toEqual({ type: 'query-awareness' });
    expect(decodeClientMessage(encodeSyncStep1(Y.encodeStateVector(doc))).type).toBe('sync-step-1');
  });

  it('encodes sync messages byte for byte as y-protocols does, at every varuint length boundary', () => {
    const stock = (write: (encoder: encoding.Encoder, payload: Uint8Array) => void, payload: Uint8Array) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      write(encoder, payload);
      return encoding.toUint8Array(encoder);
    };
    for (const size of [0, 1, 127, 128, 16_383, 16_384, 2_097_152]) {
      const payload = Uint8Array.from({ length: size }, (_, i) => (i * 31) % 256);
      // Byte comparison (the messages are Buffers; toEqual would also walk 2 MB element by element for seconds).
      const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);
      expect(same(encodeUpdate(payload), stock(syncProtocol.writeUpdate, payload))).toBe(true);
      const step2 = (encoder: encoding.Encoder, bytes: Uint8Array) => {
        encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
        encoding.writeVarUint8Array(encoder, bytes);
      };
      expect(same(encodeSyncStep2(payload), stock(step2, payload))).toBe(true);
    }
    const doc = new Y.Doc();
    doc.getMap('m').set('k', 1);
    expect(Buffer.from(encodeSyncStep1(Y.encodeStateVector(doc))).equals(clientStep1(doc))).toBe(true);
  });

  it('refuses malformed messages with a ProtocolError', () => {
    const cases: [string, number[]][] = [
      ['empty', []],
      ['unknown type', [9]],
      ['auth is server-only', [2, 0]],
      ['unknown sync type', [0, 7, 0]],
      ['missing payload', [0, 1]],
      ['truncated payload', [0, 2, 10, 1, 2]],
      ['trailing bytes', [0, 0, 1, 0, 99]],
      ['huge varint', [0, 2, 255, 255, 255, 255, 255, 255, 255, 255, 255, 127]],
      ['truncated varint', [0, 2, 255]],
    ];
    for (const [name, bytes] of cases) {
      expect(() => decodeClientMessage(new Uint8Array(bytes)), name).toThrow(ProtocolError);
    }
  });

  it('copies payloads out of the message buffer', () => {
    const message = encodeUpdate(new Uint8Array([1, 2, 3]));
    const decoded = decodeClientMessage(message);
    expect(decoded.type === 'update' && decoded.update.buffer).not.toBe(message.buffer);
  });
});
