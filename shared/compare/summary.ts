/**
 * A comparison in one paragraph, for a briefing: "新增 1 条，修改 3 条，删除 0 条：新增第七条；修改第二条（一）、…。"
 * Clauses are named by their label paths (the new one for added and modified clauses, the old one for removed
 * ones); a modified clause that was renumbered says what it was ("修改第十二条（原第九条）").
 */
import type { Language } from '../briefing/i18n.ts';
import { comparisonLabels } from './labels.ts';
import { sanitizeExportText } from '../briefing/escape.ts';
import type { ClauseChange } from './types.ts';

/**
 * 编/章/节 labels before an article ("第二章第八条（五）" → "第八条（五）"): articles are numbered through the whole
 * text, sections are not.
 */
const PART_PREFIX =
  /^(?:第[一二三四五六七八九十百千零〇两\d]+[编章节]\s*)+(?=第[一二三四五六七八九十百千零〇两\d]+条)/u;
/** Renumbered-only clauses named in a summary: they are listed last and matter least. */
const MAX_RENUMBERED = 5;

/** A clause's path as it is cited: without the 编/章/节 in front of an article. */
export function citedPath(path: string): string {
  return path.replace(PART_PREFIX, '');
}

export type ChangeCounts = { unchanged: number; modified: number; added: number; removed: number; renumbered: number };

/** How many clauses each status holds; `renumbered` counts paired clauses whose label path changed. */
export function countChanges(changes: readonly ClauseChange[]): ChangeCounts {
  const counts: ChangeCounts = { unchanged: 0, modified: 0, added: 0, removed: 0, renumbered: 0 };
  for (const change of changes) {
    counts[change.status]++;
    if (change.renumbered) counts.renumbered++;
  }
  return counts;
}

/** The summary paragraph; at most `maxLabels` clause labels are named per kind of change. */
export function summarizeChanges(changes: readonly ClauseChange[], language: Language = 'zh', maxLabels = 20): string {
  const labels = comparisonLabels(language);
  const counts = countChanges(changes);
  const named = (list: string[], max = maxLabels) => ({
    shown: list.slice(0, max).map(sanitizeExportText),
    more: Math.max(0, list.length - max),
  });
  const parts: string[] = [];
  for (const status of ['added', 'modified', 'removed'] as const) {
    const paths = changes
      .filter((c) => c.status === status)
      .map((c) =>
        status === 'removed'
          ? citedPath(c.before!.path)
          : `${citedPath(c.after!.path)}${status === 'modified' && c.renumbered ? labels.formerly(citedPath(c.before!.path)) : ''}`,
      );
    if (paths.length) {
      const { shown, more } = named(paths);
      parts.push(labels.list(status, shown, more));
    }
  }
  const moved = changes
    .filter((c) => c.status === 'unchanged' && c.renumbered)
    .map((c) => `${citedPath(c.before!.path)} → ${citedPath(c.after!.path)}`);
  if (moved.length) {
    const { shown, more } = named(moved, Math.min(maxLabels, MAX_RENUMBERED));
    parts.push(labels.renumberedOnly(moved.length, shown, more));
  }
  if (!parts.length) return labels.nothingChanged + labels.sentenceEnd;
  const head = labels.counts(counts.added, counts.modified, counts.removed);
  return `${head}${labels.colon}${parts.join(labels.listSeparator)}${labels.sentenceEnd}`;
}
