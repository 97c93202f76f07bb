/**
 * Colleagues are told apart by a colour derived from their id (the same in the page's underlines, the
 * initials badges and the side panel) and by their initials.
 */

/** Dark enough for white initials on top (at least 4.5:1). */
export const AUTHOR_COLORS = ['#b42318', '#0b63c4', '#1a7f37', '#7e22ce', '#be185d', '#a15c07', '#0f766e', '#4338ca'];

export function authorSlot(authorId: string): number {
  let hash = 0;
  for (const char of authorId) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % AUTHOR_COLORS.length;
}

export function authorColor(authorId: string): string {
  return AUTHOR_COLORS[authorSlot(authorId)]!;
}

/** One or two characters for a badge: a Chinese name's last two characters, else Latin initials. */
export function initialsOf(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  if (/[\u3400-\u9fff]/u.test(trimmed)) return [...trimmed.replace(/\s+/g, '')].slice(-2).join('');
  const words = trimmed.split(/\s+/);
  return words.length > 1
    ? (words[0]![0]! + words[words.length - 1]![0]!).toUpperCase()
    : trimmed.slice(0, 2).toUpperCase();
}
