/**
 * The y-websocket wire format (y-protocols): sync step 1 (a state vector), sync step 2 and update (a Yjs update),
 * awareness (presence). Client messages are decoded strictly: an unknown type, a server-only message, trailing
 * bytes or a truncated field is a ProtocolError, and the socket that sent it is closed.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
export const SYNC_STEP_1 = 0;
export const SYNC_STEP_2 = 1;
export const SYNC_UPDATE = 2;

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export type ClientMessage =
  | { type: 'sync-step-1'; stateVector: Uint8Array }
  | { type: 'sync-step-2'; update: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' };

function readBytes(decoder: decoding.Decoder, what: string): Uint8Array {
  const length = readUint(decoder, `${what} length`);
  if (length > decoder.arr.length - decoder.pos) throw new ProtocolError(`${what} is truncated`);
  // A copy: lib0 and Yjs bound their reads by the underlying buffer, not by the view, so a view would let a
  // malformed payload read into the bytes that follow it.
  return decoding.readUint8Array(decoder, length).slice();
}

function readUint(decoder: decoding.Decoder, what: string): number {
  if (decoder.pos >= decoder.arr.length) throw new ProtocolError(`${what} is missing`);
  try {
    return decoding.readVarUint(decoder);
  } catch {
    throw new ProtocolError(`${what} is not a valid number`);
  }
}

function expectEnd(decoder: decoding.Decoder): void {
  if (decoder.pos !== decoder.arr.length) throw new ProtocolError('trailing bytes after the message');
}

export function decodeClientMessage(data: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(data);
  const type = readUint(decoder, 'message type');
  let message: ClientMessage;
  switch (type) {
    case MESSAGE_SYNC: {
      const step = readUint(decoder, 'sync message type');
      const payload = readBytes(decoder, 'sync payload');
      if (step === SYNC_STEP_1) message = { type: 'sync-step-1', stateVector: payload };
      else if (step === SYNC_STEP_2) message = { type: 'sync-step-2', update: payload };
      else if (step === SYNC_UPDATE) message = { type: 'update', update: payload };
      else throw new ProtocolError(`unknown sync message type ${step}`);
      break;
    }
    case MESSAGE_AWARENESS:
      message = { type: 'awareness', update: readBytes(decoder, 'awareness payload') };
      break;
    case MESSAGE_QUERY_AWARENESS:
      message = { type: 'query-awareness' };
      break;
    case MESSAGE_AUTH:
      throw new ProtocolError('auth messages are sent by the server only');
    default:
      throw new ProtocolError(`unknown message type ${type}`);
  }
  expectEnd(decoder);
  return message;
}

/**
 * Message type, sync step, then the payload with its varuint length (lib0's layout), written into one buffer of the
 * exact size: every accepted update is framed like this before its first send, and lib0's growing encoder
 * allocates and copies it three times. A Buffer, because ws wraps anything else in a new Buffer on every send.
 */
function encodeSync(step: number, payload: Uint8Array): Uint8Array {
  let lengthBytes = 1;
  for (let rest = payload.byteLength; rest > 0x7f; rest = Math.floor(rest / 0x80)) lengthBytes++;
  // Every byte is written below.
  const message = Buffer.allocUnsafe(2 + lengthBytes + payload.byteLength);
  message[0] = MESSAGE_SYNC;
  message[1] = step;
  let offset = 2;
  let length = payload.byteLength;
  for (; length > 0x7f; length = Math.floor(length / 0x80)) message[offset++] = 0x80 | (length & 0x7f);
  message[offset++] = length;
  message.set(payload, offset);
  return message;
}

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array => encodeSync(SYNC_STEP_1, stateVector);
export const encodeSyncStep2 = (update: Uint8Array): Uint8Array => encodeSync(SYNC_STEP_2, update);
export const encodeUpdate = (update: Uint8Array): Uint8Array => encodeSync(SYNC_UPDATE, update);

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}
