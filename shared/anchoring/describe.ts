/**
 * describe: a DOM Range → W3C Web Annotation selectors, refined by the clause it sits in.
 *
 * - TextQuoteSelector: `exact` is the readable text of the range (whitespace collapsed, `<br>` and block ends as
 *   "\n"), `prefix`/`suffix` the readable text of the 32 comparison units around it, within the body when the
 *   range is in the body. Anchoring folds all three exactly as the page is folded, so what is stored is what is
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
  const prefix = text.readable(Math.max(lower, start - CONTEXT_UNITS), start);
  const suffix = text.readable(end, Math.min(upper, end + CONTEXT_UNITS));
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
    if (clause && clause.path.length <= LIMITS.clausePathDepth && clause.path.every((l) => l.length <= LIMITS.labelChars)) {
      selectors.push({ type: 'ClauseSelector', path: [...clause.path], hash: clause.hash });
    }
  }
  return selectors;
}
