/**
 * What changed between two versions of a notice, clause by clause. DOM-only like shared/anchoring and built on
 * its segmentation and normalisation.
 *
 *   const changes = compareClauses(oldDocument, newDocument);          // two pages (Document or Element)
 *   const snapshot = snapshotOf(document);                            // store it with the document (room `snapshots`)
 *   const again = compareSnapshots(parseSnapshot(stored), snapshotOf(document));
 *   const summary = summarizeChanges(changes, 'zh');                 // "新增 1 条，修改 3 条，删除 0 条：…"
 *   const docx = await renderComparisonDocx({ before, after, changes, language: 'zh' }); // 新旧对照表
 *
 * Each clause is compared on its own text (after its label, up to its first sub-clause), so an edit in item 3
 * does not mark its section as modified. `unchanged` means equal after the anchoring library's normalisation
 * (width, dashes, quotes, spacing). Clauses are paired by content (see align.ts), never by label or position
 * alone; when a pairing is doubtful the old clause is reported removed and the new one added. The result is
 * in a reading order for a side-by-side view: the new document's order, each removed clause placed after the
 * nearest clause before it (in the old document) that was paired.
 */
import { normalizeText } from '../anchoring/index.ts';
import { MIME_TYPES } from '../briefing/index.ts';
import { alignClauses } from './align.ts';
import { type ComparableClause, pathText, readClauses } from './clauses.ts';
import { clauseEdits } from './edits.ts';
import { buildReport, type ComparisonExport } from './report.ts';
import { renderComparisonMarkdown } from './render-markdown.ts';
import { snapshotClauses } from './snapshot.ts';
import type { ClauseSnapshot } from './snapshot-schema.ts';
import type { ClauseChange, ClauseRef } from './types.ts';

export type { ComparableClause } from './clauses.ts';
export type { ChangeStatus, ClauseChange, ClauseRef } from './types.ts';
export { pathText, readClauses } from './clauses.ts';
export { type CarriedTarget, type CarrySpan, carrySpan, SnapshotPage } from './carry.ts';
export {
  readRoomSnapshot,
  roomSnapshotKeys,
  roomSnapshotProblem,
  type RoomSnapshotWrite,
  writeRoomSnapshot,
} from './room-snapshots.ts';
export type { ClauseEdit, Segment } from './edits.ts';
export { inlineEdits, sideBySide } from './edits.ts';
export {
  type Report,
  type ReportRow,
  type ReportSide,
  buildReport,
  type ComparisonDocument,
  type ComparisonExport,
} from './report.ts';
export { renderComparisonMarkdown } from './render-markdown.ts';
export { type ChangeCounts, countChanges, summarizeChanges } from './summary.ts';
export {
  type ClauseSnapshot,
  clauseSnapshotSchema,
  parseSnapshot,
  SNAPSHOT_LIMITS,
  SNAPSHOT_VERSION,
  type SnapshotClause,
  snapshotBytes,
} from './snapshot-schema.ts';
export { snapshotOf } from './snapshot.ts';

export const COMPARISON_FORMATS = ['docx', 'md'] as const;
export type ComparisonFormat = (typeof COMPARISON_FORMATS)[number];

/** The 新旧对照表 as a file: DOCX (GB/T 9704 layout, landscape) or Markdown. */
export async function renderComparison(
  input: ComparisonExport,
  format: ComparisonFormat,
): Promise<{ filename: string; mimeType: string; body: string | Uint8Array }> {
  if (!(COMPARISON_FORMATS as readonly string[]).includes(format))
    throw new Error(`Unknown comparison format "${String(format).slice(0, 20)}"`);
  const stem = fileStem(buildReport({ ...input, changes: [] }).title);
  // the docx package is large: loaded only when a DOCX is asked for (as for briefings)
  const body =
    format === 'docx'
      ? await (await import('./render-docx.ts')).renderComparisonDocx(input)
      : renderComparisonMarkdown(input);
  return { filename: `${stem}.${format}`, mimeType: MIME_TYPES[format], body };
}

/** A file name from a title, without characters file systems refuse. */
function fileStem(title: string): string {
  const stem = title
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in file names
    .replace(/[\\/:*?"<>|\u0000-\u001F\u007F]+/g, '_')
    .replace(/\s+/g, '_')
    .replace(/^[-.\s_]+/, '');
  return [...stem].slice(0, 80).join('') || 'comparison';
}

/** Compares two pages (or elements) clause by clause. */
export function compareClauses(before: Document | Element, after: Document | Element): ClauseChange[] {
  return compareClauseLists(readClauses(before), readClauses(after));
}

/** The same comparison from stored snapshots (read them with `parseSnapshot` first: they are untrusted). */
export function compareSnapshots(before: ClauseSnapshot, after: ClauseSnapshot): ClauseChange[] {
  return compareClauseLists(snapshotClauses(before), snapshotClauses(after));
}

/** The comparison of two clause lists (from pages or snapshots). */
export function compareClauseLists(
  before: readonly ComparableClause[],
  after: readonly ComparableClause[],
): ClauseChange[] {
  const oldTexts = before.map((c) => normalizeText(c.text));
  const newTexts = after.map((c) => normalizeText(c.text));
  const oldToNew = alignClauses(
    { texts: oldTexts, parents: before.map((c) => c.parent) },
    { texts: newTexts, parents: after.map((c) => c.parent) },
  );
  const newToOld = new Int32Array(after.length).fill(-1);
  oldToNew.forEach((j, i) => {
    if (j >= 0) newToOld[j] = i;
  });
  // removed clauses, grouped under the new clause they follow (-1: before everything)
  const removedAfter = new Map<number, number[]>();
  let anchor = -1;
  for (let i = 0; i < before.length; i++) {
    if (oldToNew[i]! >= 0) anchor = oldToNew[i]!;
    else push(removedAfter, anchor, i);
  }
  const changes: ClauseChange[] = [];
  const addRemoved = (at: number) => {
    for (const i of removedAfter.get(at) ?? []) changes.push(unpaired('removed', refOf(before[i]!)));
  };
  addRemoved(-1);
  for (let j = 0; j < after.length; j++) {
    const i = newToOld[j]!;
    if (i < 0) changes.push(unpaired('added', refOf(after[j]!)));
    else changes.push(paired(before[i]!, after[j]!, oldTexts[i] === newTexts[j]));
    addRemoved(j);
  }
  return changes;
}

function refOf(c: ComparableClause): ClauseRef {
  return { index: c.index, path: pathText(c.path), label: c.label, text: c.text };
}

function unpaired(status: 'added' | 'removed', ref: ClauseRef): ClauseChange {
  return {
    status,
    before: status === 'removed' ? ref : null,
    after: status === 'added' ? ref : null,
    renumbered: false,
    similarity: 0,
    edits: [],
  };
}

function paired(before: ComparableClause, after: ComparableClause, same: boolean): ClauseChange {
  const renumbered = before.kind === 'numbered' && after.kind === 'numbered' && pathKey(before) !== pathKey(after);
  if (same) {
    return { status: 'unchanged', before: refOf(before), after: refOf(after), renumbered, similarity: 1, edits: [] };
  }
  const { edits, similarity } = clauseEdits(before.text, after.text);
  return { status: 'modified', before: refOf(before), after: refOf(after), renumbered, similarity, edits };
}

function pathKey(c: ComparableClause): string {
  return c.path.map((label) => normalizeText(label)).join('\u0001');
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
