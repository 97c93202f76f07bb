/**
 * Colleagues are told apart by a colour derived from their member id (the same in every view: the page's
 * underlines and badge, cards, the side panel, the popup, and the presence others see) and by their initials.
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

/**
 * What a badge shows of a person: the surname, so that 王处长 and 王科员 read 王 and a title never stands in
 * for the person (a Chinese name's first character), else the initials of a Latin name (first and last word).
 */
export function initialsOf(name: string): string {
  const trimmed = name.trim();
  const first = trimmed.match(/[\p{L}\p{N}]/u)?.[0];
  if (!first) return '?';
  if (/\p{Script=Han}/u.test(first)) return first;
  const words = trimmed.split(/[\s\-_.·]+/u).filter((word) => /[\p{L}\p{N}]/u.test(word));
  const initial = (word: string) => word.match(/[\p{L}\p{N}]/u)![0]!.toUpperCase();
  return words.length > 1 ? initial(words[0]!) + initial(words[words.length - 1]!) : initial(words[0]!);
}
