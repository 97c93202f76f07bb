import { useLayoutEffect, useRef, useState } from 'react';

/** Where a floating panel goes: below the target rectangle, or above it when there is no room, inside the viewport. */
const GAP = 8;
const MARGIN = 8;

export function placeNear(
  rect: DOMRect,
  size: { width: number; height: number },
  viewport = { width: window.innerWidth, height: window.innerHeight },
): { left: number; top: number } {
  const left = Math.max(MARGIN, Math.min(rect.left, viewport.width - size.width - MARGIN));
  const below = rect.bottom + GAP;
  const above = rect.top - size.height - GAP;
  let top: number;
  if (below + size.height <= viewport.height - MARGIN) top = below;
  else if (above >= MARGIN) top = above;
  else top = Math.max(MARGIN, viewport.height - size.height - MARGIN);
  return { left, top };
}

/** Places a floating panel near `rect`, measuring its real height after each render. */
export function useFloating(rect: DOMRect, width: number, initialHeight: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState(initialHeight);
  useLayoutEffect(() => {
    const measured = ref.current?.offsetHeight;
    if (measured && Math.abs(measured - height) > 1) setHeight(measured);
  });
  return { ref, style: placeNear(rect, { width, height }) };
}
