/**
 * What a task form starts from: for a clause of the page, its label path, text and place (anchoring's clause),
 * the task's wording (the clause's first sentence) and the suggestions its own words make (shared/tasks
 * extractTaskHints, deadlines resolved against the notice's year). Every suggestion is marked as one, for the
 * user to confirm or edit; nothing here is saved. Pure functions of the clause tree, so they are tested on jsdom.
 */
import type { Clause } from '../../../shared/anchoring/index.ts';
import {
  type ClauseRef,
  extractTaskHints,
  type LiveUnit,
  TASK_LIMITS,
  type TaskStatus,
  unitNameKey,
} from '../../../shared/tasks/index.ts';
import { parseDue, unitList } from '../task-input.ts';
import type { TaskDraft } from '../tasks-messages.ts';

/** A row of a task form, as the user edits it (units as typed: names separated by 、 or commas). */
export type TaskFormRow = {
  clause: ClauseRef;
  /** The clause's own text (after its label), for the user to see what the task is made from. */
  excerpt: string;
  include: boolean;
  task: string;
  leadUnits: string;
  units: string;
  leader: string;
  due: string;
  requirement: string;
  status: TaskStatus;
  /** Fields filled from the clause's words (shown as suggestions until the user edits them). */
  suggested: ('leadUnits' | 'units' | 'leader' | 'due')[];
};

const TASK_WORDING_CHARS = 200;
const EXCERPT_CHARS = 400;

/** The clause as a task records it. */
export function clauseRef(clause: Clause): ClauseRef {
  return {
    path: clause.path,
    text: [...clause.text].slice(0, TASK_LIMITS.clauseTextChars).join(''),
    hash: clause.hash,
    index: clause.index,
  };
}

/** The clause's own words after its label (sub-clauses left out). */
function ownText(clause: Clause, clauses: readonly Clause[]): string {
  const firstChild = clauses.find((c) => c.parent === clause.index);
  const childAt = firstChild ? clause.text.indexOf(firstChild.text.slice(0, 20), clause.label.length) : -1;
  const own = childAt > 0 ? clause.text.slice(0, childAt) : clause.text;
  const text = own.startsWith(clause.label) ? own.slice(clause.label.length) : own;
  return text.replace(/\s+/g, ' ').trim();
}

/** The task's wording: the clause's first sentence, or its heading (加强教育系统党的领导和党的建设). */
export function taskWording(text: string): string {
  const sentence = /^(.+?)[。；;！!？?]/.exec(text)?.[1] ?? text;
  return [...sentence.trim()].slice(0, TASK_WORDING_CHARS).join('');
}

/** A clause as a form's heading: its label path and its first words (一、坚持和加强党对教育工作的全面领导). */
export function clauseTitle(clause: Clause, clauses: readonly Clause[]): string {
  return `${clause.path.join('')}${taskWording(ownText(clause, clauses))}`;
}

/** A form row for a clause, pre-filled with what the clause's words suggest. */
export function draftFor(clause: Clause, clauses: readonly Clause[], year: number | undefined): TaskFormRow {
  const own = ownText(clause, clauses);
  const hints = extractTaskHints(clause.text, year === undefined ? {} : { year });
  const suggested: TaskFormRow['suggested'] = [];
  if (hints.leadUnits.length) suggested.push('leadUnits');
  if (hints.units.length) suggested.push('units');
  if (hints.leaders.length) suggested.push('leader');
  if (hints.due) suggested.push('due');
  return {
    clause: clauseRef(clause),
    excerpt: [...own].slice(0, EXCERPT_CHARS).join(''),
    include: true,
    task: taskWording(own) || clause.path.join(''),
    leadUnits: hints.leadUnits.join('、'),
    units: hints.units.join('、'),
    leader: hints.leaders.join('、'),
    due: hints.due?.text ?? '',
    requirement: '',
    status: 'todo',
    suggested,
  };
}

/**
 * A row with the unit names its clause suggested as the team names those units now: a name the team renamed or
 * merged away (an older notice's 基教科) reads as the unit it became. Names the team does not know stay as written.
 */
export function withUnitsAsNamedNow(row: TaskFormRow, units: readonly LiveUnit[]): TaskFormRow {
  const current = new Map<string, string>();
  // Former names first, so a unit's current name wins over another unit's former one (as findUnitByName).
  for (const unit of units) for (const alias of unit.aliases) current.set(unitNameKey(alias), unit.name);
  for (const unit of units) current.set(unitNameKey(unit.name), unit.name);
  const rename = (field: string) =>
    [...new Set(unitList(field).map((name) => current.get(unitNameKey(name)) ?? name))].join('、');
  return { ...row, leadUnits: rename(row.leadUnits), units: rename(row.units) };
}

/** The items a section breaks into: its clauses without sub-clauses, in document order (itself when it has none). */
export function sectionItems(section: Clause, clauses: readonly Clause[]): Clause[] {
  const inside = clauses.filter(
    (c) => c.index !== section.index && c.start >= section.start && c.end <= section.end && c.level > section.level,
  );
  const parents = new Set(inside.map((c) => c.parent));
  const leaves = inside.filter((c) => !parents.has(c.index));
  return leaves.length ? leaves : [section];
}

/** The drafts to send for the rows the user kept. */
export function draftsOf(rows: readonly TaskFormRow[], year: number | undefined): TaskDraft[] {
  return rows
    .filter((row) => row.include)
    .map((row) => ({
      clause: row.clause,
      task: row.task.trim(),
      leadUnits: unitList(row.leadUnits),
      units: unitList(row.units),
      leader: row.leader.trim() || undefined,
      due: parseDue(row.due, year),
      requirement: row.requirement.trim() || undefined,
      status: row.status,
    }));
}
