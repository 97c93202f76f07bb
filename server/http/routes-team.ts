/**
 * Members and invites of a team. Anyone in the team may list members; owners manage. Mounted under
 * /api/teams, behind the membership check of app.ts.
 */
import { Hono } from 'hono';
import { inviteCreateRequestSchema, memberUpdateRequestSchema } from '../../shared/protocol/api.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { jsonBody } from './errors.ts';
import { requireRole } from './middleware.ts';

export function teamRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const owner = requireRole('owner');

  app.get('/:teamId/members', async (c) => {
    const members = await ctx.teams.listMembers(c.req.param('teamId'));
    return c.json({
      members: members.map((m) => ({ id: m.id, displayName: m.displayName, role: m.role, createdAt: m.createdAt })),
    });
  });

  app.patch('/:teamId/members/:memberId', owner, async (c) => {
    const { role } = await jsonBody(c, memberUpdateRequestSchema);
    const member = await ctx.teams.setRole(c.req.param('teamId'), c.req.param('memberId'), role);
    await closeRevokedSockets(ctx);
    return c.json({ id: member.id, displayName: member.displayName, role: member.role, createdAt: member.createdAt });
  });

  app.delete('/:teamId/members/:memberId', owner, async (c) => {
    await ctx.teams.removeMember(c.req.param('teamId'), c.req.param('memberId'));
    await closeRevokedSockets(ctx);
    return c.body(null, 204);
  });

  app.post('/:teamId/members/:memberId/revoke-tokens', owner, async (c) => {
    const revoked = await ctx.teams.revokeMemberTokens(c.req.param('teamId'), c.req.param('memberId'));
    await closeRevokedSockets(ctx);
    return c.json({ revoked });
  });

  app.post('/:teamId/invites', owner, async (c) => {
    const body = await jsonBody(c, inviteCreateRequestSchema);
    const invite = await ctx.teams.createInvite(c.req.param('teamId'), {
      role: body.role,
      maxUses: body.maxUses,
      expiresAt: body.expiresInHours ? Date.now() + body.expiresInHours * 3_600_000 : null,
      createdBy: c.get('principal').memberId,
    });
    const { teamId: _teamId, ...rest } = invite;
    return c.json(rest, 201);
  });

  app.get('/:teamId/invites', owner, async (c) => {
    const invites = await ctx.teams.listInvites(c.req.param('teamId'));
    return c.json({ invites: invites.map(({ teamId: _teamId, ...rest }) => rest) });
  });

  app.delete('/:teamId/invites/:inviteId', owner, async (c) => {
    await ctx.teams.revokeInvite(c.req.param('teamId'), c.req.param('inviteId'));
    return c.body(null, 204);
  });

  return app;
}

/** Applies a revocation to open sockets now instead of at the next periodic check. */
export async function closeRevokedSockets(ctx: ServerContext): Promise<number> {
  const hashes = ctx.connections.tokenHashes();
  if (hashes.length === 0) return 0;
  return ctx.connections.closeRevoked(await ctx.teams.liveTokens(hashes));
}
