/**
 * What the side panel shows of a page's annotations: filtered by tag, author, colour, visibility and text,
 * in document order, grouped under their clause label paths, with orphans (not found in the page) apart.
 */
import type { Annotation, Color, Visibility } from '../../../shared/model/annotation.ts';
import { findSelector } from '../../../shared/model/annotation.ts';
import { normaliseTag } from '../../../shared/model/tags.ts';
import type { AnchorStatus } from '../../lib/messages.ts';

export type Filters = {
  tag: string | null;
  author: string | null;
  colors: Color[];
  visibility: Visibility | null;
  text: string;
};

export const NO_FILTERS: Filters = { tag: null, author: null, colors: [], visibility: null, text: '' };

export function isFiltering(filters: Filters): boolean {
  return (
    filters.tag !== null ||
    filters.author !== null ||
    filters.colors.length > 0 ||
    filters.visibility !== null ||
    filters.text.trim() !== ''
  );
}

/** Folds width and case so "ＰＰＰ" finds "ppp" (the same rule as tags). */
function fold(text: string): string {
  return normaliseTag(text);
}

export function matches(annotation: Annotation, filters: Filters, replies: readonly Annotation[] = []): boolean {
  if (filters.tag !== null && !annotation.tags.includes(filters.tag)) return false;
  if (
    filters.author !== null &&
    annotation.author.id !== filters.author &&
    !replies.some((r) => r.author.id === filters.author)
  ) {
    return false;
  }
  if (filters.colors.length && !filters.colors.includes(annotation.color)) return false;
  if (filters.visibility !== null && annotation.visibility !== filters.visibility) return false;
  const needle = fold(filters.text);
  if (needle) {
    const haystack = [
      annotation.quote,
      annotation.note,
      annotation.author.name,
      ...annotation.tags,
      ...annotation.clausePath,
    ]
      .concat(replies.map((r) => r.note))
      .join('\n');
    if (!fold(haystack).includes(needle)) return false;
  }
  return true;
}

/** Document order: the content script's anchored order when known, else the stored text position. */
export function documentOrder(annotations: readonly Annotation[], anchoredOrder: readonly string[] = []): Annotation[] {
  const rank = new Map(anchoredOrder.map((id, i) => [id, i]));
  const position = (a: Annotation) =>
    findSelector(a.selectors, 'TextPositionSelector')?.start ?? Number.MAX_SAFE_INTEGER;
  return [...annotations].sort((a, b) => {
    const ra = rank.get(a.id);
    const rb = rank.get(b.id);
    if (ra !== undefined && rb !== undefined) return ra - rb;
    return position(a) - position(b) || a.createdAt - b.createdAt;
  });
}

export type ClauseGroup = { label: string; path: string[]; items: Annotation[] };

/** A clause label path as printed: ["二、", "8."] → "二、8.". */
export function clauseLabel(path: readonly string[]): string {
  return path.join('');
}

/**
 * Consecutive annotations (in document order) under the same clause path form one group. `currentPaths` (from
 * the page, when open) wins over the stored path: the page may have been renumbered since.
 */
export function groupByClause(
  ordered: readonly Annotation[],
  currentPaths: Readonly<Record<string, string[]>> = {},
): ClauseGroup[] {
  const groups: ClauseGroup[] = [];
  for (const annotation of ordered) {
    const path = currentPaths[annotation.id] ?? annotation.clausePath;
    const label = clauseLabel(path);
    const last = groups[groups.length - 1];
    if (last && last.label === label) last.items.push(annotation);
    else groups.push({ label, path, items: [annotation] });
  }
  return groups;
}

export type PageView = {
  groups: ClauseGroup[];
  orphans: Annotation[];
  repliesOf: Map<string, Annotation[]>;
  shown: number;
  total: number;
};

export function pageView(
  all: readonly Annotation[],
  filters: Filters,
  anchors: Readonly<Record<string, AnchorStatus>> = {},
  anchoredOrder: readonly string[] = [],
  currentPaths: Readonly<Record<string, string[]>> = {},
): PageView {
  const live = all.filter((a) => !a.deleted);
  const repliesOf = new Map<string, Annotation[]>();
  for (const reply of live.filter((a) => a.replyTo)) {
    repliesOf.set(reply.replyTo!, [...(repliesOf.get(reply.replyTo!) ?? []), reply]);
  }
  for (const replies of repliesOf.values()) replies.sort((a, b) => a.createdAt - b.createdAt);
  const highlights = live.filter((a) => !a.replyTo);
  const shown = highlights.filter((a) => matches(a, filters, repliesOf.get(a.id)));
  const orphans = shown.filter((a) => anchors[a.id] === 'orphan');
  const placed = shown.filter((a) => anchors[a.id] !== 'orphan');
  return {
    groups: groupByClause(documentOrder(placed, anchoredOrder), currentPaths),
    orphans: documentOrder(orphans),
    repliesOf,
    shown: shown.length,
    total: highlights.length,
  };
}

/** The distinct tags and authors of a page, for the filter menus (most used first). */
export function facets(all: readonly Annotation[]): {
  tags: [string, number][];
  authors: { id: string; name: string }[];
} {
  const tags = new Map<string, number>();
  const authors = new Map<string, string>();
  for (const annotation of all) {
    if (annotation.deleted) continue;
    authors.set(annotation.author.id, annotation.author.name);
    for (const tag of annotation.tags) tags.set(tag, (tags.get(tag) ?? 0) + 1);
  }
  return {
    tags: [...tags].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh-CN')),
    authors: [...authors].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
  };
}
