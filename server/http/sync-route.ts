/**
 * GET /sync/<room>?ticket=: the y-websocket endpoint. Everything is checked before the upgrade (origin, room
 * id, ticket, connections per member), so an unauthorised client never gets a socket and nothing is buffered
 * for it; a refused upgrade is a plain HTTP status.
 */
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import type { WebSocket } from 'ws';
import { parseRoomId } from '../../shared/model/index.ts';
import { Connection } from '../sync/connection.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { ApiError } from './errors.ts';

export function syncRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

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
        if (ctx.connections.countFor(principal.memberId) >= ctx.config.limits.connectionsPerMember) {
          throw new ApiError(429, 'too_many_connections', 'Too many open connections for this member');
        }
        c.set('principal', principal);
      } catch (error) {
        if (error instanceof ApiError) ctx.metrics.refuseUpgrade(error.status);
        throw error;
      }
      await next();
    },
    upgradeWebSocket(
      (c) => {
        const principal = c.get('principal');
        const roomId = c.req.param('room')!;
        let connection: Connection | null = null;
        return {
          onOpen(_event, ws) {
            const socket = ws.raw as WebSocket;
            connection = new Connection(socket, principal, roomId, {
              registry: ctx.registry,
              limits: ctx.config.limits,
              metrics: ctx.metrics,
              log: ctx.log,
              onClosed: (closed) => {
                ctx.connections.remove(closed);
                ctx.metrics.connections = ctx.connections.size;
              },
            });
            ctx.connections.add(connection);
            ctx.metrics.connections = ctx.connections.size;
            // Frames straight from ws: the helper's onMessage would copy each one into a new ArrayBuffer and wrap it
            // in a MessageEvent on the path of every update. The helper calls onOpen in the same turn as it starts
            // listening itself, so this listener sees every frame the helper would.
            const opened = connection;
            socket.on('message', (data: Buffer, isBinary: boolean) => opened.receive(isBinary ? data : String(data)));
            void connection.start();
          },
          onClose() {
            connection?.onSocketClosed();
          },
          onError() {
            // ws reports protocol errors (e.g. a frame over maxPayload) and then closes; onClose cleans up.
          },
        };
      },
      { onError: (error) => ctx.log.error('websocket', 'handler failed', error) },
    ),
  );

  return app;
}
