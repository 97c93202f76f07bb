/**
 * Draws highlights with the CSS Custom Highlight API: one Highlight per style and document, so the page's own
 * DOM is never touched. Styles go in through a constructed stylesheet (adoptedStyleSheets), not a <style> node.
 * The API has no events, so clicks are hit-tested against the ranges' client rectangles.
 */
import { COLORS, type Color } from '../../../shared/model/annotation.ts';

export const HIGHLIGHT_COLORS: Record<Color, string> = {
  yellow: 'rgba(255, 214, 10, 0.45)',
  green: 'rgba(52, 199, 89, 0.35)',
  blue: 'rgba(10, 132, 255, 0.28)',
  pink: 'rgba(255, 55, 95, 0.28)',
  purple: 'rgba(175, 82, 222, 0.3)',
};

const FLASH = 'pizhu-flash';
const HOVER = 'pizhu-hover';

export type PaintedHighlight = { id: string; range: Range; color: Color };

function styleSheetText(): string {
  const rules = COLORS.map(
    (color) => `::highlight(pizhu-${color}) { background-color: ${HIGHLIGHT_COLORS[color]}; color: inherit; }`,
  );
  rules.push(`::highlight(${FLASH}) { background-color: rgba(255, 120, 0, 0.75); }`);
  rules.push(`::highlight(${HOVER}) { background-color: rgba(120, 120, 120, 0.14); }`);
  return rules.join('\n');
}

type HighlightRegistry = { set(name: string, value: unknown): void; delete(name: string): void };
type HighlightConstructor = new (...ranges: Range[]) => { add(range: Range): void; priority: number };

function registryOf(doc: Document): { registry: HighlightRegistry; Highlight: HighlightConstructor } | null {
  const view = doc.defaultView as unknown as { Highlight?: HighlightConstructor; CSS?: { highlights?: HighlightRegistry } } | null;
  const registry = view?.CSS?.highlights;
  if (!view?.Highlight || !registry) return null;
  return { registry, Highlight: view.Highlight };
}

export function highlightsSupported(doc: Document = document): boolean {
  return registryOf(doc) !== null;
}

export class Highlighter {
  private painted: PaintedHighlight[] = [];
  private readonly styledDocuments = new WeakSet<Document>();
  private readonly touchedDocuments = new Set<Document>();
  private flashTimer: ReturnType<typeof setTimeout> | null = null;

  /** Replaces every painted highlight. Ranges may live in several documents (a body inside an iframe). */
  paint(highlights: PaintedHighlight[]): void {
    this.painted = highlights;
    const byDocument = new Map<Document, Map<Color, Range[]>>();
    for (const doc of this.touchedDocuments) byDocument.set(doc, new Map());
    for (const highlight of highlights) {
      const doc = highlight.range.startContainer.ownerDocument;
      if (!doc) continue;
      let byColor = byDocument.get(doc);
      if (!byColor) byDocument.set(doc, (byColor = new Map()));
      let ranges = byColor.get(highlight.color);
      if (!ranges) byColor.set(highlight.color, (ranges = []));
      ranges.push(highlight.range);
    }
    for (const [doc, byColor] of byDocument) {
      const api = registryOf(doc);
      if (!api) continue;
      this.ensureStyles(doc);
      this.touchedDocuments.add(doc);
      for (const color of COLORS) {
        const ranges = byColor.get(color);
        if (ranges?.length) api.registry.set(`pizhu-${color}`, new api.Highlight(...ranges));
        else api.registry.delete(`pizhu-${color}`);
      }
    }
  }

  /** Ids of the highlights under a point given in the coordinates of `doc`'s viewport, topmost last. */
  hitTest(doc: Document, x: number, y: number): string[] {
    const hits: string[] = [];
    for (const highlight of this.painted) {
      if (highlight.range.startContainer.ownerDocument !== doc) continue;
      for (const rect of highlight.range.getClientRects()) {
        if (x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) {
          hits.push(highlight.id);
          break;
        }
      }
    }
    return hits;
  }

  rangeOf(id: string): Range | undefined {
    return this.painted.find((h) => h.id === id)?.range;
  }

  /** Briefly emphasises one highlight (after "scroll to" from the side panel or a deep link). */
  flash(id: string, durationMs = 1_600): void {
    const range = this.rangeOf(id);
    const api = range?.startContainer.ownerDocument && registryOf(range.startContainer.ownerDocument);
    if (!range || !api) return;
    this.ensureStyles(range.startContainer.ownerDocument!);
    const flash = new api.Highlight(range);
    flash.priority = 2;
    api.registry.set(FLASH, flash);
    if (this.flashTimer) clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => api.registry.delete(FLASH), durationMs);
  }

  /** Shades a clause under the pointer in clause mode; null clears it. */
  hover(range: Range | null): void {
    for (const doc of this.touchedDocuments) registryOf(doc)?.registry.delete(HOVER);
    if (!range?.startContainer.ownerDocument) return;
    const doc = range.startContainer.ownerDocument;
    const api = registryOf(doc);
    if (!api) return;
    this.ensureStyles(doc);
    this.touchedDocuments.add(doc);
    const hover = new api.Highlight(range);
    hover.priority = -1;
    api.registry.set(HOVER, hover);
  }

  clear(): void {
    this.paint([]);
    this.hover(null);
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
