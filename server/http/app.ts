/**
 * The HTTP side of the server as one Hono app: API routes, the y-websocket endpoint, health, metrics and the
 * demo notice. Errors always come back as `{ "error": { "code", "message" } }`.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { RoomUnavailableError } from '../sync/registry.ts';
import { RoomFailedError } from '../sync/room.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { ApiError, errorResponse } from './errors.ts';
import { originGuard, requireMember, requireTeam } from './middleware.ts';
import { isOutage } from '../outage.ts';
import { annotationRoutes } from './routes-annotations.ts';
import { authRoutes } from './routes-auth.ts';
import { briefingRoutes } from './routes-briefing.ts';
import { bulkRoutes } from './routes-bulk.ts';
import { taskRoutes } from './routes-tasks.ts';
import { teamRoutes } from './routes-team.ts';
import { syncRoutes } from './sync-route.ts';

const DEMO_PAGE = new URL('../demo/01-suizhou-edu-2023.html', import.meta.url);

/** Constant-time check of the optional metrics token. */
export function metricsAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function createApp(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const demo = readFileSync(DEMO_PAGE);

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof RoomUnavailableError || error instanceof RoomFailedError) {
      return errorResponse(c, new ApiError(503, 'unavailable', error.message));
    }
    const what = `${c.req.method} ${new URL(c.req.url).pathname}`;
    if (isOutage(error)) {
      ctx.log.warn('outage', `${what}: the database or Redis cannot be reached (${(error as Error).message})`);
      return errorResponse(
        c,
        new ApiError(503, 'unavailable', 'The server cannot reach its database or Redis right now; try again shortly'),
      );
    }
    ctx.log.error('http', `${what} failed`, error);
    return errorResponse(c, new ApiError(500, 'internal', 'The server failed to handle this request'));
  });
  app.notFound((c) => errorResponse(c, new ApiError(404, 'not_found', 'No such endpoint')));

  app.get('/health', (c) => {
    const report = ctx.health.check();
    if (report.ok) return c.json({ status: 'ok' });
    return c.json({ status: 'unavailable', code: report.code, reason: report.reason }, 503);
  });
  app.get('/demo', (c) => {
    c.header('content-type', 'text/html; charset=utf-8');
    return c.body(demo);
  });
  app.get('/metrics', async (c) => {
    if (!metricsAllowed(ctx.config.metricsToken, c.req.header('authorization'))) {
      return errorResponse(
        c,
        new ApiError(401, 'unauthorized', 'Metrics need the bearer token set in PIZHU_METRICS_TOKEN'),
      );
    }
    c.header('content-type', ctx.metrics.contentType);
    return c.body(await ctx.metrics.render());
  });

  app.use(
    '/api/*',
    cors({
      origin: (origin) => (origin && ctx.originAllowed(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    }),
  );
  app.use('/api/*', originGuard(ctx));
  const tooLarge = () => {
    throw new ApiError(413, 'too_large', 'The request body is too large');
  };
  const bulkPath = /^\/api\/teams\/[^/]+\/(sync|push)$/;
  const bulkLimit = bodyLimit({ maxSize: ctx.config.limits.maxBulkBodyBytes, onError: tooLarge });
  const jsonLimit = bodyLimit({ maxSize: ctx.config.limits.maxJsonBodyBytes, onError: tooLarge });
  app.use('/api/*', (c, next) =>
    bulkPath.test(new URL(c.req.url).pathname) ? bulkLimit(c, next) : jsonLimit(c, next),
  );

  // Everything under a team is for its members only.
  app.use('/api/teams/:teamId/*', requireMember(ctx), requireTeam());
  app.route('/api', authRoutes(ctx));
  app.route('/api/teams', teamRoutes(ctx));
  app.route('/api/teams', annotationRoutes(ctx));
  app.route('/api/teams', bulkRoutes(ctx));
  app.route('/api/teams', briefingRoutes(ctx));
  app.route('/api/teams', taskRoutes(ctx));
  app.route('/sync', syncRoutes(ctx));
  return app;
}
