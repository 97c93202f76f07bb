/**
 * The reader's time zone: the browser's, or Asia/Shanghai when it names none. Screens read "today" (what is
 * overdue) and the dates they show in it.
 */
export function readerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai';
}
