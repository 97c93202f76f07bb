/**
 * Every error the sync server can answer with, by a stable code. HTTP errors are
 * `{ "error": { "code", "message", "params"? } }`; a refused push names a code per room; a closed WebSocket has
 * a close code, which `closeCodeError` turns into one of these codes. `message` is English for logs, scripts and
 * the CLI; clients word an error from its code and `params` (the extension through its _locales catalogues) and
 * show `message` only for a code they do not know. A code, once released, keeps its meaning and its params.
 */
import { CLOSE_CODES } from './api.ts';

/** Values of an error's message, by name; the names of each code are listed below, in the order clients use. */
export type ErrorParams = Record<string, string | number>;

/**
 * code → the HTTP status it comes with (0: not an HTTP answer, only a push result or a close reason) and the names
 * of its params.
 */
export const API_ERRORS = {
  // --- requests ---
  /** The request (query, body) failed its schema; `detail` lists the first problems. */
  invalid_request: { status: 400, params: ['detail'] },
  invalid_json: { status: 400, params: [] },
  /** A field that must be base64 is not. */
  invalid_base64: { status: 400, params: ['field'] },
  invalid_state_vector: { status: 400, params: ['room'] },
  /** `url` of the annotation list is not a page URL. */
  invalid_url: { status: 400, params: ['detail'] },
  invalid_cursor: { status: 400, params: [] },
  /** A room id is `<teamId>.<documentKey>`. */
  invalid_room: { status: 400, params: [] },
  /** A team name has 1 to 100 characters (CLI). */
  invalid_team_name: { status: 400, params: [] },
  /** A tag rename's new name is empty (once normalised). */
  empty_tag: { status: 400, params: [] },
  /** A tag rename's new name is longer than `max` characters. */
  tag_too_long: { status: 400, params: ['max'] },
  too_large: { status: 413, params: [] },
  not_found: { status: 404, params: [] },
  upgrade_required: { status: 426, params: [] },

  // --- who is asking ---
  /** No bearer token, or one the server does not know (revoked, never issued). */
  unauthorized: { status: 401, params: [] },
  ticket_required: { status: 401, params: [] },
  ticket_invalid: { status: 401, params: [] },
  ticket_expired: { status: 401, params: [] },
  /** The token behind a ticket or an open socket was revoked, or its member removed. */
  token_revoked: { status: 401, params: [] },
  origin_not_allowed: { status: 403, params: [] },
  not_team_member: { status: 403, params: [] },
  /** `roles`: the roles allowed (comma-separated role names), `role`: the caller's. */
  role_required: { status: 403, params: ['roles', 'role'] },
  room_other_team: { status: 403, params: ['room'] },
  ticket_other_room: { status: 403, params: [] },
  viewer_read_only: { status: 403, params: [] },

  // --- joining, members, invites ---
  invite_unknown: { status: 404, params: [] },
  invite_expired: { status: 410, params: [] },
  invite_used_up: { status: 410, params: [] },
  invite_revoked: { status: 410, params: [] },
  too_many_attempts: { status: 429, params: [] },
  /** `max`: the team's member limit. */
  team_full: { status: 403, params: ['max'] },
  team_not_found: { status: 404, params: ['teamId'] },
  invite_not_found: { status: 404, params: [] },
  member_not_found: { status: 404, params: [] },
  token_not_found: { status: 404, params: [] },
  /** CLI `revoke`: `value` is neither a token, a member id nor an active invite id. */
  revoke_target_not_found: { status: 404, params: ['value'] },
  last_owner: { status: 409, params: [] },

  // --- load and limits ---
  too_many_connections: { status: 429, params: [] },
  /** The member used up their share of the server's time; tickets, sockets and pushes are refused for a while. */
  throttled: { status: 429, params: [] },
  /** Storage failed, or the server is at a memory or per-team room limit; try again later. */
  unavailable: { status: 503, params: [] },
  internal: { status: 500, params: [] },

  // --- updates refused (push results, and the reason a socket was closed) ---
  /** The message or update could not be decoded. */
  malformed: { status: 0, params: [] },
  /** An update whose dependencies never arrived. */
  pending: { status: 0, params: [] },
  /** A viewer's edit over a socket. */
  forbidden: { status: 0, params: [] },
  /** The update breaks the room's write rules (docs/room-layout.md). */
  not_allowed: { status: 0, params: [] },
  /** A value that fails its schema. */
  invalid_value: { status: 0, params: [] },
  too_costly: { status: 0, params: [] },
  /** The update would take many times its size in memory. */
  decoded_size: { status: 0, params: [] },
  room_full: { status: 0, params: [] },
  /** A server-wide memory budget. */
  memory: { status: 0, params: [] },
  /** A per-team cap (rooms, members, sockets). */
  team_limit: { status: 0, params: [] },
  rate_limited: { status: 0, params: [] },
  queue_full: { status: 0, params: [] },
  slow_consumer: { status: 0, params: [] },
  presence: { status: 0, params: [] },
  dead_peer: { status: 0, params: [] },
  /** A socket's room id is not one. */
  bad_room: { status: 404, params: [] },
  /** The member's role changed while connected: reconnect to continue with the new role. */
  role_changed: { status: 0, params: [] },
  /** The server is shutting down (restarts reconnect). */
  shutting_down: { status: 0, params: [] },

  // --- rooms a bulk catch-up could not send (`unavailable` of its answer) ---
  /** The room's stored state fails its checksum. */
  corrupt: { status: 0, params: ['room'] },
  /** The room's stored state could not be read or decoded. */
  unreadable: { status: 0, params: ['room'] },
} as const satisfies Record<string, { status: number; params: readonly string[] }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERRORS, code);
}

/** The code a WebSocket close code stands for (null: a normal close, or one the server does not send). */
export function closeCodeError(code: number): ApiErrorCode | null {
  return CLOSE_CODE_ERRORS.get(code) ?? null;
}

const CLOSE_CODE_ERRORS = new Map<number, ApiErrorCode>([
  [CLOSE_CODES.malformed, 'malformed'],
  [CLOSE_CODES.badTicket, 'token_revoked'],
  [CLOSE_CODES.forbidden, 'not_allowed'],
  [CLOSE_CODES.badRoom, 'bad_room'],
  [CLOSE_CODES.roomFull, 'room_full'],
  [CLOSE_CODES.tooCostly, 'too_costly'],
  [CLOSE_CODES.tooLarge, 'too_large'],
  [CLOSE_CODES.slowConsumer, 'slow_consumer'],
  [CLOSE_CODES.rateLimited, 'rate_limited'],
  [CLOSE_CODES.throttled, 'throttled'],
  [CLOSE_CODES.unavailable, 'unavailable'],
  [CLOSE_CODES.roleChanged, 'role_changed'],
  [CLOSE_CODES.shuttingDown, 'shutting_down'],
]);
