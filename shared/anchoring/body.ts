/**
 * Body detection: the element holding a portal page's document body (not the breadcrumb, metadata table,
 * navigation, related links or footer), possibly inside a same-origin or srcdoc frame.
 *
 * Every line of the page text gets a weight: its characters outside links, in full when it reads as prose
 * (sentence punctuation) and at a quarter otherwise (menus, metadata values, captions). An element weighs what
 * its text nodes weigh, frames included. From the top, we descend into the child that holds nearly all the weight
 * (a wrapper), and stop at the element whose weight is spread over several children (the container of the
 * paragraphs). Well-known content containers of Chinese government CMSes are preferred when they hold most of
 * the prose, because portals often put sizeable prose (notes, related articles) beside the body.
 */
import { frameDocument, isElement, localName } from './dom.ts';
import type { PageText } from './text-model.ts';
import { BREAK } from './normalize.ts';

/** Share of its parent's weight a child must hold for the descent to enter it. */
const WRAPPER_SHARE = 0.8;
/** A second child holding this share of the weight means the parent is the paragraphs' container. */
const SPLIT_SHARE = 0.05;
/** A known content container is taken when it holds at least this share of the page's prose. */
const KNOWN_SHARE = 0.5;

const KNOWN_CONTAINERS = [
  '#UCAP-CONTENT',
  '#zoom',
  '#fontzoom',
  '.TRS_Editor',
  '#js_content',
  '[itemprop="articleBody"]',
  '.article-content',
  '.pages_content',
  '#content',
  '.content',
  'article',
  'main',
];

const PROSE = /[，。；：！？,.;:!?、]/;

/**
 * Content weight of every text node, as prefix sums: the weight of an element is then the sum over its text
 * nodes, which form one run in the text model (found from the element's first and last text nodes), so no
 * ancestor chain is ever walked.
 */
export function weightPrefix(text: PageText): Float64Array {
  const nodes = text.nodes;
  const raw = text.raw;
  const weights = new Float64Array(nodes.length);
  const linkCache = new Map<Element, boolean>();
  const chromeCache = new Map<Element, number>();
  const chars = new Int32Array(nodes.length);
  const linked = new Uint8Array(nodes.length);
  let i = 0;
  let lineStart = 0;
  while (lineStart <= raw.length && i < nodes.length) {
    let lineEnd = raw.indexOf(BREAK, lineStart);
    if (lineEnd < 0) lineEnd = raw.length;
    const first = i;
    let plain = 0;
    let inLinks = 0;
    while (i < nodes.length && text.nodeStart[i]! < lineEnd) {
      const c = visibleChars(nodes[i]!.data);
      chars[i] = c;
      if (c > 0) {
        if (insideLink(nodes[i]!, linkCache)) {
          linked[i] = 1;
          inLinks += c;
        } else plain += c;
      }
      i++;
    }
    if (plain > 0) {
      const prose = plain >= 10 && inLinks < plain && PROSE.test(raw.slice(lineStart, lineEnd));
      const factor = prose ? 1 : 0.25;
      for (let k = first; k < i; k++)
        if (!linked[k]) weights[k] = chars[k]! * factor * chromeFactor(nodes[k]!, chromeCache);
    }
    lineStart = lineEnd + 1;
  }
  const prefix = new Float64Array(nodes.length + 1);
  for (let k = 0; k < nodes.length; k++) prefix[k + 1] = prefix[k]! + weights[k]!;
  return prefix;
}

/** Page chrome by element or by name: navigation, header, footer, breadcrumbs, share bars, related links. */
const CHROME_TAGS = new Set(['nav', 'header', 'footer', 'aside', 'menu']);
const CHROME_NAMES =
  /(?:^|[\s_-])(?:foot(?:er)?|nav(?:bar|igation)?|menu|breadcrumbs?|crumbs?|header|banner|sidebar|share|copyright|related|comments?|toolbar)(?:$|[\s_-])|breadcrumb/i;
/** Text inside page chrome weighs this much (it can still be the body when nothing else has text). */
const CHROME_WEIGHT = 0.1;

/** Weight factor of a text node: low inside chrome (cached per element; each element is examined once). */
function chromeFactor(node: Node, cache: Map<Element, number>): number {
  const parent = node.parentElement;
  return parent ? elementChromeFactor(parent, cache) : 1;
}

function elementChromeFactor(el: Element, cache: Map<Element, number>): number {
  const known = cache.get(el);
  if (known !== undefined) return known;
  let factor = 1;
  const name = localName(el);
  if (CHROME_TAGS.has(name)) factor = CHROME_WEIGHT;
  else if (el.hasAttributes()) {
    const names = `${el.getAttribute('id') ?? ''} ${el.getAttribute('class') ?? ''}`;
    if (CHROME_NAMES.test(names)) factor = CHROME_WEIGHT;
  }
  if (factor === 1 && name !== 'body' && name !== 'html') {
    const parent = el.parentElement;
    if (parent) factor = elementChromeFactor(parent, cache);
  }
  cache.set(el, factor);
  return factor;
}

/** Characters that are not whitespace. */
function visibleChars(data: string): number {
  let count = 0;
  for (let k = 0; k < data.length; k++) {
    const c = data.charCodeAt(k);
    if (c > 0x20 && c !== 0xa0 && c !== 0x3000 && !(c >= 0x2000 && c <= 0x200b) && c !== 0x2029 && c !== 0xfeff)
      count++;
  }
  return count;
}

function insideLink(node: Node, cache: Map<Element, boolean>): boolean {
  const parent = node.parentElement;
  if (!parent) return false;
  const known = cache.get(parent);
  if (known !== undefined) return known;
  let inside = false;
  for (let p: Element | null = parent; p; p = p.parentElement) {
    const name = localName(p);
    if (name === 'a' || name === 'button') {
      inside = true;
      break;
    }
    if (name === 'p' || name === 'div' || name === 'td' || name === 'li' || name === 'body') break;
  }
  cache.set(parent, inside);
  return inside;
}

function childrenOf(el: Element): Element[] {
  const name = localName(el);
  if (name === 'iframe' || name === 'frame') {
    const doc = frameDocument(el);
    const body = doc?.body ?? doc?.documentElement;
    return body ? [body] : [];
  }
  return Array.from(el.children);
}

/** The document body container of the page held by `text`. */
export function detectBody(text: PageText): Element | null {
  const top = text.rootElement;
  if (!top) return null;
  const prefix = weightPrefix(text);
  const weight = (el: Element) => {
    const nodes = text.nodeRangeOfElement(el);
    return nodes ? prefix[nodes[1] + 1]! - prefix[nodes[0]]! : 0;
  };
  const total = weight(top);
  if (total === 0) return top;
  const known = knownContainer(text, weight, total);
  if (known) return known;
  let current = top;
  for (;;) {
    const own = weight(current);
    let best: Element | null = null;
    let bestWeight = 0;
    let sizeable = 0;
    for (const child of childrenOf(current)) {
      const w = weight(child);
      if (w >= own * SPLIT_SHARE) sizeable++;
      if (w > bestWeight) {
        best = child;
        bestWeight = w;
      }
    }
    if (!best || bestWeight < own * WRAPPER_SHARE || sizeable > 1) return current;
    current = best;
  }
}

function knownContainer(text: PageText, weight: (el: Element) => number, total: number): Element | null {
  const docs: Document[] = [];
  const top = text.rootElement!;
  docs.push(top.ownerDocument);
  for (const doc of text.frames.keys()) docs.push(doc);
  for (const selector of KNOWN_CONTAINERS) {
    for (const doc of docs) {
      const found = firstMatch(doc, selector);
      if (!found || !isElement(found)) continue;
      if (doc === top.ownerDocument && !top.contains(found)) continue;
      if (weight(found) >= total * KNOWN_SHARE) return found;
    }
  }
  return null;
}

/** First element for a simple selector (#id, .class or tag), through the DOM's fast indexes. */
function firstMatch(doc: Document, selector: string): Element | null {
  if (selector.startsWith('#')) return doc.getElementById(selector.slice(1));
  if (selector.startsWith('.')) return doc.getElementsByClassName(selector.slice(1))[0] ?? null;
  if (/^[a-z]+$/.test(selector)) return doc.getElementsByTagName(selector)[0] ?? null;
  try {
    return doc.querySelector(selector);
  } catch {
    return null;
  }
}
