/**
 * Reading the team's vocabulary as stored (the team room's projection: tag renames and units) and tags as the
 * team reads them. Annotation rows keep the tags their authors wrote; what is derived from them (the search
 * index's tag postings and text, the tag library and per-document counts) is kept under the tags as they read
 * now (annotation-store.ts), and queries map the tags of the records they return (queries.ts). The renames are
 * a handful of rows: read whole, by key, wherever a resolver is needed.
 */
import type { Table } from 'dexie';
import { idSchema } from '../../../shared/model/annotation.ts';
import { resolveTags, type TagResolver, tagResolver, tagsChangeUnder } from '../../../shared/model/tag-renames.ts';
import {
  isNormalisedTag,
  type TagRename,
  tagRenameSchema,
  type Unit,
  unitSchema,
} from '../../../shared/model/team-room.ts';
import type { TagRenameRow, UnitRow } from './schema.ts';

/** The stored renames, validated (a damaged row is skipped, as a reader of the room would). */
export function renamesOf(rows: readonly TagRenameRow[]): Map<string, TagRename> {
  const renames = new Map<string, TagRename>();
  for (const row of rows) {
    if (typeof row?.tag !== 'string' || !isNormalisedTag(row.tag)) continue;
    const parsed = tagRenameSchema.safeParse(row);
    if (parsed.success) renames.set(row.tag, parsed.data);
  }
  return renames;
}

export async function storedRenames(table: Table<TagRenameRow, string>): Promise<Map<string, TagRename>> {
  return renamesOf(await table.toArray());
}

/** How tags read now, from the stored renames (run inside the caller's transaction when it has one). */
export async function storedTagResolver(table: Table<TagRenameRow, string>): Promise<TagResolver> {
  return tagResolver(await storedRenames(table));
}

/** The stored units by id, validated; a null-prototype record (ids may be any idSchema string). */
export function unitsOf(rows: readonly UnitRow[]): Record<string, Unit> {
  const units: Record<string, Unit> = Object.create(null);
  for (const row of rows) {
    if (typeof row?.id !== 'string' || !idSchema.safeParse(row.id).success) continue;
    const parsed = unitSchema.safeParse(row);
    if (parsed.success) units[row.id] = parsed.data;
  }
  return units;
}

/**
 * A record with its tags as the team reads them; the same object when nothing changes. Tolerates malformed rows
 * (the index and the counts read those too): tags that are not a list of strings are left as they are.
 */
export function readingAs<T extends { tags?: unknown }>(record: T, resolve: TagResolver): T {
  const tags = record.tags;
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return record;
  if (!tagsChangeUnder(tags, resolve)) return record;
  return { ...record, tags: resolveTags(tags, resolve) };
}
