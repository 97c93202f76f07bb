/**
 * A highlight's card and moving between highlights: opening a card on a click (marking its highlight), keeping
 * it by its highlight as the page scrolls, stepping to the next or previous highlight in document order,
 * scrolling to one (from the side panel), and following a deep link (#pizhu=<id>) once its highlight is
 * painted.
 */
import { deepLinkTarget } from './deep-link.ts';
import { rectInTopViewport } from './geometry.ts';
import type { Highlighter } from './highlighter.ts';
import type { StateWriter } from './page-state.ts';

export type CardsOptions = {
  state: StateWriter<'openCard' | 'notice'>;
  highlighter: Highlighter;
  /** A card opened: the selection toolbar closes, tag suggestions load. */
  onOpen: () => void;
};

export class Cards {
  private pendingDeepLink: string | null = null;
  /** The highlight marked as the open card's, and its range then (it changes when the page is re-anchored). */
  private focused: { id: string | null; range: Range | undefined } = { id: null, range: undefined };

  constructor(private readonly options: CardsOptions) {}

  open(id: string): void {
    const range = this.options.highlighter.rangeOf(id);
    if (!range) return;
    this.options.onOpen();
    this.options.state.set({ openCard: { id, rect: rectInTopViewport(range) } });
  }

  close(): void {
    this.options.state.set({ openCard: null });
  }

  /** The open card moves with its highlight when the page scrolls. */
  follow(): void {
    const { openCard } = this.options.state.get();
    const range = openCard && this.options.highlighter.rangeOf(openCard.id);
    if (range) this.options.state.set({ openCard: { id: openCard.id, rect: rectInTopViewport(range) } });
  }

  scrollTo(id: string, openCard = false): boolean {
    const range = this.options.highlighter.rangeOf(id);
    if (!range) return false;
    const element =
      range.startContainer.nodeType === 1 ? (range.startContainer as Element) : range.startContainer.parentElement;
    element?.scrollIntoView({ block: 'center', behavior: 'instant' as ScrollBehavior });
    this.options.highlighter.flash(id);
    if (openCard) this.open(id);
    return true;
  }

  /** The next (or previous) highlight in document order after the open card, or after the top of the view. */
  step(direction: 1 | -1): void {
    const { order, openCard } = this.options.state.get();
    if (!order.length) {
      this.options.state.set({ notice: 'no-annotations' });
      return;
    }
    const current = openCard ? order.indexOf(openCard.id) : -1;
    let next: number;
    if (current >= 0) next = (current + direction + order.length) % order.length;
    else {
      const firstBelow = order.findIndex((id) => {
        const range = this.options.highlighter.rangeOf(id);
        return range ? rectInTopViewport(range).top > 0 : false;
      });
      next = direction === 1 ? Math.max(0, firstBelow) : firstBelow > 0 ? firstBelow - 1 : order.length - 1;
    }
    this.scrollTo(order[next]!, true);
  }

  /** The page's address names an annotation (#pizhu=<id>): open it once it is painted. */
  followDeepLink(hash: string): void {
    this.pendingDeepLink = deepLinkTarget(hash);
    this.refresh();
  }

  /** After the page state changed: the open card's highlight marked, a pending deep link followed. */
  refresh(): void {
    const id = this.options.state.get().openCard?.id ?? null;
    const range = id ? this.options.highlighter.rangeOf(id) : undefined;
    if (id !== this.focused.id || range !== this.focused.range) {
      this.focused = { id, range };
      this.options.highlighter.focus(id);
    }
    const linked = this.pendingDeepLink;
    if (linked && this.options.highlighter.rangeOf(linked)) {
      this.pendingDeepLink = null;
      this.scrollTo(linked, true);
    }
  }
}
