/**
 * One page being read, composed of parts with one job each:
 * - connection.ts: the port to the background (reconnects, what the background sends);
 * - highlight-layer.ts: the anchoring library's Anchorer feeding the Highlighter;
 * - selection.ts: what the user points at (selection, clause mode, clicks, Escape);
 * - cards.ts and annotation-actions.ts: the UI's actions (cards, moving between highlights; save, edit, reply,
 *   delete);
 * - page-state.ts: the state the UI (components/page) renders.
 * The session wires them together. Nothing here trusts the page: only the DOM is read, and no page messages
 * are listened to.
 */
import { pageTextHash } from '../../../shared/anchoring/index.ts';
import { type ClauseSnapshot, snapshotOf } from '../../../shared/compare/index.ts';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../../../shared/model/canonical-url.ts';
import { readPageMetadata } from '../../../shared/page/metadata.ts';
import { ask } from '../ask.ts';
import { authorSlot } from '../author-colors.ts';
import type { PageCommand, PageReport, SettingsView } from '../messages.ts';
import { AnnotationActions } from './annotation-actions.ts';
import { Cards } from './cards.ts';
import { BackgroundConnection, type Port } from './connection.ts';
import { HighlightLayer, type HighlightStyle } from './highlight-layer.ts';
import { Highlighter } from './highlighter.ts';
import { type PageState, PageStateStore } from './page-state.ts';
import { SelectionController } from './selection.ts';
import { errorInfo, errorMessage } from '../errors.ts';
import { TaskActions } from './task-actions.ts';

export type { NewHighlight } from './annotation-actions.ts';
export type { AnchorStatus, HoverClause, PageState, SelectionState } from './page-state.ts';

export type Author = { id: string; name: string };

export type SessionOptions = {
  /** The settings read when the page started (null when the background could not be reached). */
  settings: SettingsView | null;
  /** Elements that belong to Pizhu's UI (events there are not the page's). */
  isOwnUi: (target: EventTarget | null) => boolean;
  /** Opens the port to the background (a fake one in tests). */
  connect?: () => Port;
};

export class PageSession {
  readonly cards: Cards;
  readonly actions: AnnotationActions;
  /** Tasks from clauses (task-actions.ts). */
  readonly tasks: TaskActions;
  private readonly store: PageStateStore;
  private readonly highlighter = new Highlighter();
  private readonly connection: BackgroundConnection;
  private readonly layer: HighlightLayer;
  private readonly selection: SelectionController;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly root: Document,
    options: SessionOptions,
  ) {
    const document = describePage(root);
    const { settings } = options;
    this.store = new PageStateStore({
      documentKey: document.key,
      annotations: [],
      peers: [],
      status: { state: 'connecting' },
      anchors: {},
      order: [],
      selection: null,
      clauseMode: false,
      hoverClause: null,
      focusTagsRequest: 0,
      openCard: null,
      error: null,
      notice: null,
      lastDeleted: null,
      preferences: settings?.preferences ?? null,
      memberId: settings?.team?.memberId ?? null,
      hiddenAuthors: [],
      vocabulary: [],
      taskDialog: null,
    });
    this.connection = new BackgroundConnection(
      document,
      {
        annotations: (annotations) => this.receive(annotations),
        presence: (peers) => this.store.set({ peers }),
        status: (status) => this.store.set({ status }),
        // after the page's own work of the moment: reading every clause's text takes a few milliseconds
        snapshotWanted: () =>
          void setTimeout(() => {
            const taken = this.takeSnapshot();
            if (taken) this.connection.snapshot(taken.snapshot, taken.bodyHash);
          }, 0),
      },
      options.connect,
    );
    this.layer = new HighlightLayer({
      root,
      highlighter: this.highlighter,
      state: this.store.writer(),
      onPageChange: (index) => {
        this.selection.listenTo(index.documents());
        if (index.body) this.connection.seen(index.bodyHash());
      },
      debug: settings?.preferences?.debug ?? false,
    });
    this.cards = new Cards({
      state: this.store.writer(),
      highlighter: this.highlighter,
      onOpen: () => {
        this.selection.dismiss();
        void this.actions.loadVocabulary();
      },
    });
    this.selection = new SelectionController({
      state: this.store.writer(),
      highlighter: this.highlighter,
      pageIndex: () => this.layer.pageIndex(),
      isOwnUi: options.isOwnUi,
      onSelect: () => {
        this.store.set({ openCard: null, error: null });
        void this.actions.loadVocabulary();
      },
      onPageClick: (id) => {
        if (id) this.cards.open(id);
        else if (this.state.openCard) this.cards.close();
      },
      onEscape: () => this.escape(),
      onViewport: () => this.cards.follow(),
    });
    this.actions = new AnnotationActions({
      state: this.store.writer(),
      selection: this.selection,
      pageIndex: () => this.layer.pageIndex(),
      document: () => this.connection.documentInfo,
    });
    this.tasks = new TaskActions({
      state: this.store.writer(),
      pageIndex: () => this.layer.pageIndex(),
      document: () => this.connection.documentInfo,
    });
    this.cleanups.push(this.store.subscribe(() => this.cards.refresh()));
  }

  // --- observable state for the UI ---

  getState = (): PageState => this.store.get();
  subscribe = (listener: () => void): (() => void) => this.store.subscribe(listener);

  private get state(): PageState {
    return this.store.get();
  }

  // --- lifecycle ---

  start(): void {
    this.selection.listenTo([this.root]);
    this.connection.open();
    this.layer.start();
    const view = this.root.defaultView!;
    const onHash = () => this.cards.followDeepLink(this.root.location.hash);
    onHash();
    view.addEventListener('hashchange', onHash);
    this.cleanups.push(() => view.removeEventListener('hashchange', onHash));
  }

  stop(): void {
    this.connection.close();
    this.selection.stop();
    this.layer.stop();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private receive(all: Annotation[]): void {
    const annotations = all.filter((a) => !a.deleted);
    const { openCard } = this.state;
    this.store.set({
      annotations,
      openCard: openCard && annotations.some((a) => a.id === openCard.id) ? openCard : null,
    });
    void this.layer.show(annotations, this.styleOf);
  }

  // --- who wrote what ---

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

  hideAuthors(ids: string[]): void {
    this.store.set({ hiddenAuthors: ids });
    this.layer.restyle(this.styleOf);
  }

  private readonly styleOf = (annotation: Annotation): HighlightStyle => {
    if (this.state.hiddenAuthors.includes(annotation.author.id)) return null;
    return { color: annotation.color, peer: this.isMine(annotation) ? null : authorSlot(annotation.author.id) };
  };

  // --- the selection ---

  setClauseMode(on: boolean): void {
    this.selection.setClauseMode(on);
    this.store.set({ notice: null });
  }

  dismissSelection(): void {
    this.selection.dismiss();
  }

  snapSelectionToClause(): boolean {
    if (this.selection.snapToClause()) return true;
    this.store.set({ notice: 'no-clause' });
    return false;
  }

  /** Escape closes the innermost thing open: the task form, the card, else the toolbar, else clause mode. */
  private escape(): void {
    if (this.state.taskDialog) this.tasks.close();
    else if (this.state.openCard) this.cards.close();
    else if (this.state.selection) this.dismissSelection();
    else if (this.state.clauseMode) this.setClauseMode(false);
  }

  // --- requests from the extension (side panel, shortcuts) ---

  command(command: PageCommand): void {
    const { selection, openCard, focusTagsRequest } = this.state;
    switch (command) {
      case 'highlight-selection':
        if (selection) void this.actions.highlightSelection({ tags: [], note: '' });
        else this.store.set({ notice: 'select-first' });
        break;
      case 'tag-selection':
        if (selection || openCard) this.store.set({ focusTagsRequest: focusTagsRequest + 1 });
        else this.store.set({ notice: 'select-first' });
        break;
      case 'next-annotation':
        this.cards.step(1);
        break;
      case 'previous-annotation':
        this.cards.step(-1);
        break;
    }
  }

  /**
   * The page's clause snapshot as read now (shared/compare), and the hash of its text, for comparing versions;
   * null when the page has no body yet or is beyond a snapshot's limits.
   */
  takeSnapshot(): { snapshot: ClauseSnapshot; bodyHash: string } | null {
    if (!this.layer.pageIndex().body) return null;
    try {
      return { snapshot: snapshotOf(this.root), bodyHash: pageTextHash(this.root) };
    } catch (error) {
      console.warn('[pizhu] no clause snapshot of this page:', errorMessage(error));
      return null;
    }
  }

  /** "比较版本…": keeps the page's snapshot as read now, then has the background open the comparison page. */
  async openComparison(): Promise<void> {
    const documentKey = this.state.documentKey;
    try {
      const taken = this.takeSnapshot();
      if (taken) await ask({ type: 'snapshot.keep', documentKey, ...taken });
      await ask({ type: 'compare.open', documentKey });
    } catch (error) {
      this.store.set({ error: errorInfo(error) });
    }
  }

  async report(): Promise<PageReport> {
    return {
      documentKey: this.state.documentKey,
      ready: this.layer.ready,
      anchors: this.state.anchors,
      order: this.state.order,
      clausePaths: await this.layer.clausePaths(),
      hasSelection: this.selection.current() !== null,
      ...(this.state.preferences?.debug ? { paint: this.layer.paintRuns() } : {}),
    };
  }
}

/** What the page says about itself: its key, canonical URL and metadata block. */
function describePage(root: Document): DocumentInfo {
  const url = root.location.href;
  const metadata = readPageMetadata(root, root.body?.textContent ?? '');
  return {
    key: documentKeyFor(url),
    canonicalUrl: canonicalUrl(url),
    url: url.split('#', 1)[0]!,
    ...metadata,
    title: metadata.title || root.title || url,
  };
}
