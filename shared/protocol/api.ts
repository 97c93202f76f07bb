/**
 * The sync server's HTTP contract, shared by the server (which validates requests with these schemas) and the
 * extension (which validates responses with them). Binary Yjs payloads travel as base64 strings in JSON.
 * Errors are always `{ "error": { "code", "message" } }` with a fitting HTTP status.
 */
import { z } from 'zod';
import { idSchema } from '../model/annotation.ts';

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

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
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

// GET /api/me (Authorization: Bearer <token>)
export const meResponseSchema = z.object({
  teamId: idSchema,
  teamName: z.string(),
  memberId: idSchema,
  displayName: z.string(),
  role: z.enum(ROLES),
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
export const bulkSyncResponseSchema = z.object({
  cursor: z.string(),
  rooms: z.array(bulkSyncRoomSchema),
});
export type BulkSyncRequest = z.input<typeof bulkSyncRequestSchema>;
export type BulkSyncResponse = z.infer<typeof bulkSyncResponseSchema>;

/** POST /api/teams/<teamId>/push (Authorization: Bearer): updates made offline, for rooms not open in realtime. */
export const pushRequestSchema = z.object({
  updates: z.array(z.object({ room: roomIdSchema, update: base64 })).max(1_000),
});
export const pushResponseSchema = z.object({
  results: z.array(
    z.object({ room: roomIdSchema, ok: z.boolean(), error: z.object({ code: z.string(), message: z.string() }).optional() }),
  ),
  cursor: z.string(),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;
export type PushResponse = z.infer<typeof pushResponseSchema>;

/** WebSocket close codes the server uses (4000-4999 are application codes). */
export const CLOSE_CODES = {
  badTicket: 4401,
  forbidden: 4403,
  badRoom: 4404,
  malformed: 4400,
  tooLarge: 4413,
  rateLimited: 4429,
  slowConsumer: 4408,
  roomFull: 4507,
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
