/**
 * What the user points at on the page: the text they select (for the toolbar), clause mode (hovering a
 * paragraph shades its clause and shows its label path; a click selects the whole clause, and the mode stays
 * on until the user leaves it), clicks on highlights, Escape, and scrolling (floating UI follows). It listens
 * to the page's documents (the top one and the same-origin frames the anchoring index reads), reads only the
 * DOM, and leaves Pizhu's own UI alone.
 */
import { clauseAt, clauseRange, coversClause, type PageIndex, snapToClause } from '../../../shared/anchoring/index.ts';
import { caretAt, offsetToTop, rectInTopViewport } from './geometry.ts';
import type { Highlighter } from './highlighter.ts';
import type { SelectionState, StateWriter } from './page-state.ts';

export type SelectionOptions = {
  state: StateWriter<'selection' | 'clauseMode' | 'hoverClause'>;
  highlighter: Highlighter;
  pageIndex: () => PageIndex;
  /** Elements of Pizhu's UI (events there are not the page's). */
  isOwnUi: (target: EventTarget | null) => boolean;
  /** The user selected text or a clause. */
  onSelect: () => void;
  /** A plain click on the page: on a highlight (its id, the topmost) or elsewhere (null). */
  onPageClick: (id: string | null) => void;
  /** Escape, wherever the focus is (the page or Pizhu's UI). */
  onEscape: () => void;
  /** The page scrolled or resized (in an animation frame): floating UI moves with it. */
  onViewport: () => void;
};

export class SelectionController {
  private readonly listened: Document[] = [];
  private readonly cleanups: (() => void)[] = [];
  private serial = 0;
  /** A range Pizhu selected itself (a clause): the page's selection collapsing afterwards does not clear it. */
  private pinned: Range | null = null;
  private frame = 0;

  constructor(private readonly options: SelectionOptions) {}

  /** Listens to these documents (again for a document already listened to: nothing happens). */
  listenTo(documents: Iterable<Document>): void {
    for (const doc of documents) if (!this.listened.includes(doc)) this.listen(doc);
  }

  setClauseMode(on: boolean): void {
    if (!on) this.options.highlighter.hover(null);
    const { selection } = this.options.state.get();
    this.options.state.set({ clauseMode: on, hoverClause: null, selection: on ? null : selection });
  }

  /** Grows the selection to the whole clause it sits in (the deepest clause holding all of it). */
  snapToClause(): boolean {
    const selection = this.options.state.get().selection;
    const range = selection && snapToClause(this.options.pageIndex(), selection.range);
    if (!range) return false;
    this.selectClause(range, true);
    return true;
  }

  dismiss(): void {
    this.pinned = null;
    this.options.state.set({ selection: null });
  }

  /** The toolbar's selection, or else what is selected in the page now. */
  current(): SelectionState | null {
    const selection = this.options.state.get().selection;
    if (selection) return selection;
    const live = this.options
      .pageIndex()
      .documents()
      .map((doc) => doc.getSelection());
    const found = live.find((s) => s && !s.isCollapsed && s.rangeCount > 0);
    if (!found) return null;
    const range = found.getRangeAt(0);
    return {
      serial: 0,
      range,
      rect: rectInTopViewport(range),
      quote: range.toString(),
      clausePath: [],
      wholeClause: false,
    };
  }

  /** After the selection became an annotation: nothing is selected any more, in Pizhu or the page. */
  consume(selection: SelectionState): void {
    selection.range.startContainer.ownerDocument?.getSelection()?.removeAllRanges();
    this.dismiss();
  }

  stop(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.listened.length = 0;
    if (this.frame) cancelAnimationFrame(this.frame);
  }

  private listen(doc: Document): void {
    this.listened.push(doc);
    const own = (event: Event) => this.options.isOwnUi(event.target);
    const listeners: [string, (event: never) => void, AddEventListenerOptions][] = [
      ['mouseup', (event: MouseEvent) => !own(event) && setTimeout(() => this.read(doc), 0), { capture: true }],
      [
        'keyup',
        (event: KeyboardEvent) => {
          if (own(event)) return;
          if (event.shiftKey || event.key.startsWith('Arrow') || event.key === 'a') setTimeout(() => this.read(doc), 0);
        },
        { capture: true },
      ],
      ['keydown', (event: KeyboardEvent) => event.key === 'Escape' && this.options.onEscape(), { capture: true }],
      ['click', (event: MouseEvent) => this.onClick(doc, event), { capture: true }],
      ['mousemove', (event: MouseEvent) => this.onMove(doc, event), { passive: true }],
      ['scroll', () => this.onViewport(), { passive: true, capture: true }],
    ];
    for (const [type, listener, options] of listeners) doc.addEventListener(type, listener as EventListener, options);
    const view = doc.defaultView;
    const onResize = () => this.onViewport();
    view?.addEventListener('resize', onResize);
    this.cleanups.push(() => {
      for (const [type, listener, options] of listeners)
        doc.removeEventListener(type, listener as EventListener, options);
      view?.removeEventListener('resize', onResize);
    });
  }

  private read(doc: Document): void {
    if (this.options.state.get().clauseMode) return;
    const selection = doc.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      const current = this.options.state.get().selection;
      if (current && current.range.startContainer.ownerDocument === doc && current.range !== this.pinned) {
        this.dismiss();
      }
      return;
    }
    this.pinned = null;
    this.select(selection.getRangeAt(0).cloneRange(), false);
  }

  private select(range: Range, keepSerial: boolean): void {
    const quote = range.toString().trim();
    if (!quote) return;
    const index = this.options.pageIndex();
    let clause: ReturnType<typeof clauseAt> = null;
    try {
      clause = clauseAt(index, range);
    } catch {
      clause = null; // a range the index cannot place (outside the text it reads)
    }
    this.options.state.set({
      selection: {
        serial: keepSerial ? this.serial : ++this.serial,
        range,
        rect: rectInTopViewport(range),
        quote,
        clausePath: clause?.path ?? [],
        wholeClause: clause !== null && coversClause(index, range, clause),
      },
    });
    this.options.onSelect();
  }

  /** Selects a clause's range in the page too, so the user sees what the toolbar acts on. */
  private selectClause(range: Range, keepSerial: boolean): void {
    const selection = range.startContainer.ownerDocument?.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    this.pinned = range;
    this.select(range, keepSerial);
  }

  private clauseAtPoint(doc: Document, x: number, y: number): { path: string[]; range: Range } | null {
    const caret = caretAt(doc, x, y);
    if (!caret) return null;
    const index = this.options.pageIndex();
    const clause = clauseAt(index, caret);
    const range = clause && clauseRange(index, clause);
    return clause && range ? { path: clause.path, range } : null;
  }

  private onMove(doc: Document, event: MouseEvent): void {
    const { clauseMode, hoverClause } = this.options.state.get();
    if (!clauseMode || this.options.isOwnUi(event.target)) return;
    const found = this.clauseAtPoint(doc, event.clientX, event.clientY);
    if (!found) {
      if (hoverClause) {
        this.options.highlighter.hover(null);
        this.options.state.set({ hoverClause: null });
      }
      return;
    }
    const rect = offsetToTop(new DOMRect(event.clientX, event.clientY, 0, 0), doc.defaultView);
    if (!hoverClause || hoverClause.path.join('\u0001') !== found.path.join('\u0001'))
      this.options.highlighter.hover(found.range);
    this.options.state.set({ hoverClause: { path: found.path, rect } });
  }

  private onClick(doc: Document, event: MouseEvent): void {
    if (this.options.isOwnUi(event.target)) return;
    if (this.options.state.get().clauseMode) {
      const found = this.clauseAtPoint(doc, event.clientX, event.clientY);
      if (!found) return;
      event.preventDefault();
      event.stopPropagation();
      this.options.highlighter.hover(null);
      this.options.state.set({ hoverClause: null });
      this.selectClause(found.range, false);
      return;
    }
    if (!doc.getSelection()?.isCollapsed) return;
    const [id] = this.options.highlighter.hitTest(doc, event.clientX, event.clientY).slice(-1);
    this.options.onPageClick(id ?? null);
  }

  private onViewport(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const { selection, hoverClause } = this.options.state.get();
      if (selection) this.options.state.set({ selection: { ...selection, rect: rectInTopViewport(selection.range) } });
      if (hoverClause) this.options.state.set({ hoverClause: null });
      this.options.onViewport();
    });
  }
}
