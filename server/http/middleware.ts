/** Small middleware factories for the API: origin check, bearer authentication, team membership, roles. */
import type { MiddlewareHandler } from 'hono';
import type { Role } from '../../shared/protocol/api.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { ApiError, forbidden, unauthorized } from './errors.ts';

/** Refuses browser requests from origins outside the allow-list (requests without Origin pass). */
export function originGuard(ctx: ServerContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!ctx.originAllowed(c.req.header('origin'))) {
      throw new ApiError(403, 'origin_not_allowed', 'This origin may not use the Pizhu API');
    }
    await next();
  };
}

/** Requires `Authorization: Bearer <token>` of a live member; sets `principal`. */
export function requireMember(ctx: ServerContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await ctx.teams.authenticate(c.req.header('authorization'));
    if (!principal) throw unauthorized();
    c.set('principal', principal);
    await next();
  };
}

/** The `:teamId` of the path must be the caller's team. Other teams are indistinguishable from absent ones. */
export function requireTeam(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.param('teamId') !== c.get('principal').teamId)
      throw forbidden('You are not a member of this team', 'not_team_member');
    await next();
  };
}

export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const role = c.get('principal').role;
    if (!roles.includes(role)) {
      throw forbidden(`This needs the role ${roles.join(' or ')}; you are ${role}`, 'role_required', {
        roles: roles.join(','),
        role,
      });
    }
    await next();
  };
}

/** A member over their time budget gets no socket, ticket or push until the throttle ends. */
export function refuseThrottled(ctx: ServerContext, memberId: string): void {
  if (ctx.cost.throttled(memberId)) {
    throw new ApiError(429, 'throttled', 'You used more than your share of the server; try again in a minute');
  }
}
