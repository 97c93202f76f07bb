/**
 * Draws highlights with the CSS Custom Highlight API: one Highlight per style and document, so the page's own
 * DOM is never touched. Styles: a background per colour; an underline per colleague (authors are told apart
 * by the colour of the underline); a focus mark for the highlight whose card is open; a flash; a clause hover.
 * Styles go in through a constructed stylesheet (adoptedStyleSheets), not a <style> node.
 * The API has no events, so clicks are hit-tested against the ranges' client rectangles.
 */
import { COLORS, type Color } from '../../../shared/model/annotation.ts';
import { AUTHOR_COLORS } from '../author-colors.ts';

export const HIGHLIGHT_COLORS: Record<Color, string> = {
  yellow: 'rgba(255, 214, 10, 0.45)',
  green: 'rgba(52, 199, 89, 0.35)',
  blue: 'rgba(10, 132, 255, 0.28)',
  pink: 'rgba(255, 55, 95, 0.28)',
  purple: 'rgba(175, 82, 222, 0.3)',
};

/** Underline colours for colleagues (same palette as their initials badges in the UI). */
const PEER_UNDERLINES = AUTHOR_COLORS;

const FLASH = 'pizhu-flash';
const HOVER = 'pizhu-hover';
const FOCUS = 'pizhu-focus';
const peerName = (slot: number) => `pizhu-peer-${slot % PEER_UNDERLINES.length}`;

export type PaintedHighlight = {
  id: string;
  range: Range;
  color: Color;
  /** Colleague underline slot (index into PEER_UNDERLINES), or null for the user's own. */
  peer: number | null;
};

const sameLook = (a: PaintedHighlight, b: PaintedHighlight) =>
  a.range === b.range && a.color === b.color && a.peer === b.peer;

function styleSheetText(): string {
  const rules = COLORS.map(
    (color) => `::highlight(pizhu-${color}) { background-color: ${HIGHLIGHT_COLORS[color]}; color: inherit; }`,
  );
  PEER_UNDERLINES.forEach((color, slot) => {
    rules.push(
      `::highlight(${peerName(slot)}) { text-decoration: underline 2px ${color}; text-decoration-skip-ink: none; text-underline-offset: 3px; }`,
    );
  });
  rules.push(`::highlight(${FOCUS}) { text-decoration: underline 3px #1f2328; text-underline-offset: 3px; }`);
  rules.push(`::highlight(${FLASH}) { background-color: rgba(255, 120, 0, 0.75); }`);
  rules.push(`::highlight(${HOVER}) { background-color: rgba(31, 111, 235, 0.12); }`);
  return rules.join('\n');
}

type HighlightObject = {
  add(range: Range): void;
  delete(range: Range): boolean;
  priority: number;
  readonly size: number;
};
type HighlightRegistry = {
  set(name: string, value: unknown): void;
  get(name: string): unknown;
  delete(name: string): void;
};
type HighlightConstructor = new (...ranges: Range[]) => HighlightObject;

function registryOf(doc: Document): { registry: HighlightRegistry; Highlight: HighlightConstructor } | null {
  const view = doc.defaultView as unknown as {
    Highlight?: HighlightConstructor;
    CSS?: { highlights?: HighlightRegistry };
  } | null;
  const registry = view?.CSS?.highlights;
  if (!view?.Highlight || !registry) return null;
  return { registry, Highlight: view.Highlight };
}

export function highlightsSupported(doc: Document = document): boolean {
  return registryOf(doc) !== null;
}

function ownerOf(range: Range): Document | null {
  return range.startContainer.ownerDocument;
}

export class Highlighter {
  private readonly byId = new Map<string, PaintedHighlight>();
  private readonly styledDocuments = new WeakSet<Document>();
  private readonly touchedDocuments = new Set<Document>();
  private flashTimer: ReturnType<typeof setTimeout> | null = null;

  /** Paints highlights, replacing those painted under the same ids (an unchanged one is left alone). */
  set(highlights: Iterable<PaintedHighlight>): void {
    for (const highlight of highlights) {
      const current = this.byId.get(highlight.id);
      if (current && sameLook(current, highlight)) continue;
      if (current) this.unpaint(current);
      const doc = ownerOf(highlight.range);
      const api = doc && registryOf(doc);
      if (!doc || !api) continue;
      this.ensureStyles(doc);
      this.touchedDocuments.add(doc);
      this.byId.set(highlight.id, highlight);
      this.highlightIn(api, `pizhu-${highlight.color}`, 0).add(highlight.range);
      if (highlight.peer !== null) this.highlightIn(api, peerName(highlight.peer), 1).add(highlight.range);
    }
  }

  /** Removes the highlights painted under these ids. */
  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const current = this.byId.get(id);
      if (current) this.unpaint(current);
    }
  }

  /** Ids of every painted highlight. */
  ids(): IterableIterator<string> {
    return this.byId.keys();
  }

  get count(): number {
    return this.byId.size;
  }

  /** Ids of the highlights under a point given in the coordinates of `doc`'s viewport, topmost (shortest) last. */
  hitTest(doc: Document, x: number, y: number): string[] {
    const hits: { id: string; length: number }[] = [];
    for (const highlight of this.byId.values()) {
      if (ownerOf(highlight.range) !== doc) continue;
      for (const rect of highlight.range.getClientRects()) {
        if (x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) {
          hits.push({ id: highlight.id, length: highlight.range.toString().length });
          break;
        }
      }
    }
    // A short highlight inside a longer one is the one the user aimed at.
    return hits.sort((a, b) => b.length - a.length).map((h) => h.id);
  }

  rangeOf(id: string): Range | undefined {
    return this.byId.get(id)?.range;
  }

  /** Marks the highlight whose card is open (null clears it). */
  focus(id: string | null): void {
    for (const doc of this.touchedDocuments) registryOf(doc)?.registry.delete(FOCUS);
    const range = id ? this.rangeOf(id) : undefined;
    const doc = range && ownerOf(range);
    const api = doc && registryOf(doc);
    if (!range || !api) return;
    const focus = new api.Highlight(range);
    focus.priority = 3;
    api.registry.set(FOCUS, focus);
  }

  /** Briefly emphasises one highlight (after "scroll to" from the side panel or a deep link). */
  flash(id: string, durationMs = 1_600): void {
    const range = this.rangeOf(id);
    const doc = range && ownerOf(range);
    const api = doc && registryOf(doc);
    if (!range || !doc || !api) return;
    this.ensureStyles(doc);
    const flash = new api.Highlight(range);
    flash.priority = 2;
    api.registry.set(FLASH, flash);
    if (this.flashTimer) clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => api.registry.delete(FLASH), durationMs);
  }

  /** Shades a clause under the pointer in clause mode; null clears it. */
  hover(range: Range | null): void {
    for (const doc of this.touchedDocuments) registryOf(doc)?.registry.delete(HOVER);
    const doc = range && ownerOf(range);
    const api = doc && registryOf(doc);
    if (!range || !doc || !api) return;
    this.ensureStyles(doc);
    this.touchedDocuments.add(doc);
    const hover = new api.Highlight(range);
    hover.priority = -1;
    api.registry.set(HOVER, hover);
  }

  /** Removes everything Pizhu drew on the page. */
  clear(): void {
    this.byId.clear();
    for (const doc of this.touchedDocuments) {
      const api = registryOf(doc);
      if (!api) continue;
      for (const color of COLORS) api.registry.delete(`pizhu-${color}`);
      PEER_UNDERLINES.forEach((_, slot) => {
        api.registry.delete(peerName(slot));
      });
      for (const name of [FOCUS, FLASH, HOVER]) api.registry.delete(name);
    }
    if (this.flashTimer) clearTimeout(this.flashTimer);
  }

  private unpaint(highlight: PaintedHighlight): void {
    this.byId.delete(highlight.id);
    const doc = ownerOf(highlight.range);
    const api = doc && registryOf(doc);
    if (!api) return;
    (api.registry.get(`pizhu-${highlight.color}`) as HighlightObject | undefined)?.delete(highlight.range);
    if (highlight.peer !== null)
      (api.registry.get(peerName(highlight.peer)) as HighlightObject | undefined)?.delete(highlight.range);
  }

  private highlightIn(
    api: { registry: HighlightRegistry; Highlight: HighlightConstructor },
    name: string,
    priority: number,
  ): HighlightObject {
    let highlight = api.registry.get(name) as HighlightObject | undefined;
    if (!highlight) {
      highlight = new api.Highlight();
      highlight.priority = priority;
      api.registry.set(name, highlight);
    }
    return highlight;
  }

  private ensureStyles(doc: Document): void {
    if (this.styledDocuments.has(doc)) return;
    this.styledDocuments.add(doc);
    const view = doc.defaultView as (Window & typeof globalThis) | null;
    if (!view) return;
    const sheet = new view.CSSStyleSheet();
    sheet.replaceSync(styleSheetText());
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  }
}
