/** Reading the query index (annotations, documents, tags, units) and the team's tag renames and merges. */
import { Hono } from 'hono';
import { z } from 'zod';
import {
  documentKeyFor,
  idSchema,
  planTagRename,
  readTagRenames,
  TagRenameError,
  tagRenamesMap,
  teamRoomIdFor,
  writeTeamEntries,
} from '../../shared/model/index.ts';
import { activeUnits } from '../../shared/tasks/model.ts';
import { tagMergeRequestSchema, tagRenameRequestSchema, type TagEditResponse } from '../../shared/protocol/api.ts';
import { decodeCursor } from '../index-db/index-rows.ts';
import type { AnnotationFilter } from '../index-db/types.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { badRequest, jsonBody, validate } from './errors.ts';
import { requireRole } from './middleware.ts';

const timeParam = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(time)) {
      ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO date' });
      return z.NEVER;
    }
    return time;
  });

const listQuerySchema = z.object({
  document: idSchema.optional(),
  url: z.string().max(4096).optional(),
  tag: z.string().trim().min(1).max(50).optional(),
  author: idSchema.optional(),
  clause: z.array(z.string().min(1).max(64)).max(12).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  includeDeleted: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(400).optional(),
});

export function annotationRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/:teamId/annotations', async (c) => {
    const raw = c.req.queries();
    const single = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, k === 'clause' ? v : v[0]]));
    const query = validate(listQuerySchema, single, 'query');
    let documentKey = query.document;
    if (query.url) {
      try {
        documentKey = documentKeyFor(query.url);
      } catch (error) {
        throw badRequest(`url: ${(error as Error).message}`, 'invalid_url', { detail: (error as Error).message });
      }
    }
    if (query.cursor && !decodeCursor(query.cursor)) throw badRequest('cursor is not valid', 'invalid_cursor');
    const filter: AnnotationFilter = {
      documentKey,
      tag: query.tag,
      authorId: query.author,
      clausePath: query.clause,
      text: query.q,
      from: query.from,
      to: query.to,
      includeDeleted: query.includeDeleted === 'true',
      limit: query.limit,
      cursor: query.cursor,
    };
    return c.json(await ctx.index.list(c.req.param('teamId'), filter));
  });

  app.get('/:teamId/documents', async (c) => c.json({ documents: await ctx.index.documents(c.req.param('teamId')) }));

  app.get('/:teamId/tags', async (c) => c.json({ tags: await ctx.index.tags(c.req.param('teamId')) }));

  /** The team's units: the live ones (merges followed, with their former names) and every record by id. */
  app.get('/:teamId/units', async (c) => {
    const records = await ctx.index.units(c.req.param('teamId'));
    return c.json({ units: activeUnits(records), records: { ...records } });
  });

  const editor = requireRole('owner', 'editor');

  app.post('/:teamId/tags/rename', editor, async (c) => {
    const body = await jsonBody(c, tagRenameRequestSchema);
    return c.json(await renameTags(ctx, c.req.param('teamId'), c.get('principal').memberId, [body.from], body.to));
  });

  app.post('/:teamId/tags/merge', editor, async (c) => {
    const body = await jsonBody(c, tagMergeRequestSchema);
    return c.json(await renameTags(ctx, c.req.param('teamId'), c.get('principal').memberId, body.from, body.to));
  });

  return app;
}

/**
 * Renames or merges tags for the team: entries in the team room's `tagRenames` (written as the member who
 * asked, by the server, stored before anyone is sent them like any update), which every reader applies, so
 * uses that arrive later from colleagues who were offline read the new tag too. No annotation is rewritten.
 */
async function renameTags(
  ctx: ServerContext,
  teamId: string,
  memberId: string,
  from: string[],
  to: string,
): Promise<TagEditResponse> {
  const room = await ctx.registry.acquire(teamRoomIdFor(teamId));
  let result: TagEditResponse = { renamed: [], to };
  try {
    room.edit((doc) => {
      const plan = planTagRename(readTagRenames(doc), from, to, { by: memberId, at: Date.now() });
      writeTeamEntries(
        tagRenamesMap(doc),
        new Map<string, unknown>([...plan.remove.map((key) => [key, undefined] as const), ...plan.set]),
      );
      result = { renamed: plan.renamed, to: plan.target };
    });
    await room.whenDurable();
  } catch (error) {
    if (error instanceof TagRenameError) {
      throw badRequest(error.message, error.code, error.params);
    }
    throw error;
  } finally {
    ctx.registry.release(room);
  }
  // The index reads the team room's change with its next batch: have it now, so a read right after sees it.
  await ctx.index.flush();
  return result;
}
