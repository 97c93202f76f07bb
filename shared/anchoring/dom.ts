/**
 * Small DOM helpers that work on any DOM implementation (browsers, jsdom, happy-dom): node types by number,
 * constructors taken from the node's own document, never from globals.
 */

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;
export const DOCUMENT_NODE = 9;
export const DOCUMENT_FRAGMENT_NODE = 11;

const DOCUMENT_POSITION_FOLLOWING = 4;
const DOCUMENT_POSITION_CONTAINED_BY = 16;

export type Root = Document | Element;

export function isDocument(node: Node): node is Document {
  return node.nodeType === DOCUMENT_NODE;
}

export function isElement(node: Node | null | undefined): node is Element {
  return !!node && node.nodeType === ELEMENT_NODE;
}

export function isText(node: Node | null | undefined): node is Text {
  return !!node && (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE);
}

export function ownerDocument(node: Node): Document {
  return isDocument(node) ? node : node.ownerDocument!;
}

/** The element whose text a root stands for: a document's body (or its root element when it has none). */
export function rootElement(root: Root): Element | null {
  if (isDocument(root)) return root.body ?? root.documentElement ?? null;
  return root;
}

export function localName(el: Element): string {
  return (el.localName || el.nodeName || '').toLowerCase();
}

const parsedSrcdoc = new WeakMap<Element, { srcdoc: string; doc: Document }>();

/**
 * A same-origin frame's document, or null when the frame is cross-origin or blocked. A srcdoc frame whose
 * document the DOM implementation has not loaded (jsdom never loads srcdoc; browsers load it asynchronously) is
 * read from its srcdoc, parsed inert (no scripts, no resources) with the page's own DOMParser; once the real
 * document loads, the page index notices (frame "load") and reads that one instead.
 */
export function frameDocument(el: Element): Document | null {
  let doc: Document | null = null;
  try {
    doc = (el as HTMLIFrameElement).contentDocument;
  } catch {
    // cross-origin frames throw on access: their text is not ours to read
    return null;
  }
  const hasContent = !!doc?.body && (doc.body.firstChild !== null || !el.hasAttribute('srcdoc'));
  if (doc && hasContent) return doc;
  const srcdoc = el.getAttribute('srcdoc');
  if (!srcdoc) return doc && (doc.body || doc.documentElement) ? doc : null;
  const cached = parsedSrcdoc.get(el);
  if (cached && cached.srcdoc === srcdoc) return cached.doc;
  const Parser = (el.ownerDocument.defaultView as (Window & typeof globalThis) | null)?.DOMParser;
  if (!Parser) return null;
  const parsed = new Parser().parseFromString(srcdoc, 'text/html');
  parsedSrcdoc.set(el, { srcdoc, doc: parsed });
  return parsed;
}

/**
 * Whether text node `t` lies at or after the boundary point (container, offset), for nodes in one document.
 * Uses compareDocumentPosition so it works for any container (element or text) and any DOM implementation.
 */
export function textIsAtOrAfter(t: Node, container: Node, offset: number): boolean {
  if (isText(container)) {
    if (t === container) return offset === 0;
    return (container.compareDocumentPosition(t) & DOCUMENT_POSITION_FOLLOWING) !== 0;
  }
  const child = container.childNodes[offset];
  if (child) {
    if (child === t) return true;
    const rel = child.compareDocumentPosition(t);
    return (rel & (DOCUMENT_POSITION_FOLLOWING | DOCUMENT_POSITION_CONTAINED_BY)) !== 0;
  }
  const rel = container.compareDocumentPosition(t);
  return (rel & DOCUMENT_POSITION_FOLLOWING) !== 0 && (rel & DOCUMENT_POSITION_CONTAINED_BY) === 0;
}

/** Whether `node` is `ancestor` or inside it, crossing same-origin frame boundaries. */
export function containsAcrossFrames(ancestor: Node, node: Node): boolean {
  let n: Node | null = node;
  while (n) {
    if (n === ancestor || ancestor.contains(n)) return true;
    const doc: Document = ownerDocument(n);
    const frame: Element | null = (doc.defaultView?.frameElement as Element | null | undefined) ?? null;
    n = frame && frame !== n ? frame : null;
  }
  return false;
}

/** Lets the page breathe: the scheduler's yield where the browser has one, else a macrotask. */
export function yieldToPage(root: Root): Promise<void> {
  const win = ownerDocument(rootElement(root) ?? (root as Node)).defaultView as
    | (Window & { scheduler?: { yield?: () => Promise<void> } })
    | null;
  if (win?.scheduler?.yield) return win.scheduler.yield();
  return new Promise((resolve) => (win ?? globalThis).setTimeout(resolve, 0));
}
