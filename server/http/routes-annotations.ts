/** Reading the query index (annotations, documents, tags) and team-wide tag edits. */
import { Hono } from 'hono';
import { z } from 'zod';
import { documentKeyFor, idSchema, normaliseTag, readRoom, writeAnnotation } from '../../shared/model/index.ts';
import { tagMergeRequestSchema, tagRenameRequestSchema } from '../../shared/protocol/api.ts';
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
        throw badRequest(`url: ${(error as Error).message}`);
      }
    }
    if (query.cursor && !decodeCursor(query.cursor)) throw badRequest('cursor is not valid');
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

  const editor = requireRole('owner', 'editor');

  app.post('/:teamId/tags/rename', editor, async (c) => {
    const body = await jsonBody(c, tagRenameRequestSchema);
    return c.json(await replaceTags(ctx, c.req.param('teamId'), [body.from], body.to));
  });

  app.post('/:teamId/tags/merge', editor, async (c) => {
    const body = await jsonBody(c, tagMergeRequestSchema);
    return c.json(await replaceTags(ctx, c.req.param('teamId'), body.from, body.to));
  });

  return app;
}

/**
 * Renames or merges tags across the team. The rooms are the source of truth, so the change is made in each
 * room's document (stored and sent to everyone like any edit); the index follows. The server writes each changed
 * record as its author's (it is trusted to; a legacy record becomes its author's version 2 record).
 */
async function replaceTags(
  ctx: ServerContext,
  teamId: string,
  fromTags: string[],
  toTag: string,
): Promise<{ annotations: number; rooms: number }> {
  const from = new Set(fromTags.map(normaliseTag).filter(Boolean));
  const to = normaliseTag(toTag);
  if (!to) throw badRequest('The new tag is empty');
  from.delete(to);
  if (from.size === 0) return { annotations: 0, rooms: 0 };
  const roomIds = await ctx.index.roomsWithTags(teamId, [...from]);
  let annotations = 0;
  let rooms = 0;
  for (const roomId of roomIds) {
    const room = await ctx.registry.acquire(roomId);
    try {
      let changedHere = 0;
      room.edit((doc) => {
        for (const annotation of readRoom(doc, roomId).annotations) {
          if (annotation.deleted || !annotation.tags.some((t) => from.has(t))) continue;
          const tags = [...new Set(annotation.tags.map((t) => (from.has(t) ? to : t)))];
          writeAnnotation(doc, { ...annotation, tags }, annotation.author.id);
          changedHere++;
        }
      });
      await room.whenDurable();
      annotations += changedHere;
      if (changedHere > 0) rooms++;
    } finally {
      ctx.registry.release(room);
    }
  }
  await ctx.index.flush();
  return { annotations, rooms };
}
