/**
 * Members and invites of a team. Anyone in the team may list members; owners manage. Mounted under
 * /api/teams, behind the membership check of app.ts.
 */
import { Hono } from 'hono';
import { inviteCreateRequestSchema, memberUpdateRequestSchema } from '../../shared/protocol/api.ts';
import { currentUnit, resolveUnitInput, type Units } from '../../shared/tasks/index.ts';
import type { Member } from '../storage/types.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { badRequest, jsonBody } from './errors.ts';
import { requireRole } from './middleware.ts';

export function teamRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const owner = requireRole('owner');

  app.get('/:teamId/members', async (c) => {
    const teamId = c.req.param('teamId');
    const [members, units] = await Promise.all([ctx.teams.listMembers(teamId), ctx.index.units(teamId)]);
    return c.json({ members: members.map((m) => memberView(m, units)) });
  });

  app.patch('/:teamId/members/:memberId', owner, async (c) => {
    const { role, unit } = await jsonBody(c, memberUpdateRequestSchema);
    const teamId = c.req.param('teamId');
    const memberId = c.req.param('memberId');
    const units = await ctx.index.units(teamId);
    let member =
      role === undefined ? await ctx.teams.memberOf(teamId, memberId) : await ctx.teams.setRole(teamId, memberId, role);
    if (unit !== undefined) {
      const resolved = unit === null ? null : resolveUnitInput(units, unit);
      if (unit !== null && !resolved) throw badRequest('A unit is a unit id or a name of 1 to 100 characters');
      member = await ctx.teams.setUnit(teamId, memberId, resolved);
    }
    if (role !== undefined) await closeRevokedSockets(ctx);
    return c.json(memberView(member, units));
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

/** A member as the API lists it: the unit under its current name (renames and merges followed). */
export function memberView(member: Member, units: Units) {
  return {
    id: member.id,
    displayName: member.displayName,
    role: member.role,
    createdAt: member.createdAt,
    unit: member.unit ? currentUnit(units, member.unit) : null,
  };
}

/** Applies a revocation to open sockets now instead of at the next periodic check. */
export async function closeRevokedSockets(ctx: ServerContext): Promise<number> {
  const hashes = ctx.connections.tokenHashes();
  if (hashes.length === 0) return 0;
  return ctx.connections.closeRevoked(await ctx.teams.liveTokens(hashes));
}
