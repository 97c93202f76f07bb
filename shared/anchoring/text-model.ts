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
import {
  frameDocument,
  isElement,
  isText,
  localName,
  ownerDocument,
  textIsAtOrAfter,
  type Root,
  rootElement,
} from './dom.ts';
import { partitionPoint } from './partition-point.ts';

/** Elements whose content is never readable text. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'title',
  'meta',
  'link',
  'object',
  'embed',
  'canvas',
  'select',
  'option',
  'datalist',
  'textarea',
  'input',
  'svg',
  'math',
  'audio',
  'video',
  'map',
  'param',
  'source',
  'track',
  'dialog',
]);

/** Elements that start and end a line (a block box in the default style sheet). */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'caption',
  'center',
  'dd',
  'details',
  'dialog',
  'dir',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'html',
  'iframe',
  'frame',
  'legend',
  'li',
  'main',
  'menu',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
  'frameset',
  'listing',
  'xmp',
  'plaintext',
]);

const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|content-visibility\s*:\s*hidden)/i;

export function isHiddenElement(el: Element): boolean {
  return SKIPPED.has(localName(el)) || hiddenByAttributes(el);
}

/** `hidden`, or an inline style that hides (CSS from style sheets is not evaluated: too slow on long pages). */
function hiddenByAttributes(el: Element): boolean {
  if (!el.hasAttributes()) return false;
  if (el.hasAttribute('hidden')) return true;
  const style = el.getAttribute('style');
  return !!style && HIDDEN_STYLE.test(style);
}

export function isBlockElement(el: Element): boolean {
  return BLOCKS.has(localName(el));
}

export interface TextSnapshot {
  readonly norm: string;
  readable(a: number, b: number): string;
}

/** Readable text of units [a, b) of a text version. */
function readableUnits(raw: string, unitRaw: Int32Array, a: number, b: number): string {
  if (b <= a) return '';
  const from = a < unitRaw.length ? unitRaw[a]! : raw.length;
  const last = unitRaw[b - 1]!;
  const code = raw.charCodeAt(last);
  const to = last + (code >= 0xd800 && code <= 0xdbff ? 2 : 1);
  return readableText(raw.slice(from, to));
}

/** A changed stretch of the comparison text after an update: units [start, end) are new; `delta` is the growth. */
export interface TextChange {
  start: number;
  end: number;
  delta: number;
}

/** More touched blocks than this in one batch: a full re-read is simpler and about as fast. */
const MAX_LOCAL_BLOCKS = 64;

/**
 * Reads the readable text of elements: text nodes in document order, one BREAK between blocks and at `<br>`
 * (never two in a row), same-origin frames read where they sit.
 */
class TextReader {
  readonly parts: string[] = [];
  readonly nodes: Text[] = [];
  readonly starts: number[] = [];
  readonly lengths: number[] = [];
  private length = 0;

  /** `lastIsBreak`: whether the text read so far ends with a line break (true at the start of the page). */
  constructor(
    private readonly frames: Map<Document, Element>,
    private lastIsBreak = true,
  ) {}

  breakLine(): void {
    if (!this.lastIsBreak) {
      this.parts.push(BREAK);
      this.length += 1;
      this.lastIsBreak = true;
    }
  }

  element(el: Element): void {
    // few DOM calls per node: in DOMs implemented in JavaScript every property read costs
    for (let child = el.firstChild; child; child = child.nextSibling) {
      const type = child.nodeType;
      if (type === 3 || type === 4) {
        const data = (child as Text).data;
        if (data.length === 0) continue;
        this.nodes.push(child as Text);
        this.starts.push(this.length);
        this.lengths.push(data.length);
        this.parts.push(data);
        this.length += data.length;
        this.lastIsBreak = false;
      } else if (type === 1) {
        const element = child as Element;
        const name = localName(element);
        if (SKIPPED.has(name) || hiddenByAttributes(element)) continue;
        if (name === 'br') {
          // two <br> in a row are one break: an empty line separates nothing more than one break does
          this.breakLine();
          continue;
        }
        const block = BLOCKS.has(name);
        if (block) this.breakLine();
        if (name === 'iframe' || name === 'frame') {
          const doc = frameDocument(element);
          const body = doc && rootElement(doc);
          if (doc && body) {
            this.frames.set(doc, element);
            this.element(body);
          }
        } else {
          this.element(element);
        }
        if (block) this.breakLine();
      }
    }
  }
}

/** Elements that break lines or show another document even when they hold no text. */
const STRUCTURAL = [...BLOCKS, 'br', 'iframe', 'frame'];
const STRUCTURAL_SELECTOR = STRUCTURAL.join(',');

/** Whether a mutation may change the readable text: it touches text, a line break, a block or a frame. */
function mayChangeText(record: MutationRecord): boolean {
  if (record.type === 'characterData') return true;
  if (record.type === 'attributes') return mayHoldText(record.target);
  for (const node of Array.from(record.addedNodes)) if (mayHoldText(node)) return true;
  for (const node of Array.from(record.removedNodes)) if (mayHoldText(node)) return true;
  return false;
}

function mayHoldText(node: Node): boolean {
  if (node.nodeType === 3 || node.nodeType === 4) return (node as CharacterData).data.length > 0;
  if (!isElement(node)) return false; // comments, processing instructions: never read
  if (node.textContent) return true;
  return STRUCTURAL.includes(localName(node)) || node.querySelector(STRUCTURAL_SELECTOR) !== null;
}

/** The outermost block elements touched by mutations, or 'rebuild' when the root itself (or a frame) changed. */
function dirtyBlocks(records: readonly MutationRecord[], top: Element): Element[] | 'rebuild' {
  const found = new Set<Element>();
  for (const r of records) {
    let node: Node | null = r.target;
    // an attribute may hide or show the element itself: its container must be re-read
    if (r.type === 'attributes') node = r.target.parentNode;
    if (!node?.isConnected) continue; // removed since: an ancestor's record covers it
    if (!top.contains(node)) return 'rebuild'; // a frame document, or outside the root
    let el: Element | null = isElement(node) ? node : node.parentElement;
    while (el && el !== top && !isBlockElement(el)) el = el.parentElement;
    if (!el || el === top) return 'rebuild';
    found.add(el);
  }
  const list = [...found];
  return list.filter((el) => !list.some((other) => other !== el && other.contains(el)));
}

/** The previous node in document order (the last descendant of the previous sibling, or the parent). */
function previousOf(node: Node, top: Element): Node | null {
  if (node === top) return null;
  let prev = node.previousSibling;
  if (!prev) return node.parentNode === top ? null : node.parentNode;
  while (prev.lastChild) prev = prev.lastChild;
  return prev;
}

/** The next node in document order after `node`'s whole subtree (null at the end of `top`). */
function nextSkipping(node: Node, top: Element): Node | null {
  let n: Node | null = node;
  while (n && n !== top && !n.nextSibling) n = n.parentNode;
  if (!n || n === top) return null;
  return n.nextSibling;
}

function shifted(values: Int32Array, by: number): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! + by;
  return out;
}

function concat(...arrays: Int32Array[]): Int32Array {
  const out = new Int32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
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
  /** Each node's data length when it was read (the data may have changed since). */
  private nodeLength: Int32Array = new Int32Array(0);
  /** Comparison form of `raw`. */
  norm = '';
  /** For each unit of `norm`, the raw offset of the code point that produced it. */
  unitRaw: Int32Array = new Int32Array(0);
  /** Same-origin frame documents met in the walk, with the frame element that shows each one. */
  readonly frames = new Map<Document, Element>();
  private nodeIndex = new Map<Node, number>();

  /** With `deferred`, nothing is read yet: call `read()` then `fold()` (the async build yields between them). */
  constructor(
    readonly root: Root,
    deferred = false,
  ) {
    if (!deferred) this.rebuild();
  }

  /** The element walked: a document's body, or the given element. */
  get rootElement(): Element | null {
    return rootElement(this.root);
  }

  /** Re-reads the whole root. */
  rebuild(): void {
    this.read();
    this.fold();
  }

  /** Walks the DOM: raw text and text nodes (the comparison text is stale until `fold()`). */
  read(): void {
    this.frames.clear();
    const top = this.rootElement;
    const read = new TextReader(this.frames);
    if (top && !isHiddenElement(top)) read.element(top);
    this.raw = read.parts.join('');
    this.nodes = read.nodes;
    this.nodeStart = Int32Array.from(read.starts);
    this.nodeLength = Int32Array.from(read.lengths);
    this.reindexNodes();
  }

  /** Builds the comparison text from the raw text. */
  fold(): void {
    const folded = foldWithMap(this.raw);
    this.norm = folded.text;
    this.unitRaw = folded.map;
  }

  private reindexNodes(): void {
    this.nodeIndex = new Map();
    for (let i = 0; i < this.nodes.length; i++) this.nodeIndex.set(this.nodes[i]!, i);
  }

  /**
   * Applies DOM mutations by re-reading only the blocks they touched: each touched block's text replaces the text
   * between the nearest unchanged text nodes before and after it. Returns the changed unit ranges (in the new
   * text), or 'rebuild' when the change cannot be applied locally (frames, the root itself, many blocks), after
   * which the caller rebuilds.
   */
  update(records: readonly MutationRecord[]): TextChange[] | 'rebuild' {
    const top = this.rootElement;
    if (!top) return 'rebuild';
    // a node with no text, no line break and no frame (a script's empty container, an extension's UI host)
    // changes nothing here, however often it is added, removed or restyled
    const relevant = records.filter(mayChangeText);
    if (relevant.length === 0) return [];
    const blocks = dirtyBlocks(relevant, top);
    if (blocks === 'rebuild' || blocks.length > MAX_LOCAL_BLOCKS) return 'rebuild';
    if (blocks.length === 0) return [];
    const inDirty = (n: Node) => blocks.some((b) => b.contains(n));
    // locate every block between unchanged neighbours (old node indices), then splice from the last one back
    const spans: { block: Element; before: number; after: number }[] = [];
    for (const block of blocks) {
      const before = this.neighbour(block, top, false, inDirty);
      const after = this.neighbour(block, top, true, inDirty);
      if (before === 'rebuild' || after === 'rebuild') return 'rebuild';
      spans.push({ block, before, after });
    }
    spans.sort((x, y) => y.before - x.before);
    for (let k = 1; k < spans.length; k++) {
      // two blocks between the same neighbours: their old text cannot be told apart
      if (spans[k]!.before === spans[k - 1]!.before) return 'rebuild';
    }
    const changes: TextChange[] = [];
    for (const span of spans) changes.push(this.splice(span.block, span.before, span.after));
    this.reindexNodes();
    // earlier splices shifted later ones: express every change in the final coordinates
    changes.reverse();
    let shift = 0;
    for (const c of changes) {
      c.start += shift;
      c.end += shift;
      shift += c.delta;
    }
    return changes;
  }

  /**
   * Old index of the nearest readable text node before (or after) `block` that no dirty block holds, -1 (or
   * nodes.length) when there is none; 'rebuild' when the walk meets a frame (its text lives in another document).
   */
  private neighbour(block: Element, top: Element, forward: boolean, inDirty: (n: Node) => boolean): number | 'rebuild' {
    let n: Node | null = block;
    let first = true;
    for (;;) {
      // forwards: leave the block's subtree first, then walk in document order (into children)
      n = forward ? (first || !n.firstChild ? nextSkipping(n, top) : n.firstChild) : previousOf(n, top);
      first = false;
      if (!n) return forward ? this.nodes.length : -1;
      if (isElement(n) && (localName(n) === 'iframe' || localName(n) === 'frame')) return 'rebuild';
      const i = this.nodeIndex.get(n);
      if (i !== undefined && !inDirty(n)) return i;
    }
  }

  /** Replaces the text strictly between old nodes `before` and `after` with a fresh reading of `block`. */
  private splice(block: Element, before: number, after: number): TextChange {
    const rawFrom = before >= 0 ? this.nodeStart[before]! + this.nodeLength[before]! : 0;
    const rawTo = after < this.nodes.length ? this.nodeStart[after]! : this.raw.length;
    // the text before the region ends with a text node (no break) unless the region starts the page
    const read = new TextReader(this.frames, before < 0);
    read.breakLine();
    if (!isHiddenElement(block)) read.element(block);
    read.breakLine();
    const text = read.parts.join('');
    const rawDelta = text.length - (rawTo - rawFrom);
    this.raw = this.raw.slice(0, rawFrom) + text + this.raw.slice(rawTo);
    // nodes
    const newStarts = Int32Array.from(read.starts, (x) => x + rawFrom);
    this.nodes = [...this.nodes.slice(0, before + 1), ...read.nodes, ...this.nodes.slice(after)];
    this.nodeStart = concat(
      this.nodeStart.subarray(0, before + 1),
      newStarts,
      shifted(this.nodeStart.subarray(after), rawDelta),
    );
    this.nodeLength = concat(
      this.nodeLength.subarray(0, before + 1),
      Int32Array.from(read.lengths),
      this.nodeLength.subarray(after),
    );
    // units
    const unitFrom = this.unitAtOrAfter(rawFrom);
    const unitTo = this.unitAtOrAfter(rawTo);
    const folded = foldWithMap(text);
    const foldedRaw = shifted(folded.map, rawFrom);
    this.norm = this.norm.slice(0, unitFrom) + folded.text + this.norm.slice(unitTo);
    this.unitRaw = concat(
      this.unitRaw.subarray(0, unitFrom),
      foldedRaw,
      shifted(this.unitRaw.subarray(unitTo), rawDelta),
    );
    return { start: unitFrom, end: unitFrom + folded.text.length, delta: folded.text.length - (unitTo - unitFrom) };
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
    return partitionPoint(arr.length, (i) => arr[i]! >= raw);
  }

  /** Readable text of units [a, b): the raw text they come from, whitespace collapsed. */
  readable(a: number, b: number): string {
    return readableUnits(this.raw, this.unitRaw, a, b);
  }

  /** The current text, frozen: later updates replace the model's strings and arrays, never change these. */
  snapshot(): TextSnapshot {
    const { raw, norm, unitRaw } = this;
    return { norm, readable: (a, b) => readableUnits(raw, unitRaw, a, b) };
  }

  // --- DOM ⇄ raw offsets ---

  /** Index of the last node starting at or before raw offset `raw`, or -1. */
  private nodeAtRaw(raw: number): number {
    const arr = this.nodeStart;
    return partitionPoint(arr.length, (i) => arr[i]! > raw) - 1;
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
    const next = partitionPoint(this.nodes.length, (i) => this.isAtOrAfter(this.nodes[i]!, container, offset));
    return next < this.nodes.length ? this.nodeStart[next]! : this.raw.length;
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
    const nodes = this.nodeRangeOfElement(el);
    if (!nodes) return null;
    const [first, last] = nodes;
    return [this.nodeStart[first]!, this.nodeStart[last]! + this.nodeLength[last]!];
  }

  /** Indices of the first and last readable text nodes inside an element (frames included), or null. */
  nodeRangeOfElement(el: Element): [number, number] | null {
    const first = this.edgeTextNode(el, true);
    const last = first === null ? null : this.edgeTextNode(el, false);
    return first === null || last === null ? null : [first, last];
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
