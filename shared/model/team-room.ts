/**
 * The team room `<teamId>._team` (docs/room-layout.md): what a team shares beyond single pages. Its root maps:
 *   tagRenames: normalised tag → `{ to, by, at }` (readers map every tag through it, chains resolve)
 *   units:      unit id → `{ name, mergedInto?, deleted?, by, at }`
 * Editors and owners write both; `by` names the member who wrote the entry.
 */
import { z } from 'zod';
import { epochMs, idSchema, LIMITS } from './annotation.ts';
import { normaliseTag } from './tags.ts';

/** The document key of the team room. Page keys are 22-character hashes of URLs, so never this. */
export const TEAM_ROOM_KEY = '_team';
export const TAG_RENAMES_KEY = 'tagRenames';
export const UNITS_KEY = 'units';

export function isTeamRoomKey(documentKey: string): boolean {
  return documentKey === TEAM_ROOM_KEY;
}

const normalisedTag = z
  .string()
  .min(1)
  .max(LIMITS.tagChars)
  .refine((tag) => normaliseTag(tag) === tag, 'must be a normalised tag');

/** Whether a string is a tag in its stored form (the key of a rename). */
export function isNormalisedTag(tag: string): boolean {
  return normalisedTag.safeParse(tag).success;
}

export const tagRenameSchema = z.object({ to: normalisedTag, by: idSchema, at: epochMs });
export type TagRename = z.infer<typeof tagRenameSchema>;

export const unitSchema = z.object({
  name: z.string().trim().min(1).max(LIMITS.nameChars),
  mergedInto: idSchema.optional(),
  deleted: z.boolean().optional(),
  by: idSchema,
  at: epochMs,
});
export type Unit = z.infer<typeof unitSchema>;
