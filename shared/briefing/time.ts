/**
 * Dates and times in a given IANA time zone, with Intl only (the same in browsers and Node):
 * what the briefing shows, and the epoch-ms bounds of a YYYY-MM-DD date range.
 */

type Parts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const partFormatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, timeZone: string): Parts {
  let formatter = partFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts as Parts;
}

/** How far local time in the zone is ahead of UTC at that instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const p = partsIn(ms, timeZone);
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return local - Math.floor(ms / 1000) * 1000;
}

/** The instant local midnight starts the given date (YYYY-MM-DD) in the zone. */
export function startOfDate(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - offsetAt(wall, timeZone);
  // A second pass settles dates where the offset changes around midnight (daylight saving).
  return wall - offsetAt(first, timeZone);
}

/** The first instant after the given date ends in the zone. */
export function endOfDate(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return startOfDate(next.toISOString().slice(0, 10), timeZone);
}

/** The date (YYYY-MM-DD) of an instant in the zone. */
export function isoDateIn(ms: number, timeZone: string): string {
  const p = partsIn(ms, timeZone);
  return `${String(p.year).padStart(4, '0')}-${pad(p.month)}-${pad(p.day)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A date as officials write it: 2024年3月5日, or 5 March 2024. */
export function formatDate(date: string, language: 'zh' | 'en'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return language === 'zh' ? `${y}年${m}月${d}日` : `${d} ${MONTHS[m - 1]} ${y}`;
}

const wordedMinutes = new Map<string, string>();
const WORDED_CACHE_LIMIT = 50_000;

/** An instant as a date and time in the zone: 2024年3月5日 10:20, or 5 March 2024, 10:20. */
export function formatDateTime(ms: number, timeZone: string, language: 'zh' | 'en'): string {
  // Intl is slow and notes cluster in time: word each minute once.
  const key = `${Math.floor(ms / 60_000)}|${timeZone}|${language}`;
  const cached = wordedMinutes.get(key);
  if (cached !== undefined) return cached;
  const p = partsIn(ms, timeZone);
  const date = formatDate(`${p.year}-${p.month}-${p.day}`, language);
  const worded = `${date}${language === 'zh' ? ' ' : ', '}${pad(p.hour)}:${pad(p.minute)}`;
  if (wordedMinutes.size >= WORDED_CACHE_LIMIT) wordedMinutes.clear();
  wordedMinutes.set(key, worded);
  return worded;
}
