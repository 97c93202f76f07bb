/**
 * One page being read: connects to the background over a port, anchors the page's annotations and paints them
 * (in slices, see painter.ts), turns the user's selection or a clicked clause into new annotations, and opens
 * a highlight's card on click. The UI (React, in a shadow root) renders its state and calls its actions.
 * Nothing here trusts the page: only the DOM is read, and no page messages are listened to.
 */
import { browser } from 'wxt/browser';
import { createPageIndex, createPageIndexAsync, describe, type Clause } from '../../../shared/anchoring/index.ts';
import type { Annotation, Color, DocumentInfo, Selector, Visibility } from '../../../shared/model/annotation.ts';
import { findSelector } from '../../../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../../../shared/model/canonical-url.ts';
import { normaliseTags } from '../../../shared/model/tags.ts';
import { readPageMetadata } from '../../../shared/page/metadata.ts';
import { ask } from '../ask.ts';
import { authorSlot } from '../author-colors.ts';
import {
  PAGE_PORT,
  type AnchorStatus,
  type PageCommand,
  type PagePortOut,
  type PageReport,
  type Peer,
  type Preferences,
  type SettingsView,
  type SyncStatus,
  type TagUsage,
} from '../messages.ts';
import { FrameDocuments, offsetToTop, rectInTopViewport } from './frames.ts';
import { Highlighter, type PaintedHighlight } from './highlighter.ts';
import { paintInSlices, type PaintStats } from './painter.ts';
import { deepLinkTarget } from './deep-link.ts';

export type { AnchorStatus } from '../messages.ts';

export type SelectionState = {
  /** Changes with each new selection (the toolbar starts afresh). */
  serial: number;
  range: Range;
  rect: DOMRect;
  quote: string;
  clausePath: string[];
  wholeClause: boolean;
};
export type HoverClause = { path: string[]; rect: DOMRect };
export type Author = { id: string; name: string };

export type PageState = {
  documentKey: string;
  /** Live annotations of this page, replies included. */
  annotations: Annotation[];
  anchors: Record<string, AnchorStatus>;
  /** Anchored highlight ids in document order. */
  order: string[];
  selection: SelectionState | null;
  /** Bumped to ask the toolbar to focus its tag field (the "tag selection" shortcut). */
  focusTagsRequest: number;
  openCard: { id: string; rect: DOMRect } | null;
  clauseMode: boolean;
  hoverClause: HoverClause | null;
  peers: Peer[];
  status: SyncStatus;
  error: string | null;
  notice: string | null;
  lastDeleted: string | null;
  preferences: Preferences | null;
  /** The user's member id in the team, or null before joining. */
  memberId: string | null;
  /** Colleagues whose highlights are hidden on the page. */
  hiddenAuthors: string[];
  vocabulary: TagUsage[];
  paint: PaintStats | null;
};

export type NewHighlight = { color?: Color; tags: string[]; note: string; visibility?: Visibility };

type SessionOptions = {
  /** Elements that belong to Pizhu's UI (clicks there are not page clicks). */
  isOwnUi?: (target: EventTarget | null) => boolean;
  onStats?: (stats: PaintStats) => void;
};

const REANCHOR_DEBOUNCE_MS = 400;

export class PageSession {
  private state: PageState;
  private readonly listeners = new Set<() => void>();
  private readonly highlighter = new Highlighter();
  private readonly frames: FrameDocuments;
  private readonly cleanups: (() => void)[] = [];
  private port: ReturnType<typeof browser.runtime.connect> | null = null;
  private document: DocumentInfo;
  private paintRun = 0;
  private indexVersion = -1;
  private anchorCache = new Map<
    string,
    { updatedAt: number; status: AnchorStatus; range: Range | null; start: number; clausePath: string[] }
  >();
  private clausePaths: Record<string, string[]> = {};
  private reanchorTimer: ReturnType<typeof setTimeout> | null = null;
  private pendingDeepLink: string | null = null;
  private stopped = false;
  private viewportFrame = 0;
  private selectionSerial = 0;
  private longestIndexMs = 0;

  constructor(
    private readonly root: Document,
    private readonly options: SessionOptions = {},
  ) {
    const url = root.location.href;
    const metadata = readPageMetadata(root, root.body?.textContent ?? '');
    this.document = {
      key: documentKeyFor(url),
      canonicalUrl: canonicalUrl(url),
      url: url.split('#', 1)[0]!,
      ...metadata,
      title: metadata.title || root.title || url,
    };
    this.state = {
      documentKey: this.document.key,
      annotations: [],
      anchors: {},
      order: [],
      selection: null,
      focusTagsRequest: 0,
      openCard: null,
      clauseMode: false,
      hoverClause: null,
      peers: [],
      status: { state: 'offline' },
      error: null,
      notice: null,
      lastDeleted: null,
      preferences: null,
      memberId: null,
      hiddenAuthors: [],
      vocabulary: [],
      paint: null,
    };
    this.frames = new FrameDocuments((doc) => this.listenTo(doc));
  }

  // --- observable state for the UI ---

  getState = (): PageState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<PageState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  // --- lifecycle ---

  /** Reads the settings, then starts; returns false (and does nothing) where the user switched Pizhu off. */
  async start(): Promise<boolean> {
    let settings: SettingsView | null = null;
    try {
      settings = await ask<SettingsView>({ type: 'settings.get' });
    } catch {
      settings = null; // background restarting: start anyway, the port reconnects
    }
    if (settings?.preferences?.disabledSites.includes(this.root.location.origin)) return false;
    this.set({ preferences: settings?.preferences ?? null, memberId: settings?.team?.memberId ?? null });
    this.pendingDeepLink = deepLinkTarget(this.root.location.hash);
    this.connect();
    this.frames.watch(this.root);
    const view = this.root.defaultView!;
    const onViewport = () => this.onViewportChange();
    const onHash = () => {
      this.pendingDeepLink = deepLinkTarget(this.root.location.hash);
      this.resolveDeepLink();
    };
    view.addEventListener('resize', onViewport);
    view.addEventListener('hashchange', onHash);
    this.cleanups.push(() => {
      view.removeEventListener('resize', onViewport);
      view.removeEventListener('hashchange', onHash);
    });
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.paintRun++;
    const port = this.port;
    this.port = null;
    port?.disconnect();
    this.frames.stop();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (this.reanchorTimer) clearTimeout(this.reanchorTimer);
    this.highlighter.clear();
  }

  /** The background may be restarted (MV3 stops idle service workers): reconnect when the port drops. */
  private connect(): void {
    if (this.stopped) return;
    const port = browser.runtime.connect({ name: PAGE_PORT });
    this.port = port;
    port.onMessage.addListener((message: unknown) => this.receive(message as PagePortOut));
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = null;
      setTimeout(() => this.connect(), 500);
    });
    port.postMessage({ type: 'page.open', documentKey: this.document.key, document: this.document });
  }

  private receive(message: PagePortOut): void {
    if (message.type === 'annotations' && message.documentKey === this.document.key) {
      const annotations = message.annotations.filter((a) => !a.deleted);
      const openCard =
        this.state.openCard && annotations.some((a) => a.id === this.state.openCard!.id) ? this.state.openCard : null;
      this.set({ annotations, openCard });
      void this.paint();
    } else if (message.type === 'presence') {
      this.set({ peers: message.peers });
    } else if (message.type === 'status') {
      this.set({ status: message.status });
    }
  }

  // --- anchoring and painting ---

  /** Colleagues with highlights on this page (for the legend and the author filter). */
  colleagues(): Author[] {
    const seen = new Map<string, string>();
    for (const annotation of this.state.annotations) {
      if (!this.isMine(annotation)) seen.set(annotation.author.id, annotation.author.name);
    }
    return [...seen].map(([id, name]) => ({ id, name }));
  }

  isMine(annotation: Annotation): boolean {
    // Private annotations never leave this device, so they are always the user's own.
    return (
      annotation.visibility === 'private' || annotation.author.id === this.state.memberId || annotation.teamId === null
    );
  }

  private async paint(): Promise<void> {
    const run = ++this.paintRun;
    const indexStarted = performance.now();
    const index = await this.pageIndexInSteps();
    if (run !== this.paintRun || this.stopped) return;
    if (index.version !== this.indexVersion) {
      this.anchorCache.clear();
      this.indexVersion = index.version;
      if (index.body) this.noteContentHash(index.bodyHash());
    }
    const hidden = new Set(this.state.hiddenAuthors);
    this.clausePaths = {};
    const highlights = this.state.annotations.filter((a) => !a.replyTo);
    const shown = highlights.filter((a) => !hidden.has(a.author.id));
    const anchors: Record<string, AnchorStatus> = {};
    const starts = new Map<string, number>();
    const toAnchor: Annotation[] = [];
    const fromCache: PaintedHighlight[] = [];
    for (const annotation of shown) {
      const cached = this.anchorCache.get(annotation.id);
      if (cached && cached.updatedAt === annotation.updatedAt && !cached.range?.collapsed) {
        anchors[annotation.id] = cached.status;
        starts.set(annotation.id, cached.start);
        if (cached.range) {
          fromCache.push(this.paintable(annotation, cached.range));
          this.clausePaths[annotation.id] = cached.clausePath;
        }
      } else {
        toAnchor.push(annotation);
        anchors[annotation.id] = 'pending';
      }
    }
    for (const annotation of highlights) if (hidden.has(annotation.author.id)) anchors[annotation.id] ??= 'pending';
    this.highlighter.reset();
    this.highlighter.append(fromCache);
    this.set({ anchors: { ...anchors } });

    const stats = await paintInSlices({
      root: this.root,
      annotations: toAnchor,
      peerSlot: (annotation) => this.peerSlot(annotation),
      isCurrent: () => run === this.paintRun,
      onSlice: (painted, statuses, anchored) => {
        this.highlighter.append(painted);
        Object.assign(anchors, statuses);
        for (const { annotation, result } of anchored) {
          const start = result.start ?? Number.MAX_SAFE_INTEGER;
          starts.set(annotation.id, start);
          const clausePath = result.clause?.path ?? [];
          this.anchorCache.set(annotation.id, {
            updatedAt: annotation.updatedAt,
            status: result.status,
            range: result.range,
            start,
            clausePath,
          });
          if (result.range) this.clausePaths[annotation.id] = clausePath;
        }
        this.set({ anchors: { ...anchors } });
      },
    });
    if (!stats || run !== this.paintRun) return;
    stats.indexMs = this.longestIndexMs;
    stats.painted = this.highlighter.count;
    stats.orphans = Object.values(anchors).filter((status) => status === 'orphan' || status === 'ambiguous').length;
    stats.startedAt = Math.min(stats.startedAt, indexStarted);
    const order = [...starts]
      .filter(([id]) => anchors[id] !== 'orphan' && anchors[id] !== 'ambiguous')
      .sort((a, b) => a[1] - b[1])
      .map(([id]) => id);
    this.set({ order, paint: stats });
    this.highlighter.focus(this.state.openCard?.id ?? null);
    this.options.onStats?.(stats);
    this.resolveDeepLink();
  }

  /**
   * The anchoring library's index of this page (built on first use, re-read after the page changed). Timed:
   * reading a long page into the index is one synchronous task of the library, reported with the paint stats.
   */
  /**
   * Tells the background the hash of the body's text as read now (a notice edited since it was annotated gets
   * flagged), and carries it in new annotations' document so the first one records it.
   */
  private noteContentHash(contentHash: string): void {
    if (this.document.contentHash === contentHash) return;
    this.document = { ...this.document, contentHash };
    this.port?.postMessage({ type: 'page.seen', documentKey: this.document.key, contentHash });
  }

  /**
   * The same index, read in steps that yield to the page: a 100,000-character notice takes over a second to
   * read, which done at once would freeze the page. Later synchronous calls reuse what this built.
   */
  private async pageIndexInSteps(): Promise<ReturnType<typeof createPageIndex>> {
    const started = performance.now();
    const index = await createPageIndexAsync(this.root);
    this.longestIndexMs = Math.max(this.longestIndexMs, performance.now() - started);
    return index;
  }

  private pageIndex(): ReturnType<typeof createPageIndex> {
    const started = performance.now();
    const index = createPageIndex(this.root);
    this.longestIndexMs = Math.max(this.longestIndexMs, performance.now() - started);
    return index;
  }

  private paintable(annotation: Annotation, range: Range): PaintedHighlight {
    return { id: annotation.id, range, color: annotation.color, peer: this.peerSlot(annotation) };
  }

  private peerSlot(annotation: Annotation): number | null {
    return this.isMine(annotation) ? null : authorSlot(annotation.author.id);
  }

  /** The page changed (a script built the body, a frame loaded): re-anchor once it settles. */
  private scheduleReanchor(): void {
    if (this.reanchorTimer) clearTimeout(this.reanchorTimer);
    this.reanchorTimer = setTimeout(() => {
      this.reanchorTimer = null;
      if (this.stopped) return;
      void this.pageIndexInSteps().then((index) => {
        if (!this.stopped && index.version !== this.indexVersion) void this.paint();
      });
    }, REANCHOR_DEBOUNCE_MS);
  }

  private resolveDeepLink(): void {
    const id = this.pendingDeepLink;
    if (!id || !this.highlighter.rangeOf(id)) return;
    this.pendingDeepLink = null;
    this.scrollTo(id, true);
  }

  // --- listening to the page's documents ---

  private listenTo(doc: Document): void {
    const onMouseUp = (event: MouseEvent) => {
      if (this.isOwnUi(event)) return;
      setTimeout(() => this.readSelection(doc), 0);
    };
    const onKeyUp = (event: KeyboardEvent) => {
      if (this.isOwnUi(event)) return;
      if (event.shiftKey || event.key.startsWith('Arrow') || event.key === 'a')
        setTimeout(() => this.readSelection(doc), 0);
      if (event.key === 'Escape' && this.state.clauseMode) this.setClauseMode(false);
    };
    // Escape closes Pizhu's card or toolbar wherever the focus is (the page or Pizhu's UI).
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      if (this.state.openCard) this.closeCard();
      else if (this.state.selection) this.dismissSelection();
    };
    const onClick = (event: MouseEvent) => this.onClick(doc, event);
    const onMove = (event: MouseEvent) => this.onMove(doc, event);
    const onScroll = () => this.onViewportChange();
    doc.addEventListener('mouseup', onMouseUp, true);
    doc.addEventListener('keyup', onKeyUp, true);
    doc.addEventListener('keydown', onKeyDown, true);
    doc.addEventListener('click', onClick, true);
    doc.addEventListener('mousemove', onMove, { passive: true });
    doc.addEventListener('scroll', onScroll, { passive: true, capture: true });
    this.cleanups.push(() => {
      doc.removeEventListener('mouseup', onMouseUp, true);
      doc.removeEventListener('keyup', onKeyUp, true);
      doc.removeEventListener('keydown', onKeyDown, true);
      doc.removeEventListener('click', onClick, true);
      doc.removeEventListener('mousemove', onMove);
      doc.removeEventListener('scroll', onScroll, { capture: true });
    });
    const View = doc.defaultView as (Window & typeof globalThis) | null;
    if (View?.MutationObserver && doc.documentElement) {
      const observer = new View.MutationObserver((records) => {
        if (records.some((r) => !this.isOwnUi({ target: r.target } as unknown as Event))) this.scheduleReanchor();
      });
      observer.observe(doc.documentElement, { childList: true, subtree: true, characterData: true });
      this.cleanups.push(() => observer.disconnect());
    }
    if (doc !== this.root) this.scheduleReanchor();
  }

  private isOwnUi(event: Pick<Event, 'target'>): boolean {
    return this.options.isOwnUi?.(event.target) ?? false;
  }

  private onViewportChange(): void {
    if (this.viewportFrame) return;
    this.viewportFrame = requestAnimationFrame(() => {
      this.viewportFrame = 0;
      const { selection, openCard } = this.state;
      const patch: Partial<PageState> = {};
      if (selection) patch.selection = { ...selection, rect: rectInTopViewport(selection.range) };
      if (openCard) {
        const range = this.highlighter.rangeOf(openCard.id);
        if (range) patch.openCard = { id: openCard.id, rect: rectInTopViewport(range) };
      }
      if (this.state.hoverClause) patch.hoverClause = null;
      if (Object.keys(patch).length) this.set(patch);
    });
  }

  // --- selection and toolbar ---

  private readSelection(doc: Document): void {
    if (this.state.clauseMode) return;
    const selection = doc.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      if (
        this.state.selection &&
        this.state.selection.range.startContainer.ownerDocument === doc &&
        !this.state.selection.wholeClause
      ) {
        this.set({ selection: null });
      }
      return;
    }
    const range = selection.getRangeAt(0).cloneRange();
    this.select(range, false);
  }

  private select(range: Range, wholeClause: boolean, keepSerial = false): void {
    const quote = range.toString().trim();
    if (!quote) return;
    const clause = this.clauseOfRange(range);
    this.set({
      selection: {
        serial: keepSerial ? this.selectionSerial : ++this.selectionSerial,
        range,
        rect: rectInTopViewport(range),
        quote,
        clausePath: clause?.path ?? [],
        wholeClause,
      },
      openCard: null,
      error: null,
    });
    this.highlighter.focus(null);
    void this.loadVocabulary();
  }

  dismissSelection(): void {
    this.set({ selection: null });
  }

  /** Grows the selection to the whole clause it sits in (the deepest clause holding all of it). */
  snapSelectionToClause(): boolean {
    const selection = this.state.selection;
    if (!selection) return false;
    const index = this.pageIndex();
    const clause = this.clauseOfRange(selection.range);
    const range = clause && index.clauseRange(clause);
    if (!range) {
      this.set({ notice: 'no-clause' });
      return false;
    }
    this.showSelection(range);
    this.select(range, true, true);
    return true;
  }

  private clauseOfRange(range: Range): Clause | null {
    try {
      const index = this.pageIndex();
      const units = index.text.unitsOfRange(range);
      if (!units) return null;
      const start = units.start - index.bodyStart;
      const end = Math.max(start + 1, units.end - index.bodyStart);
      if (start < 0) return null;
      return index.clauseSpanning(start, end);
    } catch {
      return null;
    }
  }

  private clauseAtPoint(doc: Document, x: number, y: number): { clause: Clause; range: Range } | null {
    const caret = caretAt(doc, x, y);
    if (!caret) return null;
    const index = this.pageIndex();
    const unit = index.text.unitOfPoint(caret.node, caret.offset);
    if (unit === null) return null;
    const clause = index.clauseAtUnit(unit - index.bodyStart);
    const range = clause && index.clauseRange(clause);
    return clause && range ? { clause, range } : null;
  }

  /** Mirrors a programmatic selection in the page, so the user sees what the toolbar acts on. */
  private showSelection(range: Range): void {
    const selection = range.startContainer.ownerDocument?.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  }

  async highlightSelection(choice: NewHighlight): Promise<Annotation | null> {
    const selection = this.state.selection;
    if (!selection) return null;
    try {
      const selectors = describe(this.root, selection.range);
      const annotation = await ask<Annotation>({
        type: 'annotation.create',
        annotation: {
          documentKey: this.document.key,
          selectors,
          clausePath: clausePathOf(selectors),
          quote: findSelector(selectors, 'TextQuoteSelector')?.exact ?? selection.quote,
          tags: normaliseTags(choice.tags),
          note: choice.note,
          color: choice.color ?? this.state.preferences?.defaultColor ?? 'yellow',
          visibility: choice.visibility ?? this.state.preferences?.defaultVisibility,
        },
        document: this.document,
      });
      selection.range.startContainer.ownerDocument?.getSelection()?.removeAllRanges();
      this.set({ selection: null, error: null, notice: 'saved' });
      return annotation;
    } catch (error) {
      this.set({ error: messageOf(error) });
      return null;
    }
  }

  async loadVocabulary(): Promise<void> {
    try {
      this.set({ vocabulary: await ask<TagUsage[]>({ type: 'tags.list' }) });
    } catch {
      // Suggestions are a convenience: without them the tag field still works.
    }
  }

  // --- clause mode ---

  setClauseMode(on: boolean): void {
    if (!on) this.highlighter.hover(null);
    this.set({ clauseMode: on, hoverClause: null, selection: on ? null : this.state.selection, notice: null });
  }

  private onMove(doc: Document, event: MouseEvent): void {
    if (!this.state.clauseMode || this.isOwnUi(event)) return;
    const found = this.clauseAtPoint(doc, event.clientX, event.clientY);
    if (!found) {
      if (this.state.hoverClause) {
        this.highlighter.hover(null);
        this.set({ hoverClause: null });
      }
      return;
    }
    const rect = offsetToTop(new DOMRect(event.clientX, event.clientY, 0, 0), doc.defaultView);
    const current = this.state.hoverClause;
    if (current && current.path.join('\u0001') === found.clause.path.join('\u0001')) {
      this.set({ hoverClause: { path: current.path, rect } });
      return;
    }
    this.highlighter.hover(found.range);
    this.set({ hoverClause: { path: found.clause.path, rect } });
  }

  // --- clicks and cards ---

  private onClick(doc: Document, event: MouseEvent): void {
    if (this.isOwnUi(event)) return;
    if (this.state.clauseMode) {
      const found = this.clauseAtPoint(doc, event.clientX, event.clientY);
      if (found) {
        event.preventDefault();
        event.stopPropagation();
        this.highlighter.hover(null);
        this.set({ clauseMode: false, hoverClause: null });
        this.showSelection(found.range);
        this.select(found.range, true);
      }
      return;
    }
    if (!doc.getSelection()?.isCollapsed) return;
    const [id] = this.highlighter.hitTest(doc, event.clientX, event.clientY).slice(-1);
    if (id) this.openCard(id);
    else if (this.state.openCard) this.closeCard();
  }

  openCard(id: string): void {
    const range = this.highlighter.rangeOf(id);
    if (!range) return;
    this.highlighter.focus(id);
    this.set({ openCard: { id, rect: rectInTopViewport(range) }, selection: null });
    void this.loadVocabulary();
  }

  closeCard(): void {
    this.highlighter.focus(null);
    this.set({ openCard: null });
  }

  async update(id: string, patch: { tags?: string[]; note?: string; color?: Color }): Promise<boolean> {
    try {
      await ask({ type: 'annotation.update', id, patch });
      this.set({ error: null });
      return true;
    } catch (error) {
      this.set({ error: messageOf(error) });
      return false;
    }
  }

  /** A teammate's own note on someone else's highlight. */
  async reply(id: string, note: string): Promise<boolean> {
    const parent = this.state.annotations.find((a) => a.id === id);
    if (!parent || !note.trim()) return false;
    try {
      await ask({
        type: 'annotation.create',
        annotation: {
          documentKey: parent.documentKey,
          selectors: parent.selectors,
          clausePath: parent.clausePath,
          quote: parent.quote,
          note: note.trim(),
          color: parent.color,
          visibility: parent.visibility,
          replyTo: parent.id,
        },
        document: this.document,
      });
      this.set({ error: null });
      return true;
    } catch (error) {
      this.set({ error: messageOf(error) });
      return false;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await ask({ type: 'annotation.delete', id });
      this.highlighter.focus(null);
      this.set({ openCard: null, lastDeleted: id, error: null });
    } catch (error) {
      this.set({ error: messageOf(error) });
    }
  }

  async undoRemove(): Promise<void> {
    const id = this.state.lastDeleted;
    if (!id) return;
    try {
      await ask({ type: 'annotation.restore', id });
      this.set({ lastDeleted: null, error: null });
    } catch (error) {
      this.set({ error: messageOf(error) });
    }
  }

  dismissToast(): void {
    this.set({ lastDeleted: null, error: null, notice: null });
  }

  // --- moving between highlights ---

  scrollTo(id: string, openCard = false): boolean {
    const range = this.highlighter.rangeOf(id);
    if (!range) return false;
    const element =
      range.startContainer.nodeType === 1 ? (range.startContainer as Element) : range.startContainer.parentElement;
    element?.scrollIntoView({ block: 'center', behavior: 'instant' as ScrollBehavior });
    this.highlighter.flash(id);
    if (openCard) this.openCard(id);
    return true;
  }

  /** The next (or previous) highlight in document order after the open card, or after the top of the view. */
  step(direction: 1 | -1): void {
    const order = this.state.order;
    if (!order.length) {
      this.set({ notice: 'no-annotations' });
      return;
    }
    const current = this.state.openCard ? order.indexOf(this.state.openCard.id) : -1;
    let next: number;
    if (current >= 0) next = (current + direction + order.length) % order.length;
    else {
      const firstBelow = order.findIndex((id) =>
        this.highlighter.rangeOf(id) ? rectInTopViewport(this.highlighter.rangeOf(id)!).top > 0 : false,
      );
      next = direction === 1 ? Math.max(0, firstBelow) : firstBelow > 0 ? firstBelow - 1 : order.length - 1;
    }
    this.scrollTo(order[next]!, true);
  }

  hideAuthors(ids: string[]): void {
    this.set({ hiddenAuthors: ids });
    void this.paint();
  }

  // --- requests from the extension (side panel, shortcuts) ---

  command(command: PageCommand): void {
    switch (command) {
      case 'highlight-selection':
        if (this.state.selection) void this.highlightSelection({ tags: [], note: '' });
        else this.set({ notice: 'select-first' });
        break;
      case 'tag-selection':
        if (this.state.selection) this.set({ focusTagsRequest: this.state.focusTagsRequest + 1 });
        else if (this.state.openCard) this.set({ focusTagsRequest: this.state.focusTagsRequest + 1 });
        else this.set({ notice: 'select-first' });
        break;
      case 'next-annotation':
        this.step(1);
        break;
      case 'previous-annotation':
        this.step(-1);
        break;
    }
  }

  report(): PageReport {
    const selection = this.state.selection ?? this.liveSelection();
    return {
      documentKey: this.document.key,
      anchors: this.state.anchors,
      order: this.state.order,
      clausePaths: this.clausePaths,
      hasSelection: selection !== null,
    };
  }

  private liveSelection(): SelectionState | null {
    const selection = this.root.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    return {
      serial: 0,
      range,
      rect: rectInTopViewport(range),
      quote: range.toString(),
      clausePath: [],
      wholeClause: false,
    };
  }

  /** Moves an orphaned annotation onto the text the user selected now. */
  async reattach(id: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const selection = this.state.selection ?? this.liveSelection();
    if (!selection) return { ok: false, reason: 'no-selection' };
    try {
      const selectors = describe(this.root, selection.range);
      await ask({
        type: 'annotation.update',
        id,
        patch: {
          selectors,
          clausePath: clausePathOf(selectors),
          quote: findSelector(selectors, 'TextQuoteSelector')?.exact ?? selection.quote,
        },
      });
      selection.range.startContainer.ownerDocument?.getSelection()?.removeAllRanges();
      this.set({ selection: null });
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: messageOf(error) };
    }
  }
}

function clausePathOf(selectors: Selector[]): string[] {
  return findSelector(selectors, 'ClauseSelector')?.path ?? [];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The text position under a point (Chromium: caretRangeFromPoint; Firefox: caretPositionFromPoint). */
function caretAt(doc: Document, x: number, y: number): { node: Node; offset: number } | null {
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
