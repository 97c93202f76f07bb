/**
 * One page being read: connects to the background over a port, anchors the page's annotations, paints them,
 * and turns the user's selection into new annotations. The UI (React, in a shadow root) renders its state and
 * calls its actions; nothing here trusts the page: only the DOM is read, no page messages are listened to.
 */
import { browser } from 'wxt/browser';
import { anchor, describe } from '../../../shared/anchoring/index.ts';
import type { Annotation, Color, DocumentInfo, Selector, Visibility } from '../../../shared/model/annotation.ts';
import { findSelector } from '../../../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../../../shared/model/canonical-url.ts';
import { readPageMetadata } from '../../../shared/page/metadata.ts';
import { ask } from '../ask.ts';
import { PAGE_PORT, type PagePortOut, type Peer, type SyncStatus } from '../messages.ts';
import { Highlighter } from './highlighter.ts';

export type AnchorStatus = 'exact' | 'fuzzy' | 'orphan' | 'ambiguous';

export type SelectionState = { range: Range; rect: DOMRect; quote: string };

export type PageState = {
  documentKey: string;
  annotations: Annotation[];
  anchors: Record<string, AnchorStatus>;
  selection: SelectionState | null;
  openCard: { id: string; rect: DOMRect } | null;
  peers: Peer[];
  status: SyncStatus;
  error: string | null;
  lastDeleted: string | null;
};

export type NewHighlight = { color: Color; tags: string[]; note: string; visibility?: Visibility };

/** The rectangle of a range in the top window's viewport, also for ranges inside an iframe. */
export function rectInTopViewport(range: Range): DOMRect {
  const rect = range.getBoundingClientRect();
  let x = rect.left;
  let y = rect.top;
  let view: Window | null = range.startContainer.ownerDocument?.defaultView ?? null;
  while (view && view.frameElement) {
    const frameRect = view.frameElement.getBoundingClientRect();
    x += frameRect.left;
    y += frameRect.top;
    view = view.parent;
  }
  return new DOMRect(x, y, rect.width, rect.height);
}

export class PageSession {
  private state: PageState;
  private readonly listeners = new Set<() => void>();
  private readonly highlighter = new Highlighter();
  private port: ReturnType<typeof browser.runtime.connect> | null = null;
  private readonly document: DocumentInfo;
  private anchorRun = 0;

  constructor(private readonly root: Document) {
    const url = root.location.href;
    const metadata = readPageMetadata(root, root.body?.innerText ?? '');
    this.document = {
      key: documentKeyFor(url),
      canonicalUrl: canonicalUrl(url),
      url,
      ...metadata,
      title: metadata.title || root.title || url,
    };
    this.state = {
      documentKey: this.document.key,
      annotations: [],
      anchors: {},
      selection: null,
      openCard: null,
      peers: [],
      status: { state: 'offline' },
      error: null,
      lastDeleted: null,
    };
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

  start(): void {
    this.connect();
    this.watchSelection(this.root);
    this.root.addEventListener('click', this.onClick, true);
  }

  stop(): void {
    this.port?.disconnect();
    this.port = null;
    this.root.removeEventListener('click', this.onClick, true);
    this.highlighter.clear();
  }

  /** The background may be restarted (MV3 stops idle service workers): reconnect when the port drops. */
  private connect(): void {
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
      this.set({ annotations: message.annotations });
      void this.anchorAll();
    } else if (message.type === 'presence') {
      this.set({ peers: message.peers });
    } else if (message.type === 'status') {
      this.set({ status: message.status });
    }
  }

  private async anchorAll(): Promise<void> {
    const run = ++this.anchorRun;
    const anchors: Record<string, AnchorStatus> = {};
    const painted = [];
    for (const annotation of this.state.annotations) {
      if (annotation.replyTo) continue;
      const result = await anchor(this.root, annotation.selectors);
      if (run !== this.anchorRun) return;
      anchors[annotation.id] = result.status;
      if (result.range) painted.push({ id: annotation.id, range: result.range, color: annotation.color });
    }
    this.highlighter.paint(painted);
    this.set({ anchors });
  }

  // --- selection and toolbar ---

  private watchSelection(doc: Document): void {
    const update = () => setTimeout(() => this.readSelection(doc), 0);
    doc.addEventListener('mouseup', update);
    doc.addEventListener('keyup', (event) => {
      if (event.shiftKey || event.key.startsWith('Arrow')) update();
    });
  }

  private readSelection(doc: Document): void {
    const selection = doc.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      if (this.state.selection) this.set({ selection: null });
      return;
    }
    const range = selection.getRangeAt(0).cloneRange();
    const quote = range.toString().trim();
    if (!quote) return;
    this.set({ selection: { range, rect: rectInTopViewport(range), quote }, openCard: null });
  }

  dismissSelection(): void {
    this.set({ selection: null });
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
          tags: choice.tags,
          note: choice.note,
          color: choice.color,
          visibility: choice.visibility,
        },
        document: this.document,
      });
      this.root.getSelection()?.removeAllRanges();
      this.set({ selection: null, error: null });
      return annotation;
    } catch (error) {
      this.set({ error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  // --- cards ---

  private readonly onClick = (event: MouseEvent): void => {
    if (!this.root.getSelection()?.isCollapsed) return;
    const [id] = this.highlighter.hitTest(this.root, event.clientX, event.clientY).slice(-1);
    if (id) {
      const range = this.highlighter.rangeOf(id)!;
      this.set({ openCard: { id, rect: rectInTopViewport(range) }, selection: null });
    } else if (this.state.openCard && !(event.target as Element | null)?.closest?.('pizhu-ui')) {
      this.set({ openCard: null });
    }
  };

  closeCard(): void {
    this.set({ openCard: null });
  }

  async update(id: string, patch: { tags?: string[]; note?: string; color?: Color }): Promise<void> {
    try {
      await ask({ type: 'annotation.update', id, patch });
      this.set({ error: null });
    } catch (error) {
      this.set({ error: error instanceof Error ? error.message : String(error) });
    }
  }

  async remove(id: string): Promise<void> {
    await ask({ type: 'annotation.delete', id });
    this.set({ openCard: null, lastDeleted: id });
  }

  async undoRemove(): Promise<void> {
    const id = this.state.lastDeleted;
    if (!id) return;
    await ask({ type: 'annotation.restore', id });
    this.set({ lastDeleted: null });
  }

  scrollTo(id: string): void {
    const range = this.highlighter.rangeOf(id);
    if (!range) return;
    const element = range.startContainer.parentElement;
    element?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    this.highlighter.flash(id);
  }
}

function clausePathOf(selectors: Selector[]): string[] {
  return findSelector(selectors, 'ClauseSelector')?.path ?? [];
}
