/**
 * Deep links from a briefing back to the highlight on its page:
 *
 *   <page url without fragment>#pizhu=<annotationId>:~:text=[prefix-,]start[,end]
 *
 * The text directive (https://wicg.github.io/scroll-to-text-fragment/) lets any modern browser scroll to the
 * quote without the extension. Browsers strip the ":~:" directive from location.hash, so the extension's
 * content script sees "#pizhu=<id>" and resolves it to the highlight itself. The page's own fragment is
 * dropped: it is not part of the document's identity (see canonical-url.ts).
 *
 * Text directive terms must start and end on word boundaries and cannot cross block boundaries, so the
 * terms are cut at line breaks, spaces or punctuation where possible; long quotes use "start,end".
 */
import { type Annotation, idSchema } from './annotation.ts';

const HASH_KEY = 'pizhu=';
const DIRECTIVE = ':~:';
/** Quotes up to this length (after collapsing whitespace) are matched whole. */
const WHOLE_QUOTE_CHARS = 80;
/** Length aimed at for the start and end terms of a longer quote. */
const TERM_CHARS = 40;
const CONTEXT_CHARS = 20;
const BREAK_AFTER = /[\s，。；：、！？）」』》,.;:!?)\]]/u;
const BREAK_BEFORE = /[\s（「『《([]/u;

/** The link to a highlight: the document's URL with the fragment described above. */
export function deepLinkFor(url: string, annotation: Pick<Annotation, 'id' | 'quote' | 'selectors'>): string {
  const base = url.split('#', 1)[0]!;
  const quoteSelector = annotation.selectors.find((s) => s.type === 'TextQuoteSelector');
  const prefix = quoteSelector?.exact === annotation.quote ? quoteSelector.prefix : undefined;
  const text = textDirectiveFor(annotation.quote, prefix);
  return `${base}#${HASH_KEY}${annotation.id}${text ? `${DIRECTIVE}text=${text}` : ''}`;
}

/**
 * The annotation id in a location hash ("#pizhu=<id>", with or without "#", other "&"-separated parts or a
 * text directive), or null when there is none or it is not a valid id.
 */
export function parseDeepLinkHash(hash: string): string | null {
  let fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  const directive = fragment.indexOf(DIRECTIVE);
  if (directive >= 0) fragment = fragment.slice(0, directive);
  for (const part of fragment.split('&')) {
    if (!part.startsWith(HASH_KEY)) continue;
    const id = decodeSafely(part.slice(HASH_KEY.length));
    return idSchema.safeParse(id).success ? id : null;
  }
  return null;
}

/** The value of a `text=` directive for a quote (percent-encoded), or '' for an empty quote. */
export function textDirectiveFor(quote: string, prefix?: string): string {
  const blocks = splitBlocks(quote);
  if (!blocks.length) return '';
  const first = blocks[0]!;
  const last = blocks[blocks.length - 1]!;
  const terms: string[] = [];
  const context = prefixTerm(quote, prefix);
  if (context) terms.push(`${encodeTerm(context)}-`);
  if (blocks.length === 1 && first.length <= WHOLE_QUOTE_CHARS) terms.push(encodeTerm(first));
  else terms.push(encodeTerm(cutHead(first, TERM_CHARS)), encodeTerm(cutTail(last, TERM_CHARS)));
  return terms.join(',');
}

/** A few words before the quote, to pick the right occurrence; none when a block boundary separates them. */
function prefixTerm(quote: string, prefix: string | undefined): string {
  if (!prefix || /^[ \t]*[\n\r\u2028\u2029]/u.test(quote) || /[\n\r\u2028\u2029][ \t]*$/u.test(prefix)) return '';
  return cutTail(splitBlocks(prefix).at(-1) ?? '', CONTEXT_CHARS);
}

function splitBlocks(text: string): string[] {
  return text
    .split(/[\n\r\u2028\u2029]+/u)
    .map((line) => line.replace(/\s+/gu, ' ').trim())
    .filter(Boolean);
}

/** Whether a term may end before index `i` of `text` (or start at it): a space or punctuation is there. */
function isBoundary(text: string, i: number): boolean {
  const before = text[i - 1] ?? ' ';
  const after = text[i] ?? ' ';
  return /\s/u.test(before) || /\s/u.test(after) || BREAK_AFTER.test(before) || BREAK_BEFORE.test(after);
}

/** The start of `text`: the longest head up to `max` characters ending on a boundary, else the shortest
 * head up to three times that, else exactly `max` characters. */
function cutHead(text: string, max: number): string {
  if (text.length <= max) return text;
  for (let end = max; end >= max / 4; end--) if (isBoundary(text, end)) return text.slice(0, end).trimEnd();
  for (let end = max + 1; end <= max * 3 && end < text.length; end++) {
    if (isBoundary(text, end)) return text.slice(0, end).trimEnd();
  }
  return text.slice(0, max);
}

/** The end of `text`, by the same rules as cutHead. */
function cutTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const n = text.length;
  for (let start = n - max; start <= n - max / 4; start++)
    if (isBoundary(text, start)) return text.slice(start).trimStart();
  for (let start = n - max - 1; start >= n - max * 3 && start > 0; start--) {
    if (isBoundary(text, start)) return text.slice(start).trimStart();
  }
  return text.slice(n - max);
}

/**
 * Percent-encodes a term; "-", "," and "&" are syntax in text directives and must be encoded too. A lone
 * surrogate (which encodeURIComponent refuses) becomes U+FFFD, as the browser's own text would.
 */
function encodeTerm(term: string): string {
  const wellFormed = term.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu, '\uFFFD');
  return encodeURIComponent(wellFormed).replace(/-/g, '%2D');
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
