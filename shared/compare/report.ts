/**
 * The 新旧对照表 as data, shared by the DOCX and Markdown renderers: title, the two versions, the summary, and
 * one row per clause change with each side cut into marked and unmarked pieces. Every string in it has been
 * through `sanitizeExportText`, so renderers only lay it out.
 */
import type { Language } from '../briefing/i18n.ts';
import { type Segment, sideBySide } from './edits.ts';
import { comparisonLabels } from './labels.ts';
import { sanitizeExportText } from '../briefing/escape.ts';
import { citedPath, summarizeChanges } from './summary.ts';
import type { ChangeStatus, ClauseChange, ClauseRef } from './types.ts';

/** What the table says about each version (a ClauseSnapshot has these fields). */
export type ComparisonDocument = { title: string; issuer?: string; docNumber?: string; publishedAt?: string };

export type ComparisonExport = {
  before: ComparisonDocument;
  after: ComparisonDocument;
  changes: readonly ClauseChange[];
  /** Default 'zh'. */
  language?: Language;
  /** Leave out unchanged clauses (renumbered ones stay). */
  onlyChanges?: boolean;
};

export type ReportSide = { path: string; segments: Segment[] };

export type ReportRow = {
  status: ChangeStatus;
  before: ReportSide | null;
  after: ReportSide | null;
  /** The 变化 column: status word, then a renumbering note if any. */
  change: string[];
};

export type Report = {
  language: Language;
  title: string;
  /** "原版本：《…》（…）", "新版本：…" */
  versions: [string, string];
  summary: string;
  headers: readonly [string, string, string];
  none: string;
  rows: ReportRow[];
};

export function buildReport(input: ComparisonExport): Report {
  const language = input.language ?? 'zh';
  const labels = comparisonLabels(language);
  const title = (d: ComparisonDocument) => sanitizeExportText(d.title.trim()) || labels.untitled;
  const describe = (d: ComparisonDocument) => {
    const details = [d.issuer, d.docNumber, d.publishedAt]
      .map((x) => sanitizeExportText(x?.trim() ?? ''))
      .filter(Boolean);
    const name = language === 'zh' ? `《${title(d)}》` : title(d);
    if (!details.length) return name;
    return language === 'zh' ? `${name}（${details.join('，')}）` : `${name} (${details.join(', ')})`;
  };
  const shown = input.onlyChanges
    ? input.changes.filter((c) => c.status !== 'unchanged' || c.renumbered)
    : input.changes;
  return {
    language,
    title: labels.title(title(input.before), title(input.after)),
    versions: [
      `${labels.versions.before}${labels.colon}${describe(input.before)}`,
      `${labels.versions.after}${labels.colon}${describe(input.after)}`,
    ],
    summary: summarizeChanges(input.changes, language),
    headers: labels.headers,
    none: labels.none,
    rows: shown.map((change) => rowOf(change, language)),
  };
}

function rowOf(change: ClauseChange, language: Language): ReportRow {
  const labels = comparisonLabels(language);
  const notes = [labels.status[change.status]];
  if (change.renumbered && change.before && change.after)
    notes.push(
      labels.renumbered(
        sanitizeExportText(citedPath(change.before.path)),
        sanitizeExportText(citedPath(change.after.path)),
      ),
    );
  let before: Segment[] = [];
  let after: Segment[] = [];
  if (change.status === 'modified' && change.before && change.after) {
    ({ before, after } = sideBySide(change.before.text, change.after.text, change.edits));
  } else {
    // a whole clause added or removed is marked as a whole; an unchanged one not at all
    const whole = change.status !== 'unchanged';
    if (change.before) before = [{ text: change.before.text, changed: whole }];
    if (change.after) after = [{ text: change.after.text, changed: whole }];
  }
  return {
    status: change.status,
    before: sideOf(change.before, before),
    after: sideOf(change.after, after),
    change: notes,
  };
}

function sideOf(ref: ClauseRef | null, segments: Segment[]): ReportSide | null {
  if (!ref) return null;
  return {
    path: sanitizeExportText(ref.path),
    segments: segments
      .map((s) => ({ text: sanitizeExportText(s.text), changed: s.changed }))
      .filter((s) => s.text !== ''),
  };
}
