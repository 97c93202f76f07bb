/**
 * The sync server's HTTP contract, shared by the server (which validates requests with these schemas) and the
 * extension (which validates responses with them). Binary Yjs payloads travel as base64 strings in JSON.
 * Errors are always `{ "error": { "code", "message", "params"? } }` with a fitting HTTP status; the codes and
 * their params are listed in errors.ts.
 */
import { z } from 'zod';
import { annotationSchema, documentInfoSchema, idSchema } from '../model/annotation.ts';
import { unitSchema } from '../model/team-room.ts';

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const roomIdSchema = z
  .string()
  .max(129)
  .regex(/^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{1,64}$/, 'must be "<teamId>.<documentKey>"');

const base64 = z
  .string()
  .max(64 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

/**
 * One error as the server states it. `code` is one of errors.ts's (a string here, so a client still reads the
 * answer of a newer server), `params` the values its message names.
 */
export const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export const errorBodySchema = z.object({ error: apiErrorSchema });
export type ErrorBody = z.infer<typeof errorBodySchema>;

// POST /api/join
export const joinRequestSchema = z.object({
  inviteCode: z.string().trim().min(4).max(128),
  displayName: z.string().trim().min(1).max(100),
});
export const joinResponseSchema = z.object({
  token: z.string().min(16),
  teamId: idSchema,
  teamName: z.string().optional(),
  memberId: idSchema,
  role: z.enum(ROLES),
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;
export type JoinResponse = z.infer<typeof joinResponseSchema>;

/** The unit the owner gave a member (its id in the team room's `units`, and its name), for progress on tasks. */
export const memberUnitSchema = z.object({ id: idSchema, name: z.string() });

// GET /api/me (Authorization: Bearer <token>)
export const meResponseSchema = z.object({
  teamId: idSchema,
  teamName: z.string(),
  memberId: idSchema,
  displayName: z.string(),
  role: z.enum(ROLES),
  unit: memberUnitSchema.nullable().optional(),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

// POST /api/tickets (Authorization: Bearer <token>): a single-use, short-lived ticket for one room's WebSocket
export const ticketRequestSchema = z.object({ room: roomIdSchema });
export const ticketResponseSchema = z.object({ ticket: z.string().min(16), expiresAt: z.number().int() });
export type TicketResponse = z.infer<typeof ticketResponseSchema>;

/**
 * POST /api/teams/<teamId>/sync (Authorization: Bearer): bulk catch-up.
 * The client sends the change cursor it last saw and the state vectors of the rooms it holds; the server
 * answers, for every room of the team changed since the cursor (and every listed room the client is behind on),
 * the update the client misses and the server's state vector, so the client can push back what the server lacks.
 */
export const bulkSyncRequestSchema = z.object({
  since: z.string().max(64).nullable().default(null),
  rooms: z.record(roomIdSchema, base64).default({}),
});
export const bulkSyncRoomSchema = z.object({
  room: roomIdSchema,
  update: base64,
  stateVector: base64,
});
/** A room the server could not read (its stored state failed its checksum): nothing of it is sent. */
export const bulkSyncUnavailableSchema = z.object({
  room: roomIdSchema,
  code: z.string(),
  message: z.string(),
});
export const bulkSyncResponseSchema = z.object({
  /** Never past a room listed in `unavailable`, so a later call asks for it again. */
  cursor: z.string(),
  rooms: z.array(bulkSyncRoomSchema),
  unavailable: z.array(bulkSyncUnavailableSchema).default([]),
  /**
   * true when the response reached its size limit before every changed room was included: call again with the
   * returned cursor (and the same state vectors) to get the rest.
   */
  more: z.boolean().default(false),
});
export type BulkSyncRequest = z.input<typeof bulkSyncRequestSchema>;
export type BulkSyncResponse = z.input<typeof bulkSyncResponseSchema>;

/**
 * POST /api/teams/<teamId>/push (Authorization: Bearer): updates made offline, for rooms not open in realtime.
 * Each update is stored durably before the response. A room that refuses one update (the write rules: a viewer
 * may add only progress on their unit's tasks; malformed, missing dependencies, room full) reports it in
 * `results` and the others apply.
 */
export const pushRequestSchema = z.object({
  updates: z.array(z.object({ room: roomIdSchema, update: base64 })).max(1_000),
});
export const pushResponseSchema = z.object({
  results: z.array(
    z.object({
      room: roomIdSchema,
      ok: z.boolean(),
      error: apiErrorSchema.optional(),
    }),
  ),
  cursor: z.string(),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;
export type PushResponse = z.infer<typeof pushResponseSchema>;

// --- team management (owners) ---

export const memberSchema = z.object({
  id: idSchema,
  displayName: z.string(),
  role: z.enum(ROLES),
  createdAt: z.number().int(),
  unit: memberUnitSchema.nullable().optional(),
});
export const membersResponseSchema = z.object({ members: z.array(memberSchema) });
/**
 * PATCH /api/teams/<teamId>/members/<memberId>: a new role, and/or the member's unit (a unit id or a unit's name;
 * null takes it away). Members of a task's lead or responsible units may add progress to it, viewers included.
 */
export const memberUpdateRequestSchema = z
  .object({
    role: z.enum(ROLES).optional(),
    unit: z.string().trim().min(1).max(100).nullable().optional(),
  })
  .refine((body) => body.role !== undefined || body.unit !== undefined, 'give a role or a unit');

/**
 * POST /api/teams/<teamId>/invites. Every invite expires and has a use limit: unset (or null), `maxUses` is the
 * server's default (PIZHU_INVITE_MAX_USES, 50; owner invites 1) and the code expires after PIZHU_INVITE_TTL_MS
 * (14 days).
 */
export const inviteCreateRequestSchema = z.object({
  role: z.enum(ROLES).default('editor'),
  maxUses: z.number().int().min(1).max(10_000).nullable().optional(),
  expiresInHours: z
    .number()
    .positive()
    .max(24 * 365)
    .nullable()
    .optional(),
});
export const inviteSchema = z.object({
  id: idSchema,
  role: z.enum(ROLES),
  maxUses: z.number().int().nullable(),
  uses: z.number().int(),
  expiresAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
});
/** The code is shown once, when the invite is created; the server keeps only its hash. */
export const inviteCreateResponseSchema = inviteSchema.extend({ inviteCode: z.string() });
export const invitesResponseSchema = z.object({ invites: z.array(inviteSchema) });

// --- the query index ---

/**
 * GET /api/teams/<teamId>/annotations?document=&url=&tag=&author=&clause=&clause=&q=&from=&to=&limit=&cursor=
 * `document` is a document key, `url` a page URL (canonicalised to its key); `clause` repeated is a clause path
 * prefix; `q` searches quote and note; `from`/`to` bound updatedAt (epoch ms or ISO date); newest first.
 */
export const annotationListResponseSchema = z.object({
  annotations: z.array(annotationSchema),
  nextCursor: z.string().nullable(),
});
export type AnnotationListResponse = z.infer<typeof annotationListResponseSchema>;

export const documentsResponseSchema = z.object({
  documents: z.array(
    z.object({
      documentKey: idSchema,
      room: roomIdSchema,
      document: documentInfoSchema.nullable(),
      annotations: z.number().int(),
    }),
  ),
});

export const tagsResponseSchema = z.object({ tags: z.array(z.object({ tag: z.string(), count: z.number().int() })) });
/** POST /api/teams/<teamId>/tags/rename */
/**
 * A tag's new name as typed: the rename normalises it and refuses an empty or too long one by its own codes
 * (`empty_tag`, `tag_too_long`), which clients word; room for the characters normalising removes.
 */
const newTagName = z.string().max(100);
export const tagRenameRequestSchema = z.object({
  from: z.string().trim().min(1).max(50),
  to: newTagName,
});
/** POST /api/teams/<teamId>/tags/merge: every tag in `from` becomes `to`. */
export const tagMergeRequestSchema = z.object({
  from: z.array(z.string().trim().min(1).max(50)).min(1).max(100),
  to: newTagName,
});
/**
 * What a rename or merge did: the tags (as they read before) that now read as `to`, the team's current name of
 * the target (a target the team had renamed reads as where that leads). Annotations are not rewritten: the
 * rename is an entry of the team room's `tagRenames` that every reader applies.
 */
export const tagEditResponseSchema = z.object({ renamed: z.array(z.string()), to: z.string() });
export type TagEditResponse = z.infer<typeof tagEditResponseSchema>;

/** GET /api/teams/<teamId>/units: live units (merges followed, with former names) and every record by id. */
export const unitsResponseSchema = z.object({
  units: z.array(z.object({ id: idSchema, name: z.string(), aliases: z.array(z.string()) })),
  records: z.record(z.string(), unitSchema),
});

/**
 * WebSocket close codes the server uses. y-websocket (3.x) stops reconnecting after a code in 4400-4499
 * ("permanent, like HTTP 4xx") and retries after any other, so transient conditions use 4500-4599 or 1xxx.
 * A refused upgrade has no close code: it is an HTTP status (401 bad/expired/used ticket, 403 foreign origin or
 * other team's room, 404 bad room id, 429 too many connections for the member or the team, or the member is
 * throttled, 503 server busy).
 */
export const CLOSE_CODES = {
  /** The message could not be decoded, or the update had missing dependencies. Permanent. */
  malformed: 4400,
  /** The member's token was revoked or the member removed while connected. Permanent. */
  badTicket: 4401,
  /**
   * The update breaks the room's write rules (server/README.md, "Who may write what"): a viewer's edit, a write or
   * deletion under another member's key, an author that is not the sender, a value that fails its schema, a
   * write to the read-only version 1 annotations, structs under another member's client id. Nothing of it was
   * stored or sent. Permanent.
   */
  forbidden: 4403,
  badRoom: 4404,
  /** The update would grow the room past its size limit. Permanent. */
  roomFull: 4413,
  /**
   * The update is too costly to apply: too many structs, client ids, deletions or values, too many items
   * inserted at one place, or it would take many times its size in memory. Nothing of it was applied. Permanent:
   * the same update is refused again.
   */
  tooCostly: 4422,
  /** A message larger than the limit: the ws library closes with 1009 (Message Too Big) itself. */
  tooLarge: 1009,
  /** The socket could not keep up with the room (its send buffer passed the limit). Reconnects and re-syncs. */
  slowConsumer: 4508,
  /** Too many messages per second. Reconnects after a back-off. */
  rateLimited: 4529,
  /**
   * The member used up their share of the server's time (handling their messages and pushes is metered); their
   * sockets are closed and new sockets, tickets and pushes are refused with 429 for a while. Reconnects later.
   */
  throttled: 4530,
  /**
   * Storage failed, or the server is at a memory limit (decoded rooms, resident memory) or its team's room
   * limit; try again later.
   */
  unavailable: 4503,
  /** The member's role changed while connected: reconnect with a new ticket to continue with the new role. */
  roleChanged: 4509,
  shuttingDown: 1001,
} as const;

// Base64 helpers that work in browsers and Node without Buffer.
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
