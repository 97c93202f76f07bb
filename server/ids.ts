/**
 * Random identifiers and secrets. Secrets (tokens, tickets, invite codes) are only ever stored as SHA-256
 * hashes; a leaked database does not let anyone in.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Crockford base32 without I, L, O, U: easy to read aloud and type. */
const INVITE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function randomFrom(alphabet: string, length: number): string {
  // Rejection sampling keeps every symbol equally likely.
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** A URL-safe id with a readable prefix: "t" team, "m" member, "i" invite. */
export function newId(prefix: string, length = 14): string {
  return `${prefix}${randomFrom(ALPHANUMERIC, length)}`;
}

/** A bearer token (256 bits). */
export function newToken(): string {
  return `pz_${randomBytes(32).toString('base64url')}`;
}

/** A single-use WebSocket ticket (192 bits). */
export function newTicket(): string {
  return `tk_${randomBytes(24).toString('base64url')}`;
}

/** An invite code people can type: 12 symbols of base32 in groups of four (60 bits). */
export function newInviteCode(): string {
  const raw = randomFrom(INVITE_ALPHABET, 12);
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

/** Invite codes match however they were typed: case, spaces, dashes and the look-alikes O/I/L do not matter. */
export function normaliseInviteCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
