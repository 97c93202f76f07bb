/**
 * GET /sync/<room>?ticket=: the y-websocket endpoint. Everything is checked before the upgrade (origin, room
 * id, ticket, connections per member and per team, a throttled member, the memory ceiling), so an unauthorised
 * client never gets a socket and nothing is buffered for it; a refused upgrade is a plain HTTP status.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import type { WebSocket } from 'ws';
import { parseRoomId } from '../../shared/model/index.ts';
import type { SocketSlot } from '../guard/deployment-limits.ts';
import { Connection, type ConnectionDeps } from '../sync/connection.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { ApiError } from './errors.ts';
import { refuseThrottled } from './middleware.ts';

export function syncRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const slots = new WeakMap<Connection, SocketSlot>();
  /** One object shared by every connection. */
  const connectionDeps: ConnectionDeps = {
    registry: ctx.registry,
    limits: ctx.config.limits,
    metrics: ctx.metrics,
    log: ctx.log,
    cost: ctx.cost,
    memory: ctx.memory,
    shedOutbound: (bytes) => ctx.connections.shedOutbound(bytes, (n) => ctx.memory.outboundFull(n)),
    onClosed: (closed) => {
      const slot = slots.get(closed);
      if (slot) ctx.limits.releaseSocket(slot);
      ctx.connections.remove(closed);
    },
  };

  app.get(
    '/:room',
    async (c, next) => {
      try {
        if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
          throw new ApiError(426, 'upgrade_required', 'This endpoint speaks WebSocket (y-websocket protocol)');
        }
        if (!ctx.originAllowed(c.req.header('origin'))) {
          throw new ApiError(403, 'origin_not_allowed', 'This origin may not open Pizhu sockets');
        }
        const room = c.req.param('room');
        if (!parseRoomId(room)) throw new ApiError(404, 'bad_room', 'A room id is "<teamId>.<documentKey>"');
        const principal = await ctx.teams.redeemTicket(c.req.query('ticket'), room);
        refuseThrottled(ctx, principal.memberId);
        if (ctx.memory.overCeiling()) {
          ctx.refusals.note('memory', 'new socket refused: the server is over its memory ceiling');
          throw new ApiError(503, 'unavailable', 'The server is busy; try again later');
        }
        // Counted across the deployment (deployment-limits.ts); taken last, so no other refusal leaves it taken.
        const slot: SocketSlot = { id: randomUUID(), memberId: principal.memberId, teamId: principal.teamId };
        const full = await ctx.limits.takeSocket(slot);
        if (full === 'member') {
          throw new ApiError(429, 'too_many_connections', 'Too many open connections for this member');
        }
        if (full === 'team') {
          ctx.refusals.note(
            'team_limit',
            `team ${principal.teamId} has ${ctx.config.limits.maxSocketsPerTeam} sockets open`,
          );
          throw new ApiError(429, 'too_many_connections', 'Too many open connections for this team');
        }
        c.set('slot', slot);
        c.set('principal', principal);
      } catch (error) {
        if (error instanceof ApiError) ctx.metrics.refuseUpgrade(error.status);
        throw error;
      }
      // Authenticated: the socket no longer counts against its address's limit of unauthenticated connections.
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      if (incoming) {
        ctx.httpGuard.authenticated(incoming.socket);
        // Frees the slot also when the upgrade never completes (releasing twice is harmless).
        const slot = c.get('slot');
        incoming.socket.once('close', () => ctx.limits.releaseSocket(slot));
      }
      await next();
    },
    upgradeWebSocket(
      (c) => {
        const principal = c.get('principal');
        const roomId = c.req.param('room')!;
        return {
          onOpen(_event, ws) {
            const socket = ws.raw as WebSocket;
            const connection = new Connection(socket, principal, roomId, connectionDeps);
            slots.set(connection, c.get('slot'));
            ctx.connections.add(connection);
            listenDirectly(socket, connection);
            void connection.start();
          },
        };
      },
      { onError: (error) => ctx.log.error('websocket', 'handler failed', error) },
    ),
  );

  return app;
}

type SocketEvent = 'message' | 'close' | 'error' | 'pong';
type SocketReceiver = Pick<Connection, 'receive' | 'onSocketClosed' | 'onPong'>;
const SOCKET_EVENTS: readonly SocketEvent[] = ['message', 'close', 'error', 'pong'];

/**
 * The connection listens on the ws socket itself, and the upgrade helper's own listeners are taken off again.
 * The helper's listeners would copy every frame into a new ArrayBuffer and MessageEvent on the path of each
 * update, and they close over the whole upgrade (Hono context, Request, Node IncomingMessage with all headers):
 * about 6 KB held per open socket. The helper attaches them in the same turn, right after onOpen returns, so a
 * microtask sees them; ws's own listeners (the server's client tracking) were there before and stay.
 */
export function listenDirectly(socket: WebSocket, connection: SocketReceiver): void {
  const keep = new Set(SOCKET_EVENTS.flatMap((event) => socket.listeners(event)));
  for (const [event, listener] of connectionListeners(connection)) {
    socket.on(event, listener);
    keep.add(listener);
  }
  queueMicrotask(() => {
    for (const event of SOCKET_EVENTS) {
      for (const listener of socket.listeners(event)) {
        if (!keep.has(listener)) socket.off(event, listener as (...args: unknown[]) => void);
      }
    }
    keep.clear();
  });
}

const ignore = () => {};

/** Built apart from listenDirectly so that they do not share (and keep alive) its closure scope. */
// biome-ignore lint/suspicious/noExplicitAny: each ws event has its own listener signature
function connectionListeners(connection: SocketReceiver): [SocketEvent, (...args: any[]) => void][] {
  return [
    ['message', (data: Buffer, isBinary: boolean) => connection.receive(isBinary ? data : String(data))],
    ['close', () => connection.onSocketClosed()],
    ['pong', () => connection.onPong()],
    // ws reports protocol errors (e.g. a frame over maxPayload) and then closes; 'close' cleans up.
    ['error', ignore],
  ];
}
