/**
 * The documents Pizhu reads on one page: the top document and the same-origin frames in it (a notice body
 * often sits in an `<iframe srcdoc>`). Calls back once for each document as it appears, also for frames that
 * load or are added later, so listeners (selection, clicks, clause hover) reach the body wherever it is.
 */
const FRAME_SELECTOR = 'iframe, frame';

export class FrameDocuments {
  private readonly seen = new WeakSet<Document>();
  private readonly frames = new WeakSet<Element>();
  private readonly observers: MutationObserver[] = [];

  constructor(private readonly onDocument: (doc: Document) => void) {}

  watch(top: Document): void {
    this.visit(top);
  }

  stop(): void {
    for (const observer of this.observers) observer.disconnect();
    this.observers.length = 0;
  }

  private visit(doc: Document): void {
    if (!this.seen.has(doc)) {
      this.seen.add(doc);
      this.onDocument(doc);
      const View = doc.defaultView as (Window & typeof globalThis) | null;
      if (View?.MutationObserver && doc.documentElement) {
        const observer = new View.MutationObserver(() => this.scanFrames(doc));
        observer.observe(doc.documentElement, { childList: true, subtree: true });
        this.observers.push(observer);
      }
    }
    this.scanFrames(doc);
  }

  private scanFrames(doc: Document): void {
    for (const frame of Array.from(doc.querySelectorAll(FRAME_SELECTOR))) {
      if (!this.frames.has(frame)) {
        this.frames.add(frame);
        frame.addEventListener('load', () => this.enter(frame));
      }
      this.enter(frame);
    }
  }

  private enter(frame: Element): void {
    let inner: Document | null = null;
    try {
      inner = (frame as HTMLIFrameElement).contentDocument;
    } catch {
      inner = null; // cross-origin: not ours to read
    }
    if (inner?.documentElement) this.visit(inner);
  }
}

/** The rectangle of a range in the top window's viewport, also for ranges inside an iframe. */
export function rectInTopViewport(range: Range): DOMRect {
  const rect = range.getBoundingClientRect();
  return offsetToTop(rect, range.startContainer.ownerDocument?.defaultView ?? null);
}

/** A rectangle in `view`'s viewport, moved into the top window's viewport. */
export function offsetToTop(rect: DOMRect, view: Window | null): DOMRect {
  let x = rect.left;
  let y = rect.top;
  while (view?.frameElement) {
    const frameRect = view.frameElement.getBoundingClientRect();
    x += frameRect.left + (view.frameElement as HTMLElement).clientLeft;
    y += frameRect.top + (view.frameElement as HTMLElement).clientTop;
    view = view.parent;
  }
  return new DOMRect(x, y, rect.width, rect.height);
}
