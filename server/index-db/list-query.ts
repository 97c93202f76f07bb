/**
 * The list query of the query index, whatever the database: which filters narrow it, its order and its keyset
 * paging. Each store spells only what its SQL says differently (placeholders, a list parameter, the text search).
 */
import { normaliseTag } from '../../shared/model/index.ts';
import { CREDITED, clauseKey, decodeCursor, type RenameRow, searchable, sourcesOf } from './index-rows.ts';
import type { AnnotationFilter } from './types.ts';

/** Binds a value to the statement and returns its placeholder. */
export type Bind = (value: unknown) => string;

export type ListDialect = {
  /** The placeholder of the n-th bound value (from 1). */
  placeholder(n: number): string;
  /** The right-hand side of "<column> is one of `values`". */
  oneOf(values: string[], bind: Bind): string;
  /** The condition that annotation `a`'s folded quote and note contain `text` (already folded). */
  contains(text: string, bind: Bind): string;
};

/**
 * The statement that lists a team's annotations by `filter`, newest change first, one row beyond the page (so
 * annotationPage knows whether another follows). `renames` are the team's: a tag filter finds every tag as
 * written that reads as the one asked for (an old name asks for what it became). Throws RangeError on a cursor
 * that is not one of ours.
 */
export function listStatement(
  teamId: string,
  filter: AnnotationFilter,
  renames: RenameRow[],
  dialect: ListDialect,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const bind: Bind = (value) => dialect.placeholder(params.push(value));
  const where = [`a.team_id = ${bind(teamId)}`];
  if (!filter.includeDeleted) where.push('NOT a.deleted');
  if (filter.documentKey) where.push(`a.document_key = ${bind(filter.documentKey)}`);
  if (filter.authorId) where.push(`a.author_id = ${bind(filter.authorId)}`);
  if (filter.tag) {
    const tags = sourcesOf(renames, normaliseTag(filter.tag)).sources;
    where.push(
      `EXISTS (SELECT 1 FROM annotation_tags t WHERE t.room = a.room AND t.annotation_id = a.id
         AND t.tag ${dialect.oneOf(tags, bind)})`,
    );
  }
  if (filter.clausePath && filter.clausePath.length > 0) {
    const prefix = clauseKey(filter.clausePath);
    where.push(`substr(a.clause_key, 1, ${bind(prefix.length)}) = ${bind(prefix)}`);
  }
  if (filter.text) where.push(dialect.contains(searchable(filter.text), bind));
  if (filter.from !== undefined) where.push(`a.updated_at >= ${bind(filter.from)}`);
  if (filter.to !== undefined) where.push(`a.updated_at <= ${bind(filter.to)}`);
  if (filter.cursor) {
    const cursor = decodeCursor(filter.cursor);
    if (!cursor) throw new RangeError('invalid cursor');
    where.push(`(a.updated_at, a.room, a.id) < (${bind(cursor[0])}, ${bind(cursor[1])}, ${bind(cursor[2])})`);
  }
  const sql = `${CREDITED} WHERE ${where.join(' AND ')}
    ORDER BY a.updated_at DESC, a.room DESC, a.id DESC LIMIT ${bind(filter.limit + 1)}`;
  return { sql, params };
}
