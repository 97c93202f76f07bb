/** Joining a team, who am I, WebSocket tickets, signing out. */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { joinRequestSchema, ticketRequestSchema } from '../../shared/protocol/api.ts';
import { currentUnit } from '../../shared/tasks/index.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { ApiError, jsonBody } from './errors.ts';
import { refuseThrottled, requireMember } from './middleware.ts';

function peerAddress(c: Parameters<typeof getConnInfo>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

export function authRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const member = requireMember(ctx);

  app.post('/join', async (c) => {
    const address = ctx.clientAddresses.resolve(peerAddress(c), c.req.header('x-forwarded-for'));
    if (await ctx.limits.joinBlocked(address)) {
      throw new ApiError(429, 'too_many_attempts', 'Too many wrong invite codes; wait a minute and try again');
    }
    const body = await jsonBody(c, joinRequestSchema);
    try {
      return c.json(await ctx.teams.join(body.inviteCode, body.displayName), 201);
    } catch (error) {
      if (error instanceof ApiError && error.code.startsWith('invite_')) await ctx.limits.joinFailed(address);
      if (error instanceof ApiError && error.code === 'team_full') ctx.refusals.note('team_limit', error.message);
      throw error;
    }
  });

  app.get('/me', member, async (c) => {
    const p = c.get('principal');
    const [self, units] = await Promise.all([ctx.teams.store.getMember(p.memberId), ctx.index.units(p.teamId)]);
    return c.json({
      teamId: p.teamId,
      teamName: p.teamName,
      memberId: p.memberId,
      displayName: p.displayName,
      role: p.role,
      unit: self?.unit ? currentUnit(units, self.unit) : null,
    });
  });

  /** Signs this device out: its token stops working at once (open sockets close within a few seconds). */
  app.delete('/me/token', member, async (c) => {
    await ctx.teams.revokeToken(c.get('principal').tokenHash);
    return c.body(null, 204);
  });

  app.post('/tickets', member, async (c) => {
    refuseThrottled(ctx, c.get('principal').memberId);
    const { room } = await jsonBody(c, ticketRequestSchema);
    return c.json(await ctx.teams.issueTicket(c.get('principal'), room), 201);
  });

  return app;
}
