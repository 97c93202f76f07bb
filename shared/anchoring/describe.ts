/**
 * describe: a DOM Range → W3C Web Annotation selectors, refined by the clause it sits in.
 *
 * - TextQuoteSelector: `exact` is the readable text of the range (whitespace collapsed, `<br>` and block ends as
 *   "\n"), `prefix`/`suffix` the readable text of the 32 comparison units around it, within the body when the
 *   range is in the body — more when the quote with 32 units of context occurs elsewhere too (identical
 *   sentences repeated in one article), until it is unique or the 512-character limit is reached. Anchoring folds all three exactly as the page is folded, so what is stored is what is
 *   compared.
 * - TextPositionSelector: code-point offsets into the body's comparison text (see normalize.ts), present when the
 *   range lies in the body.
 * - ClauseSelector: the label path of the deepest clause holding the range and the hash of its own text.
 */
import { LIMITS, type Selector } from '../model/annotation.ts';
import { AnchoringError } from './errors.ts';
import type { PageIndex } from './page-index.ts';

export const CONTEXT_UNITS = 32;

export function describeRange(index: PageIndex, range: Range): Selector[] {
  if (!range || typeof range.startContainer !== 'object') throw new AnchoringError('describe needs a DOM Range');
  const units = index.text.unitsOfRange(range);
  if (!units) throw new AnchoringError('the range is not inside this page');
  const { start, end } = units;
  if (end <= start) throw new AnchoringError('the range holds no text');
  const text = index.text;
  const exact = text.readable(start, end);
  if (exact.length > LIMITS.quoteChars) {
    throw new AnchoringError(`the range holds ${exact.length} characters; at most ${LIMITS.quoteChars} can be stored`);
  }
  const inBody = start >= index.bodyStart && end <= index.bodyEnd;
  const lower = inBody ? index.bodyStart : 0;
  const upper = inBody ? index.bodyEnd : text.unitCount;
  const context = uniqueContext(index, start, end, lower, upper);
  const prefix = text.readable(context.start, start);
  const suffix = text.readable(end, context.end);
  const selectors: Selector[] = [
    {
      type: 'TextQuoteSelector',
      exact,
      ...(prefix ? { prefix: prefix.slice(-512) } : {}),
      ...(suffix ? { suffix: suffix.slice(0, 512) } : {}),
    },
  ];
  if (inBody) {
    selectors.push({ type: 'TextPositionSelector', start: start - index.bodyStart, end: end - index.bodyStart });
    const clause = index.clauseSpanning(start - index.bodyStart, end - index.bodyStart);
    if (
      clause &&
      clause.path.length <= LIMITS.clausePathDepth &&
      clause.path.every((l) => l.length <= LIMITS.labelChars)
    ) {
      selectors.push({ type: 'ClauseSelector', path: [...clause.path], hash: clause.hash });
    }
  }
  return selectors;
}

/** Context grows by this many units per side while quote and context are not unique on the page. */
const CONTEXT_STEP = 32;
/** The schema's limit on prefix and suffix (readable characters; units are never more). */
const CONTEXT_LIMIT = 512;

/** Unit range of quote + context: 32 units a side, widened until it occurs once on the page. */
function uniqueContext(
  index: PageIndex,
  start: number,
  end: number,
  lower: number,
  upper: number,
): { start: number; end: number } {
  const norm = index.text.norm;
  let units = CONTEXT_UNITS;
  for (;;) {
    const from = Math.max(lower, start - units);
    const to = Math.min(upper, end + units);
    const atLimit = units + CONTEXT_STEP > CONTEXT_LIMIT || (from === lower && to === upper);
    if (atLimit) return { start: from, end: to };
    const whole = norm.slice(from, to);
    if (index.bigramIndex.occurrences(whole, 0, norm.length, 2).length < 2) return { start: from, end: to };
    units += CONTEXT_STEP;
  }
}
