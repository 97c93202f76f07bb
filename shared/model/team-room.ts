/**
 * The team room `<teamId>._team` (docs/room-layout.md): what a team shares beyond single pages. Its root maps:
 *   tagRenames: normalised tag → `{ to, by, at }` (readers map every tag through it, chains resolve)
 *   units:      unit id → `{ name, aliases?, mergedInto?, deleted?, by, at }`
 * Editors and owners write both; `by` names the member who wrote the entry. Entries are whole JSON values
 * (last writer wins per key); readers skip the ones that fail their schema.
 */
import type * as Y from 'yjs';
import { z } from 'zod';
import { epochMs, idSchema, LIMITS } from './annotation.ts';
import { roomIdFor } from './room.ts';
import { normaliseTag } from './tags.ts';

/** The document key of the team room. Page keys are 22-character hashes of URLs, so never this. */
export const TEAM_ROOM_KEY = '_team';
export const TAG_RENAMES_KEY = 'tagRenames';
export const UNITS_KEY = 'units';

/** Names a unit was known by before a rename, kept so a former name still finds it. */
export const MAX_UNIT_ALIASES = 20;

export function isTeamRoomKey(documentKey: string): boolean {
  return documentKey === TEAM_ROOM_KEY;
}

export function teamRoomIdFor(teamId: string): string {
  return roomIdFor(teamId, TEAM_ROOM_KEY);
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

const unitName = z.string().trim().min(1).max(LIMITS.nameChars);

/**
 * A unit of the team (a 科室 or 单位 that tasks name by id). The one schema of a unit: the server's write rules
 * check it (with `by` the writer's member id), the extension and shared/tasks read and write it.
 */
export const unitSchema = z.object({
  name: unitName,
  /** Former names (renames), so a later use of an old name still finds the unit. */
  aliases: z.array(unitName).max(MAX_UNIT_ALIASES).optional(),
  mergedInto: idSchema.optional(),
  deleted: z.boolean().optional(),
  by: idSchema,
  at: epochMs,
});
export type Unit = z.infer<typeof unitSchema>;
/** The team's units by id, as the `units` map holds them (only valid records). */
export type Units = Readonly<Record<string, Unit>>;

export function tagRenamesMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(TAG_RENAMES_KEY);
}

export function unitsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(UNITS_KEY);
}

/** Defines the root maps of the team room, so every transaction names them by the types readers use. */
export function defineTeamRoom(doc: Y.Doc): void {
  tagRenamesMap(doc);
  unitsMap(doc);
}

/** The team's vocabulary as a reader sees it: every valid entry of both maps. */
export type TeamVocabulary = { tagRenames: Map<string, TagRename>; units: Record<string, Unit> };

/** Reads the valid renames (a key that is not a normalised tag, or a value that fails its schema, is skipped). */
export function readTagRenames(doc: Y.Doc): Map<string, TagRename> {
  const renames = new Map<string, TagRename>();
  for (const [key, value] of tagRenamesMap(doc).entries()) {
    if (!isNormalisedTag(key)) continue;
    const parsed = tagRenameSchema.safeParse(value);
    if (parsed.success) renames.set(key, parsed.data);
  }
  return renames;
}

/** Reads the valid units; an own-property record keyed by id (never `__proto__` tricks: ids are idSchema). */
export function readUnits(doc: Y.Doc): Record<string, Unit> {
  const units: Record<string, Unit> = Object.create(null);
  for (const [id, value] of unitsMap(doc).entries()) {
    if (!idSchema.safeParse(id).success) continue;
    const parsed = unitSchema.safeParse(value);
    if (parsed.success) units[id] = parsed.data;
  }
  return units;
}

export function readTeamVocabulary(doc: Y.Doc): TeamVocabulary {
  return { tagRenames: readTagRenames(doc), units: readUnits(doc) };
}

/** Writes entries (a value per key, undefined to delete) into one of the team room's maps. */
export function writeTeamEntries(map: Y.Map<unknown>, entries: ReadonlyMap<string, unknown>): void {
  const doc = map.doc;
  const write = () => {
    for (const [key, value] of entries) {
      if (value === undefined) map.delete(key);
      else if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value);
    }
  };
  if (doc) doc.transact(write);
  else write();
}
