/** Highlight colours as UI swatches (opaque versions of the page highlight colours, for contrast on white). */
import type { Color } from '../../../shared/model/annotation.ts';

export { AUTHOR_COLORS, authorColor, initialsOf } from '../../lib/author-colors.ts';

export const HIGHLIGHT_SWATCHES: Record<Color, string> = {
  yellow: '#ffd60a',
  green: '#5fd37a',
  blue: '#6cb4ff',
  pink: '#ff8fa8',
  purple: '#c99af0',
};
