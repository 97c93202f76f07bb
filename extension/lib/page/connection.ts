/**
 * The page's connection to the background: one port (PAGE_PORT) for as long as the page is open. It says which
 * document the page shows, and hands on what the background sends: the document's annotations whenever they
 * change, the sync status, who else is reading it. MV3 stops an idle background at any moment, which drops the
 * port: the connection opens a new one (waking the background) and says again which document it shows.
 */
import { browser } from 'wxt/browser';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { type BackoffPolicy, backoffDelay } from '../backoff.ts';
import { PAGE_PORT, type PagePortIn, type PagePortOut, type Peer, type SyncStatus } from '../messages.ts';

export type ConnectionEvents = {
  annotations(annotations: Annotation[]): void;
  presence(peers: Peer[]): void;
  status(status: SyncStatus): void;
  /** The background holds no clause snapshot of the page as it reads now: answer with `snapshot()`. */
  snapshotWanted?(): void;
};

/** The parts of a runtime port used here (a fake one in unit tests). */
export type Port = {
  postMessage(message: PagePortIn): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
};

/** Waits before reconnecting: a background restarting needs a moment; one that keeps failing, a little longer. */
const RECONNECT: BackoffPolicy = { minMs: 200, maxMs: 5_000 };

export class BackgroundConnection {
  private port: Port | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private document: DocumentInfo,
    private readonly events: ConnectionEvents,
    private readonly connect: () => Port = () => browser.runtime.connect({ name: PAGE_PORT }) as unknown as Port,
  ) {}

  open(): void {
    if (this.stopped) return;
    let port: Port;
    try {
      port = this.connect();
    } catch {
      // The extension was reloaded or removed: this page's script is orphaned, and will be stopped.
      this.events.status({ state: 'error' });
      return;
    }
    this.port = port;
    port.onMessage.addListener((message) => {
      if (this.port !== port) return;
      this.failures = 0;
      this.receive(message as PagePortOut);
    });
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = null;
      this.events.status({ state: 'connecting' });
      this.timer = setTimeout(() => this.open(), backoffDelay(++this.failures, RECONNECT));
    });
    this.post({ type: 'page.open', documentKey: this.document.key, document: this.document });
  }

  /**
   * The hash of the page's text as read now: sent once, and carried in the document from then on (in every
   * `page.open` and new annotation), so the first annotation records it.
   */
  seen(contentHash: string): void {
    if (this.document.contentHash === contentHash) return;
    this.document = { ...this.document, contentHash };
    this.post({ type: 'page.seen', documentKey: this.document.key, contentHash });
  }

  /** A clause snapshot of the page (and the hash of the text it was taken from), for the background to keep. */
  snapshot(snapshot: unknown, bodyHash: string): void {
    this.post({ type: 'page.snapshot', documentKey: this.document.key, bodyHash, snapshot });
  }

  /** What the page says about itself, for new annotations. */
  get documentInfo(): DocumentInfo {
    return this.document;
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const port = this.port;
    this.port = null;
    port?.disconnect();
  }

  private post(message: PagePortIn): void {
    try {
      this.port?.postMessage(message);
    } catch {
      // The port dropped a moment ago: onDisconnect reconnects, and page.open carries the document again.
    }
  }

  private receive(message: PagePortOut): void {
    switch (message.type) {
      case 'annotations':
        if (message.documentKey === this.document.key) this.events.annotations(message.annotations);
        break;
      case 'presence':
        this.events.presence(message.peers);
        break;
      case 'status':
        this.events.status(message.status);
        break;
      case 'snapshot.wanted':
        this.events.snapshotWanted?.();
        break;
    }
  }
}
