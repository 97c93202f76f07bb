/**
 * What a user types into a task's fields, read the same way by the page's task form and the side panel's task
 * editor: units as a list of names, a deadline kept as written and resolved to a day when it names one.
 */
import type { DocumentInfo } from '../../shared/model/annotation.ts';
import { LIMITS } from '../../shared/model/annotation.ts';
import { TASK_LIMITS } from '../../shared/tasks/index.ts';

/** Deadlines are read the same way here and where a task is carried to a new version (shared/tasks). */
export { parseDue } from '../../shared/tasks/index.ts';
import { PizhuError } from './errors.ts';

/**
 * The longest text each free-text field takes (the inputs' maxLength): what the task model allows, so a long
 * paste is cut where the user sees it instead of refused when saved.
 */
export const FIELD_MAX_CHARS = {
  task: TASK_LIMITS.taskChars,
  leader: TASK_LIMITS.leaderChars,
  due: TASK_LIMITS.dueTextChars,
  requirement: TASK_LIMITS.requirementChars,
  progress: TASK_LIMITS.progressChars,
  link: LIMITS.urlChars,
} as const;

const SEPARATORS = /[、，,;；\n]+/;

/** Unit names from a field: split on 、，,；; and line breaks, trimmed, each once. */
export function unitList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(SEPARATORS)
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
}

/** Refuses, before the background is asked, a field naming more units than a task takes. */
export function checkUnitCount(...lists: readonly (readonly string[])[]): void {
  if (lists.some((list) => list.length > TASK_LIMITS.unitsPerTask)) {
    throw new PizhuError('too_many_units', { max: TASK_LIMITS.unitsPerTask });
  }
}

/** The notice's year, for deadlines such as 6月底前: its date, else a year its title names (2023年工作要点). */
export function noticeYear(document: Pick<DocumentInfo, 'publishedAt' | 'title'>): number | undefined {
  const published = /^(\d{4})-\d{2}-\d{2}/.exec(document.publishedAt ?? '');
  if (published) return Number(published[1]);
  const titled = /((?:19|20)\d{2})\s*年/.exec(document.title ?? '');
  return titled ? Number(titled[1]) : undefined;
}
