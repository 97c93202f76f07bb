/**
 * A tiny stand-in for the sync server, for unit tests of the extension's sync client while the real server is
 * tested elsewhere: the HTTP contract of shared/protocol/api.ts (join, tickets, bulk sync, push) and the
 * y-websocket protocol, on 127.0.0.1 with a free port. It records every request body and WebSocket frame it
 * receives, and can play a server that is down, answers 500, or sends garbage.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  base64ToBytes,
  bulkSyncRequestSchema,
  bytesToBase64,
  pushRequestSchema,
  type Role,
} from '../../../shared/protocol/api.ts';
import { parseRoomId } from '../../../shared/model/room.ts';

export type Mode = 'ok' | 'down' | 'error500' | 'garbage' | 'unauthorized';
type Member = { teamId: string; memberId: string; role: Role };

class ServerRoom {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly sockets = new Set<WebSocket>();
  changedAt = 0;
}

export class TinySyncServer {
  mode: Mode = 'ok';
  readonly requests: { path: string; body: string }[] = [];
  readonly frames: Uint8Array[] = [];
  private readonly rooms = new Map<string, ServerRoom>();
  private readonly invites = new Map<string, { teamId: string; role: Role }>();
  private readonly tokens = new Map<string, Member>();
  private readonly tickets = new Map<string, { member: Member; room: string }>();
  private seq = 0;
  private server!: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<Socket>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  /** Cuts every open connection (as a network outage would) and, in mode 'down', refuses new ones. */
  goDown(): void {
    this.mode = 'down';
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
  }

  invite(teamId: string, role: Role = 'editor'): string {
    const code = `invite-${teamId}-${role}-${this.invites.size}`;
    this.invites.set(code, { teamId, role });
    return code;
  }

  revokeAll(): void {
    this.tokens.clear();
  }

  roomDoc(room: string): Y.Doc {
    return this.room(room).doc;
  }

  /** Everything clients sent, as text (HTTP bodies, base64 payloads decoded, WebSocket frames). */
  traffic(): string {
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const parts: string[] = [];
    for (const request of this.requests) {
      parts.push(request.body);
      for (const match of request.body.matchAll(/"([A-Za-z0-9+/]{8,}={0,2})"/g)) {
        try {
          parts.push(decoder.decode(base64ToBytes(match[1]!)));
        } catch {
          // not base64 after all
        }
      }
    }
    for (const frame of this.frames) parts.push(decoder.decode(frame));
    return parts.join('\n');
  }

  private room(id: string): ServerRoom {
    let room = this.rooms.get(id);
    if (!room) {
      room = new ServerRoom();
      const current = room;
      room.doc.on('update', (update: Uint8Array, origin: unknown) => {
        current.changedAt = ++this.seq;
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, 0);
        syncProtocol.writeUpdate(encoder, update);
        const message = encoding.toUint8Array(encoder);
        for (const socket of current.sockets) if (socket !== origin) socket.send(message);
      });
      room.awareness.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, 1);
        encoding.writeVarUint8Array(
          encoder,
          awarenessProtocol.encodeAwarenessUpdate(current.awareness, [...added!, ...updated!, ...removed!]),
        );
        const message = encoding.toUint8Array(encoder);
        for (const socket of current.sockets) if (socket !== origin) socket.send(message);
      });
      this.rooms.set(id, room);
    }
    return room;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    this.requests.push({ path: req.url ?? '', body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (this.mode === 'down') return void req.socket.destroy();
    if (this.mode === 'error500') return send(500, 'Internal Server Error');
    if (this.mode === 'garbage') return send(200, { hello: 'not what you expected', rooms: 'nope' });
    const fail = (status: number, code: string, message: string) => send(status, { error: { code, message } });
    const json = () => JSON.parse(body || '{}') as Record<string, unknown>;
    const member =
      this.mode === 'unauthorized'
        ? undefined
        : this.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));

    if (req.url === '/api/join') {
      const { inviteCode, displayName } = json() as { inviteCode: string; displayName: string };
      const invite = this.invites.get(inviteCode);
      if (!invite) return fail(404, 'invite_unknown', 'This invite code is not valid');
      const token = `token-${Math.random().toString(36).slice(2)}-${Date.now()}`;
      const joined: Member = { teamId: invite.teamId, memberId: `m${this.tokens.size + 1}`, role: invite.role };
      this.tokens.set(token, joined);
      return send(200, {
        token,
        teamId: invite.teamId,
        teamName: `Team ${invite.teamId}`,
        memberId: joined.memberId,
        role: invite.role,
        displayName,
      });
    }
    if (!member) return fail(401, 'unauthorized', 'Token missing or revoked');
    if (req.url === '/api/me/token' && req.method === 'DELETE') {
      this.tokens.delete((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      res.writeHead(204).end();
      return;
    }
    if (req.url === '/api/tickets') {
      const { room } = json() as { room: string };
      if (parseRoomId(room)?.teamId !== member.teamId) return fail(403, 'room_other_team', 'Not your team');
      const ticket = `ticket-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
      this.tickets.set(ticket, { member, room });
      return send(200, { ticket, expiresAt: Date.now() + 30_000 });
    }
    const route = /^\/api\/teams\/([^/]+)\/(sync|push)$/.exec(req.url ?? '');
    if (!route || route[1] !== member.teamId) return fail(404, 'not_found', 'No such endpoint');
    if (route[2] === 'sync') {
      const request = bulkSyncRequestSchema.parse(json());
      const since = Number(request.since ?? 0);
      const rooms = [];
      for (const [id, room] of this.rooms) {
        if (parseRoomId(id)?.teamId !== member.teamId) continue;
        const clientVector = request.rooms[id] ? base64ToBytes(request.rooms[id]!) : undefined;
        if (room.changedAt <= since && clientVector) continue;
        rooms.push({
          room: id,
          update: bytesToBase64(Y.encodeStateAsUpdate(room.doc, clientVector)),
          stateVector: bytesToBase64(Y.encodeStateVector(room.doc)),
        });
      }
      return send(200, { cursor: String(this.seq), rooms });
    }
    const request = pushRequestSchema.parse(json());
    const results = request.updates.map(({ room, update }) => {
      if (member.role === 'viewer')
        return { room, ok: false, error: { code: 'viewer_read_only', message: 'Viewers cannot edit' } };
      if (parseRoomId(room)?.teamId !== member.teamId)
        return { room, ok: false, error: { code: 'room_other_team', message: 'Not your team' } };
      Y.applyUpdate(this.room(room).doc, base64ToBytes(update));
      return { room, ok: true };
    });
    return send(200, { results, cursor: String(this.seq) });
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (this.mode !== 'ok') return void socket.destroy();
    const url = new URL(req.url ?? '', 'http://localhost');
    const room = decodeURIComponent(url.pathname.replace(/^\/sync\//, ''));
    const ticket = this.tickets.get(url.searchParams.get('ticket') ?? '');
    this.tickets.delete(url.searchParams.get('ticket') ?? '');
    if (!ticket || ticket.room !== room) return void socket.destroy();
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, room));
  }

  private serve(ws: WebSocket, roomId: string): void {
    const room = this.room(roomId);
    room.sockets.add(ws);
    const controlled = new Set<number>();
    ws.on('message', (data: Buffer) => {
      const message = new Uint8Array(data);
      this.frames.push(message);
      const decoder = decoding.createDecoder(message);
      const encoder = encoding.createEncoder();
      const kind = decoding.readVarUint(decoder);
      if (kind === 0) {
        encoding.writeVarUint(encoder, 0);
        syncProtocol.readSyncMessage(decoder, encoder, room.doc, ws);
        if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder));
      } else if (kind === 1) {
        const update = decoding.readVarUint8Array(decoder);
        const before = new Set(room.awareness.getStates().keys());
        awarenessProtocol.applyAwarenessUpdate(room.awareness, update, ws);
        for (const id of room.awareness.getStates().keys()) if (!before.has(id)) controlled.add(id);
      }
    });
    ws.on('close', () => {
      room.sockets.delete(ws);
      awarenessProtocol.removeAwarenessStates(room.awareness, [...controlled], null);
    });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    syncProtocol.writeSyncStep1(encoder, room.doc);
    ws.send(encoding.toUint8Array(encoder));
    const states = [...room.awareness.getStates().keys()];
    if (states.length) {
      const aware = encoding.createEncoder();
      encoding.writeVarUint(aware, 1);
      encoding.writeVarUint8Array(aware, awarenessProtocol.encodeAwarenessUpdate(room.awareness, states));
      ws.send(encoding.toUint8Array(aware));
    }
  }
}
