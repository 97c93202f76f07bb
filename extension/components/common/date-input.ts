/**
 * Dates typed by a person, in the order both UI languages write them (year, month, day: 2024-03-05, 2024/3/5,
 * 2024.3.5, 2024年3月5日, 20240305), read into the ISO `YYYY-MM-DD` the date filters take. Never the browser's
 * locale: an American browser would otherwise read 03/05 as 5 March in the Chinese interface.
 */

/** ISO `YYYY-MM-DD`, '' for an empty field, null for text that is not a real date. */
export function parseDateInput(text: string): string | null {
  const trimmed = text.normalize('NFKC').trim();
  if (!trimmed) return '';
  const match =
    /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(trimmed) ??
    /^(\d{4})(\d{2})(\d{2})$/.exec(trimmed);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${match[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** An ISO date written out in a language: 2024年3月5日, 5 March 2024. */
export function longDate(iso: string, language: 'zh_CN' | 'en'): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'zh-CN', {
    dateStyle: 'long',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, day)));
}
