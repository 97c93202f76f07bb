/**
 * Where things are on screen. Pizhu's UI lives in the top page; a notice body often sits in a same-origin
 * frame (an `<iframe srcdoc>`), so rectangles are moved into the top window's viewport.
 */

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

/** The text position under a point (Chromium: caretRangeFromPoint; Firefox: caretPositionFromPoint). */
export function caretAt(doc: Document, x: number, y: number): { node: Node; offset: number } | null {
  const withPosition = doc as Document & {
    caretPositionFromPoint?: (x: number, y: number) => { offsetNode: Node; offset: number } | null;
  };
  if (withPosition.caretPositionFromPoint) {
    const position = withPosition.caretPositionFromPoint(x, y);
    if (position) return { node: position.offsetNode, offset: position.offset };
  }
  const range = doc.caretRangeFromPoint?.(x, y);
  return range ? { node: range.startContainer, offset: range.startOffset } : null;
}
