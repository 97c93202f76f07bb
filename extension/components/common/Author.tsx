/** A colleague's initials in their colour, with the full name for screen readers and on hover. */
import { authorColor, initialsOf } from './colors.ts';

export function AuthorBadge({ id, name, size = 20 }: { id: string; name: string; size?: number }) {
  return (
    <span
      className="pz-avatar"
      title={name}
      style={{ background: authorColor(id), width: size, height: size, fontSize: Math.round(size * 0.45) }}
      aria-hidden="true"
    >
      {initialsOf(name)}
    </span>
  );
}

/** "3 分钟前" / "3 minutes ago", else a date; in the UI language. */
export function relativeTime(at: number, language: string, now = Date.now()): string {
  const seconds = Math.round((at - now) / 1000);
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return format.format(Math.round(seconds / 86_400), 'day');
  return new Date(at).toLocaleDateString(language);
}
