/**
 * The page text model: the readable text of a root (same-origin frames included, where they sit), with a two-way
 * mapping between text offsets and DOM positions.
 *
 * Three coordinate systems:
 * - DOM positions (node, offset);
 * - raw offsets: UTF-16 offsets into `raw`, the concatenation of the readable text nodes' data, with one BREAK
 *   character (no DOM node) between blocks and at each `<br>`;
 * - units: offsets into `norm`, the comparison form of `raw` (see normalize.ts); one unit is one code point of
 *   folded text. Selectors, clause ranges and matching all use units.
 */
import { BREAK, foldWithMap, readableText } from './normalize.ts';
import { frameDocument, isElement, isText, localName, ownerDocument, textIsAtOrAfter, type Root, rootElement } from './dom.ts';

/** Elements whose content is never readable text. */
const SKIPPED = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'title', 'meta', 'link', 'object', 'embed', 'canvas',
  'select', 'option', 'datalist', 'textarea', 'input', 'svg', 'math', 'audio', 'video', 'map', 'param', 'source',
  'track', 'dialog',
]);

/** Elements that start and end a line (a block box in the default style sheet). */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'dir', 'div',
  'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header',
  'hgroup', 'hr', 'html', 'iframe', 'frame', 'legend', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section',
  'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'frameset', 'listing', 'xmp', 'plaintext',
]);

const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|content-visibility\s*:\s*hidden)/i;

export function isHiddenElement(el: Element): boolean {
  if (SKIPPED.has(localName(el))) return true;
  if (el.hasAttribute('hidden')) return true;
  const style = el.getAttribute('style');
  return !!style && HIDDEN_STYLE.test(style);
}

export function isBlockElement(el: Element): boolean {
  return BLOCKS.has(localName(el));
}

export interface DomPoint {
  node: Node;
  offset: number;
}

export class PageText {
  /** Concatenated readable text; BREAK marks a line break that has no DOM node. */
  raw = '';
  /** Readable text nodes in document order (frames' nodes where the frame sits). */
  nodes: Text[] = [];
  /** Raw offset where each node's data starts. */
  nodeStart: Int32Array = new Int32Array(0);
  /** Comparison form of `raw`. */
  norm = '';
  /** For each unit of `norm`, the raw offset of the code point that produced it. */
  unitRaw: Int32Array = new Int32Array(0);
  /** Same-origin frame documents met in the walk, with the frame element that shows each one. */
  readonly frames = new Map<Document, Element>();
  private nodeIndex = new Map<Node, number>();

  constructor(readonly root: Root) {
    this.rebuild();
  }

  /** The element walked: a document's body, or the given element. */
  get rootElement(): Element | null {
    return rootElement(this.root);
  }

  /** Re-reads the whole root. */
  rebuild(): void {
    const parts: string[] = [];
    const nodes: Text[] = [];
    const starts: number[] = [];
    let length = 0;
    let lastIsBreak = true;
    this.frames.clear();
    const pushBreak = () => {
      if (!lastIsBreak) {
        parts.push(BREAK);
        length += 1;
        lastIsBreak = true;
      }
    };
    const walk = (el: Element) => {
      // indexed childNodes, not nextSibling: some DOMs (happy-dom) find a sibling by searching the parent's list
      const children = el.childNodes;
      for (let c = 0, count = children.length; c < count; c++) {
        const child = children[c]!;
        if (isText(child)) {
          const data = child.data;
          if (data.length === 0) continue;
          nodes.push(child);
          starts.push(length);
          parts.push(data);
          length += data.length;
          lastIsBreak = false;
        } else if (isElement(child)) {
          if (isHiddenElement(child)) continue;
          const name = localName(child);
          if (name === 'br') {
            // two <br> in a row are one break: an empty line separates nothing more than one break does
            if (lastIsBreak) continue;
            parts.push(BREAK);
            length += 1;
            lastIsBreak = true;
            continue;
          }
          const block = BLOCKS.has(name);
          if (block) pushBreak();
          if (name === 'iframe' || name === 'frame') {
            const doc = frameDocument(child);
            const body = doc && rootElement(doc);
            if (doc && body) {
              this.frames.set(doc, child);
              walk(body);
            }
          } else {
            walk(child);
          }
          if (block) pushBreak();
        }
      }
    };
    const top = this.rootElement;
    if (top && !isHiddenElement(top)) walk(top);
    this.raw = parts.join('');
    this.nodes = nodes;
    this.nodeStart = Int32Array.from(starts);
    this.nodeIndex = new Map();
    for (let i = 0; i < nodes.length; i++) this.nodeIndex.set(nodes[i]!, i);
    const folded = foldWithMap(this.raw);
    this.norm = folded.text;
    this.unitRaw = folded.map;
  }

  get unitCount(): number {
    return this.norm.length;
  }

  /** Raw offset just after the code point that produced unit `u - 1` (the raw end of units [.., u)). */
  rawEndOfUnits(u: number): number {
    if (u <= 0) return this.unitRaw.length ? this.unitRaw[0]! : 0;
    const last = this.unitRaw[u - 1]!;
    const code = this.raw.charCodeAt(last);
    return last + (code >= 0xd800 && code <= 0xdbff ? 2 : 1);
  }

  /** Raw offset where unit `u` starts (the raw length when `u` is past the end). */
  rawStartOfUnit(u: number): number {
    return u < this.unitRaw.length ? this.unitRaw[u]! : this.raw.length;
  }

  /** First unit whose raw offset is >= `raw` (so units [unitAtOrAfter(a), unitAtOrAfter(b)) lie in [a, b)). */
  unitAtOrAfter(raw: number): number {
    const arr = this.unitRaw;
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid]! < raw) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Readable text of units [a, b): the raw text they come from, whitespace collapsed. */
  readable(a: number, b: number): string {
    if (b <= a) return '';
    return readableText(this.raw.slice(this.rawStartOfUnit(a), this.rawEndOfUnits(b)));
  }

  // --- DOM ⇄ raw offsets ---

  /** Index of the last node starting at or before raw offset `raw`, or -1. */
  private nodeAtRaw(raw: number): number {
    const arr = this.nodeStart;
    let lo = 0;
    let hi = arr.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid]! <= raw) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /**
   * Raw offset of a DOM boundary point. Points in text the model does not hold (hidden elements, other
   * documents) resolve to the next readable text. Returns null when the point's document is not in the model.
   */
  rawOffsetOf(container: Node, offset: number): number | null {
    if (isText(container)) {
      const i = this.nodeIndex.get(container);
      if (i !== undefined) return this.nodeStart[i]! + Math.max(0, Math.min(offset, container.data.length));
    }
    const doc = ownerDocument(container);
    if (!this.holdsDocument(doc)) return null;
    // Binary search for the first model node at or after the point.
    let lo = 0;
    let hi = this.nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.isAtOrAfter(this.nodes[mid]!, container, offset)) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.nodes.length ? this.nodeStart[lo]! : this.raw.length;
  }

  private holdsDocument(doc: Document): boolean {
    const top = this.rootElement;
    return (!!top && top.ownerDocument === doc) || this.frames.has(doc);
  }

  /** The chain of documents from `doc` up to the top one, through the frames of this model. */
  private docChain(doc: Document): Document[] {
    const chain = [doc];
    for (let frame = this.frames.get(doc); frame; frame = this.frames.get(frame.ownerDocument)) {
      chain.push(frame.ownerDocument);
    }
    return chain;
  }

  /** `node` lifted into `doc`: itself, or the frame element in `doc` that (through frames) shows it. */
  private liftTo(node: Node, doc: Document): Node {
    let n = node;
    while (ownerDocument(n) !== doc) {
      const frame = this.frames.get(ownerDocument(n));
      if (!frame) return n;
      n = frame;
    }
    return n;
  }

  /** Whether text node `t` is at or after boundary (container, offset), across the model's frames. */
  private isAtOrAfter(t: Text, container: Node, offset: number): boolean {
    const pointDoc = ownerDocument(container);
    if (t.ownerDocument === pointDoc) return textIsAtOrAfter(t, container, offset);
    const tChain = this.docChain(t.ownerDocument);
    const common = this.docChain(pointDoc).find((d) => tChain.includes(d));
    if (!common) return false;
    const tLifted = this.liftTo(t, common);
    if (common === pointDoc) return textIsAtOrAfter(tLifted, container, offset);
    const pointFrame = this.liftTo(container, common);
    if (tLifted === pointFrame) return false; // unreachable: both in one frame means a lower common document
    return (pointFrame.compareDocumentPosition(tLifted) & 4) !== 0;
  }

  /** DOM point for a raw offset. `side` says which way to lean at a BREAK or between two nodes. */
  domPoint(raw: number, side: 'start' | 'end'): DomPoint | null {
    if (this.nodes.length === 0) return null;
    let i = this.nodeAtRaw(raw);
    if (i < 0) return { node: this.nodes[0]!, offset: 0 };
    let node = this.nodes[i]!;
    let local = raw - this.nodeStart[i]!;
    if (local > node.data.length || (side === 'start' && local === node.data.length)) {
      // in a BREAK after node i, or at its very end: a start leans to the next node, an end stays here
      if (side === 'start' && i + 1 < this.nodes.length) {
        i += 1;
        node = this.nodes[i]!;
        local = 0;
      } else local = node.data.length;
    }
    if (side === 'end' && local === 0 && i > 0 && raw > 0) {
      // an end at the start of a node is better expressed as the end of the previous node
      const prev = this.nodes[i - 1]!;
      if (this.nodeStart[i - 1]! + prev.data.length <= raw) return { node: prev, offset: prev.data.length };
    }
    return { node, offset: local };
  }

  /** A live DOM Range over raw offsets [a, b). Ends in another frame document are clamped to the start's one. */
  rangeForRaw(a: number, b: number): Range | null {
    const start = this.domPoint(a, 'start');
    let end = this.domPoint(Math.max(a, b), 'end');
    if (!start || !end) return null;
    const doc = ownerDocument(start.node);
    if (ownerDocument(end.node) !== doc) {
      // a Range cannot span documents: end at the last text of the start's document
      let j = this.nodes.length - 1;
      while (j > 0 && this.nodes[j]!.ownerDocument !== doc) j--;
      const last = this.nodes[j]!;
      end = { node: last, offset: last.data.length };
    }
    return makeRange(doc, start, end);
  }

  /** A DOM Range over units [a, b). */
  rangeForUnits(a: number, b: number): Range | null {
    return this.rangeForRaw(this.rawStartOfUnit(a), this.rawEndOfUnits(b));
  }

  /** Units [start, end) covered by a DOM Range, or null when the range is outside the model. */
  unitsOfRange(range: Range): { start: number; end: number } | null {
    const a = this.rawOffsetOf(range.startContainer, range.startOffset);
    const b = this.rawOffsetOf(range.endContainer, range.endOffset);
    if (a === null || b === null) return null;
    return { start: this.unitAtOrAfter(a), end: this.unitAtOrAfter(Math.max(a, b)) };
  }

  /**
   * Raw range [start, end) of an element's readable text, found from its first and last readable text nodes
   * (no boundary comparisons, which some DOMs make by walking the document). Null when it holds none.
   */
  rawRangeOfElement(el: Element): [number, number] | null {
    const first = this.edgeTextNode(el, true);
    const last = first === null ? null : this.edgeTextNode(el, false);
    if (first === null || last === null) return null;
    return [this.nodeStart[first]!, this.nodeStart[last]! + this.nodes[last]!.data.length];
  }

  /** Index of the first (or last) model text node inside `el`, frames included, or null. */
  private edgeTextNode(el: Node, forward: boolean): number | null {
    const i = this.nodeIndex.get(el);
    if (i !== undefined) return i;
    if (isElement(el) && (localName(el) === 'iframe' || localName(el) === 'frame')) {
      const doc = [...this.frames].find(([, frame]) => frame === el)?.[0];
      const body = doc && rootElement(doc);
      return body ? this.edgeTextNode(body, forward) : null;
    }
    const children = el.childNodes;
    const count = children.length;
    for (let k = 0; k < count; k++) {
      const found = this.edgeTextNode(children[forward ? k : count - 1 - k]!, forward);
      if (found !== null) return found;
    }
    return null;
  }

  /** Unit offset of a DOM point (the unit at or after it). */
  unitOfPoint(node: Node, offset: number): number | null {
    const raw = this.rawOffsetOf(node, offset);
    return raw === null ? null : this.unitAtOrAfter(raw);
  }

  /** Index of the text node that holds raw offset `raw` (or the nearest before it). */
  nodeIndexAtRaw(raw: number): number {
    return this.nodeAtRaw(raw);
  }

  indexOfNode(node: Node): number | undefined {
    return this.nodeIndex.get(node);
  }
}

/**
 * A Range from two points, start before end. Collapsing onto the start node first keeps every boundary comparison
 * local: DOM implementations that compare boundary points by walking the tree in document order (jsdom) would
 * otherwise walk from the document start for each Range.
 */
export function makeRange(doc: Document, start: DomPoint, end: DomPoint): Range {
  const range = doc.createRange();
  range.selectNodeContents(start.node);
  range.setStart(start.node, start.offset);
  range.setEnd(end.node, end.offset);
  return range;
}
