/**
 * What the comparison page shows, as data: each side's annotations and tasks placed on the clauses of that side's
 * snapshot, the rows the "只看变化" filter keeps, which annotations and tasks can be carried over (and which were),
 * the order of two versions, and what a carry request holds. No DOM and no browser API: tested on its own.
 */
import { type ClauseChange, type ClauseSnapshot, carrySpan, type SnapshotPage } from '../../../shared/compare/index.ts';
import { type Annotation, findSelector, LIMITS } from '../../../shared/model/annotation.ts';
import { type ClauseRef, carriedFromKey, TASK_LIMITS, type Task } from '../../../shared/tasks/index.ts';
import type { CarryItem } from '../../lib/compare-messages.ts';
import type { TaskCarry } from '../../lib/tasks-messages.ts';

/** A version of a document: which document, which snapshot. */
export type VersionRef = { documentKey: string; contentHash: string };

/** The two versions compared. */
export type VersionPair = { before: VersionRef; after: VersionRef };

export type Placement = {
  /** Highlights (not replies) by the index of the snapshot clause they sit in. */
  byClause: Map<number, Annotation[]>;
  /** Highlights whose clause this snapshot does not have (made on other text, or outside any clause). */
  unplaced: Annotation[];
  /** Replies by the highlight they answer. */
  replies: Map<string, Annotation[]>;
};

/**
 * Finds a snapshot's clause for something made on a clause: by the hash of the clause text it was made on, among
 * clauses with that hash the one with its label path; else (no hash matches: the text differs) by label path.
 */
function clauseLocator(snapshot: ClauseSnapshot) {
  const byHash = new Map<string, number[]>();
  const byPath = new Map<string, number>();
  for (const clause of snapshot.clauses) {
    push(byHash, clause.hash, clause.index);
    const path = pathKey(clause.path);
    if (!byPath.has(path)) byPath.set(path, clause.index);
  }
  return (hash: string | undefined, path: readonly string[], fallbackPath: readonly string[]): number | undefined => {
    const sameText = hash ? (byHash.get(hash) ?? []) : [];
    const key = pathKey(path);
    return (
      sameText.find((i) => pathKey(snapshot.clauses[i]!.path) === key) ??
      sameText[0] ??
      (fallbackPath.length ? byPath.get(pathKey(fallbackPath)) : undefined)
    );
  };
}

/**
 * Places live highlights on a snapshot's clauses: by the clause text hash their ClauseSelector holds (the text
 * they were made on), else by label path; among clauses with that hash, the one with their path.
 */
export function placeAnnotations(snapshot: ClauseSnapshot, annotations: readonly Annotation[]): Placement {
  const locate = clauseLocator(snapshot);
  const placement: Placement = { byClause: new Map(), unplaced: [], replies: new Map() };
  for (const annotation of annotations) {
    if (annotation.deleted) continue;
    if (annotation.replyTo) {
      push(placement.replies, annotation.replyTo, annotation);
      continue;
    }
    const selector = findSelector(annotation.selectors, 'ClauseSelector');
    const index = locate(selector?.hash, selector?.path ?? annotation.clausePath, annotation.clausePath);
    if (index === undefined) placement.unplaced.push(annotation);
    else push(placement.byClause, index, annotation);
  }
  return placement;
}

export type TaskPlacement = {
  /** Live tasks by the index of the snapshot clause they were made on. */
  byClause: Map<number, Task[]>;
  /** Tasks whose clause this snapshot does not have. */
  unplaced: Task[];
};

/** Places live tasks on a snapshot's clauses as highlights are: by their clause's hash, else its label path. */
export function placeTasks(snapshot: ClauseSnapshot, tasks: readonly Task[]): TaskPlacement {
  const locate = clauseLocator(snapshot);
  const placement: TaskPlacement = { byClause: new Map(), unplaced: [] };
  for (const task of tasks) {
    if (task.deleted) continue;
    const index = locate(task.clause.hash, task.clause.path, task.clause.path);
    if (index === undefined) placement.unplaced.push(task);
    else push(placement.byClause, index, task);
  }
  return placement;
}

/** The rows "只看变化" keeps: every change but unchanged clauses (a renumbered one stays), as the export does. */
export function visibleChanges(changes: readonly ClauseChange[], onlyChanges: boolean): readonly ClauseChange[] {
  return onlyChanges ? changes.filter((c) => c.status !== 'unchanged' || c.renumbered) : changes;
}

/** Ids of the annotations that live annotations among these were carried over from. */
export function carriedSources(annotations: readonly Annotation[]): Set<string> {
  return new Set(annotations.filter((a) => !a.deleted && a.carriedFrom).map((a) => a.carriedFrom!.id));
}

/** A task's key as a carried task's `carriedFrom` names it (carriedFromKey). */
export const taskSourceKey = (task: Task): string => carriedFromKey(task);

/**
 * Old highlights or tasks that can be carried over and were not yet: those on a clause the new version also has,
 * whose key (`keyOf`) is not among the carried ones.
 */
export function carryable<T>(
  changes: readonly ClauseChange[],
  byClause: ReadonlyMap<number, readonly T[]>,
  carried: ReadonlySet<string>,
  keyOf: (item: T) => string,
): { change: ClauseChange; item: T }[] {
  const out: { change: ClauseChange; item: T }[] = [];
  for (const change of changes) {
    if (!change.before || !change.after) continue;
    for (const item of byClause.get(change.before.index) ?? []) {
      if (!carried.has(keyOf(item))) out.push({ change, item });
    }
  }
  return out;
}

/** The request to carry one annotation to the paired clause of the new version. */
export function carryItem(
  page: SnapshotPage,
  change: ClauseChange,
  annotation: Annotation,
  documentKey: string,
): CarryItem {
  const target = page.describe(change.after!.index, carrySpan(change, annotation.quote));
  return {
    from: annotation.id,
    documentKey,
    selectors: target.selectors,
    clausePath: target.clausePath,
    quote: target.quote,
  };
}

/**
 * The request to carry one task to the paired clause of the new version: that clause as a task records it, read
 * from the new version's snapshot (its label, own text and its sub-clauses', as a page's clause reads).
 */
export function taskCarryItem(snapshot: ClauseSnapshot, change: ClauseChange, task: Task): TaskCarry {
  return {
    from: { id: task.id, documentKey: task.documentKey },
    clause: snapshotClauseRef(snapshot, change.after!.index),
  };
}

function snapshotClauseRef(snapshot: ClauseSnapshot, index: number): ClauseRef {
  const clause = snapshot.clauses[index];
  if (!clause) throw new Error(`The new version has no clause ${index}`);
  const own = (c: typeof clause) => (c.kind === 'numbered' ? `${c.label}${c.text}` : c.text);
  const lines = [own(clause)];
  for (let i = index + 1; i < snapshot.clauses.length && snapshot.clauses[i]!.level > clause.level; i++) {
    lines.push(own(snapshot.clauses[i]!));
  }
  return {
    path: clause.path.slice(0, LIMITS.clausePathDepth),
    text: [...lines.join('\n')].slice(0, TASK_LIMITS.clauseTextChars).join(''),
    hash: clause.hash,
    index,
  };
}

/**
 * Which version is the old one: by publication date when both have one and they differ; otherwise the version
 * the page was opened for (`base`, the notice being read) is the new one and the one picked beside it the old.
 * (When a version was stored says nothing: a colleague's older snapshot may reach this browser last.)
 */
export function inVersionOrder<T extends { publishedAt?: string }>(base: T, other: T): [T, T] {
  if (base.publishedAt && other.publishedAt && base.publishedAt !== other.publishedAt) {
    return base.publishedAt < other.publishedAt ? [base, other] : [other, base];
  }
  return [other, base];
}

/** A version in the page's address: `<documentKey>.<contentHash>` (neither holds a dot). */
export function versionParam(version: VersionRef): string {
  return `${version.documentKey}.${version.contentHash}`;
}

export function parseVersionParam(value: string | null): VersionRef | null {
  const match = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,64})$/.exec(value ?? '');
  return match ? { documentKey: match[1]!, contentHash: match[2]! } : null;
}

function pathKey(path: readonly string[]): string {
  return path.join('\u0001');
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
