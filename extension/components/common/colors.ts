/** Highlight colours as UI swatches (opaque versions of the page highlight colours, for contrast on white). */
import type { Color } from '../../../shared/model/annotation.ts';

export const HIGHLIGHT_SWATCHES: Record<Color, string> = {
  yellow: '#ffd60a',
  green: '#5fd37a',
  blue: '#6cb4ff',
  pink: '#ff8fa8',
  purple: '#c99af0',
};

/** Colours that tell colleagues apart (initials badges, underlines); all pass 4.5:1 against white text. */
export const AUTHOR_COLORS = ['#b42318', '#0b63c4', '#1a7f37', '#7e22ce', '#be185d', '#a15c07', '#0f766e', '#4338ca'];

export function authorColor(authorId: string): string {
  let hash = 0;
  for (const char of authorId) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return AUTHOR_COLORS[hash % AUTHOR_COLORS.length]!;
}

/** One or two characters for a badge: a Chinese name's given name (last 2), else Latin initials. */
export function initialsOf(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  if (/[\u3400-\u9fff]/u.test(trimmed)) return [...trimmed.replace(/\s+/g, '')].slice(-2).join('');
  const words = trimmed.split(/\s+/);
  return words.length > 1 ? (words[0]![0]! + words[words.length - 1]![0]!).toUpperCase() : trimmed.slice(0, 2).toUpperCase();
}
