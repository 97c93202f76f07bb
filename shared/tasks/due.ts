/** Deadlines as a user types them, read the same way by every task form and when a task is carried over. */
import { isIsoDay } from './dates.ts';
import { type DueDate, extractTaskHints } from './hints.ts';
import { TASK_LIMITS } from './model.ts';

/**
 * A deadline as typed, kept as written: a date (2023-06-30, 2023年6月30日, 6月30日前) or a phrase resolved against
 * the notice's year (6月底前, 年底前), or one without a date (长期坚持, 持续推进). Empty: no deadline.
 */
export function parseDue(text: string, year: number | undefined): DueDate | null {
  const written = text.trim();
  if (!written) return null;
  if (isIsoDay(written)) return { text: written, date: written };
  const due = extractTaskHints(written, year === undefined ? {} : { year }).due;
  return { text: [...written].slice(0, TASK_LIMITS.dueTextChars).join(''), date: due?.date ?? null };
}
