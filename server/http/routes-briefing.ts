/**
 * GET /api/teams/<teamId>/briefing?format=docx|md|html|json&... : the team's briefing, rendered by the same
 * shared/briefing code the extension uses, from the query index (no room is loaded). Options are the export
 * dialog's, as query parameters (see shared/briefing/options.ts).
 */
import { Hono } from 'hono';
import type * as BriefingLibrary from '../../shared/briefing/index.ts';
import { normaliseTags, ValidationError } from '../../shared/model/index.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { badRequest } from './errors.ts';

/** RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name, so Chinese file names survive. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

// Loaded on the first briefing request: the renderers (the docx package above all) would otherwise make every
// sync server's heap larger, and with it every garbage collection pause on the fan-out path.
let library: Promise<typeof BriefingLibrary> | null = null;
const briefingLibrary = () => (library ??= import('../../shared/briefing/index.ts'));

export function briefingRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/:teamId/briefing', async (c) => {
    const { buildBriefing, parseBriefingQuery, renderBriefing } = await briefingLibrary();
    let query: ReturnType<typeof parseBriefingQuery>;
    try {
      query = parseBriefingQuery(new URL(c.req.url).searchParams);
    } catch (error) {
      if (error instanceof ValidationError) throw badRequest(error.message);
      throw error;
    }
    const principal = c.get('principal');
    const teamId = c.req.param('teamId');
    const { annotations, documents } = await ctx.index.teamAnnotations(teamId, {
      documentKeys: query.options.documents.length ? query.options.documents : undefined,
      tags: query.options.tags.length ? query.options.tags : undefined,
    });
    // The annotations' tags read through the team's renames: so does the briefing's tag filter.
    const resolve = await ctx.index.tagResolver(teamId);
    let briefing: ReturnType<typeof buildBriefing>;
    try {
      briefing = buildBriefing({
        annotations,
        documents,
        options: { ...query.options, tags: normaliseTags(query.options.tags.map(resolve)) },
        now: Date.now(),
        viewer: { id: principal.memberId, name: principal.displayName },
      });
    } catch (error) {
      if (error instanceof ValidationError) throw badRequest(error.message);
      throw error;
    }
    const file = await renderBriefing(briefing, query.format);
    c.header('content-type', file.mimeType);
    c.header('content-disposition', contentDisposition(file.filename));
    c.header('cache-control', 'no-store');
    return c.body(file.body as string | Uint8Array<ArrayBuffer>);
  });

  return app;
}
