/**
 * Functions that run inside a browser page, passed to `evaluate` by either driver: Playwright (Chromium) and
 * Puppeteer (Firefox). Each is self-contained (the driver sends its source text): no imports, no outer names.
 */

export type Rows = unknown[];

/** Every row of an object store of the extension's IndexedDB ("pizhu"); run it in an extension page. */
export function readObjectStore(store: string): Promise<Rows> {
  return new Promise<Rows>((done, fail) => {
    const open = indexedDB.open('pizhu');
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction(store).objectStore(store).getAll();
      request.onsuccess = () => done(request.result);
      request.onerror = () => fail(request.error);
    };
  });
}

/** The text of every range in a named CSS highlight of the page (read from the page's own world). */
export function highlightRangeTexts(name: string): string[] {
  const highlight = (CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights.get(name);
  return highlight ? [...highlight].map((range) => range.toString()) : [];
}

/**
 * Where a mouse drag selecting `text` (its `occurrence`-th appearance inside one text node) starts and ends,
 * in the frame's viewport; scrolls it into view first.
 */
export function textDragBox({ text, occurrence }: { text: string; occurrence: number }): {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
} {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let node: Node | null = walker.nextNode();
  for (; node; node = walker.nextNode()) {
    const at = node.textContent!.indexOf(text);
    if (at < 0) continue;
    if (seen++ < occurrence) continue;
    (node.parentElement as HTMLElement).scrollIntoView({ block: 'center' });
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + 1);
    const first = range.getBoundingClientRect();
    range.setStart(node, at + text.length - 1);
    range.setEnd(node, at + text.length);
    const last = range.getBoundingClientRect();
    return { x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2 };
  }
  throw new Error(`"${text}" not found in one text node`);
}

/** A point inside the first rectangle of a named highlight's `index`-th range, in the frame's viewport. */
export function highlightRangePoint({ name, index }: { name: string; index: number }): { x: number; y: number } {
  const ranges = [...((CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights.get(name) ?? [])];
  const range = ranges[index];
  if (!range) throw new Error(`no range ${index} in highlight ${name}`);
  (range.startContainer.parentElement as HTMLElement).scrollIntoView({ block: 'center' });
  const rect = range.getClientRects()[0]!;
  return { x: rect.left + Math.min(8, rect.width / 2), y: rect.top + rect.height / 2 };
}
