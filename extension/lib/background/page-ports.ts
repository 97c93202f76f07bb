/**
 * The pages being read. Each content script holds a port to the background (PAGE_PORT) for as long as its page
 * is open: it says which document it shows (`page.open`, again after every reconnect: MV3 stops idle workers),
 * and gets that document's annotations whenever they change, the sync status, and who else is reading it. The
 * team's room of a page is kept connected while a port shows it. Everything here is a cache of open ports,
 * rebuilt as pages reconnect; nothing is stored.
 */
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { describeIssues } from '../../../shared/model/annotation.ts';
import { parseRoomId, roomIdFor } from '../../../shared/model/room.ts';
import { errorInfo, errorMessage, PizhuError } from '../errors.ts';
import { PAGE_PORT, type PagePortOut, pagePortInSchema, type Peer } from '../messages.ts';
import type { TeamRow } from '../store/schema.ts';
import type { Realtime } from '../sync/realtime.ts';
import type { SyncStatusTracker } from '../sync/status.ts';
import { background } from './background-task.ts';

/** One page's end of the port, as the background sees it. */
export type PagePort = {
  post(message: PagePortOut): void;
};

/** What the page ports need from the rest of the background. */
export type PagePortsNeeds = {
  /** The live annotations of a document. */
  annotations(documentKey: string): Promise<Annotation[]>;
  /** Records what a page says about itself (title, issuer, the hash of its text as read now). */
  rememberDocument(document: DocumentInfo): Promise<unknown>;
  /** Records the hash of a document's text as read now (see documentChanged). */
  documentSeen(documentKey: string, contentHash: string): Promise<void>;
  /** Stores the clause snapshot a page sent of the document it shows (untrusted: validated there). */
  keepSnapshot(documentKey: string, snapshot: unknown, bodyHash: string): Promise<unknown>;
  team(): Promise<TeamRow | undefined>;
  realtime: Pick<Realtime, 'open' | 'close' | 'peers'>;
  status: SyncStatusTracker;
};

export class PagePorts {
  private readonly pages = new Map<PagePort, string>();

  constructor(private readonly needs: PagePortsNeeds) {
    needs.status.subscribe((status) => {
      for (const port of this.pages.keys()) port.post({ type: 'status', status });
    });
  }

  /** Handles one message on a page's port; malformed ones are dropped with a warning. */
  async receive(port: PagePort, raw: unknown): Promise<void> {
    const parsed = pagePortInSchema.safeParse(raw);
    if (!parsed.success) {
      console.warn('[pizhu] dropped a malformed page message', describeIssues(parsed.error));
      return;
    }
    const message = parsed.data;
    if (message.type === 'page.open') {
      try {
        await this.open(port, message.documentKey, message.document);
      } catch (error) {
        console.warn('[pizhu] could not open the page', error);
        port.post({ type: 'status', status: { state: 'error', error: errorInfo(error) } });
      }
    } else if (message.type === 'page.seen') {
      await this.seen(port, message.documentKey, message.contentHash);
    } else if (message.type === 'page.snapshot') {
      if (this.pages.get(port) !== message.documentKey) return;
      await this.needs
        .keepSnapshot(message.documentKey, message.snapshot, message.bodyHash)
        .catch((error) => console.warn('[pizhu] refused a page snapshot:', errorMessage(error)));
    }
  }

  /** Asks the pages showing a document for a clause snapshot of their text as read now. */
  wantSnapshot(documentKey: string): void {
    for (const [port, key] of this.pages) if (key === documentKey) port.post({ type: 'snapshot.wanted' });
  }

  async open(port: PagePort, documentKey: string, document: DocumentInfo): Promise<void> {
    if (documentKey !== document.key) throw new PizhuError('page_mismatch');
    const previous = this.pages.get(port);
    this.pages.set(port, documentKey);
    if (previous && previous !== documentKey) background(this.releaseRoom(previous));
    await this.needs.rememberDocument(document);
    port.post({ type: 'status', status: this.needs.status.get() });
    port.post({ type: 'annotations', documentKey, annotations: await this.needs.annotations(documentKey) });
    await this.connectRoom(documentKey);
  }

  /** Records the hash of the page's text as read now, for the page this port opened (and only that one). */
  async seen(port: PagePort, documentKey: string, contentHash: string): Promise<void> {
    if (this.pages.get(port) !== documentKey) return;
    await this.needs.documentSeen(documentKey, contentHash);
  }

  close(port: PagePort): void {
    const documentKey = this.pages.get(port);
    this.pages.delete(port);
    if (documentKey) background(this.releaseRoom(documentKey));
  }

  /** Sends a document's annotations again to the pages showing it (they changed). */
  async notify(documentKey: string): Promise<void> {
    const ports = [...this.pages].filter(([, key]) => key === documentKey).map(([port]) => port);
    if (!ports.length) return;
    const annotations = await this.needs.annotations(documentKey);
    for (const port of ports) port.post({ type: 'annotations', documentKey, annotations });
  }

  /** Every open page gets its annotations again (after leaving a team, say). */
  async notifyAll(): Promise<void> {
    for (const documentKey of new Set(this.pages.values())) await this.notify(documentKey);
  }

  /** Connects the rooms of every open page (after joining a team). */
  async connectAll(): Promise<void> {
    for (const documentKey of new Set(this.pages.values())) await this.connectRoom(documentKey);
  }

  /** Who else is reading the page of a room, for the pages showing it. */
  presence(roomId: string, peers: Peer[]): void {
    this.post(roomId, { type: 'presence', peers });
  }

  private post(roomId: string, message: PagePortOut): void {
    const documentKey = parseRoomId(roomId)?.documentKey;
    for (const [port, key] of this.pages) if (key === documentKey) port.post(message);
  }

  private async connectRoom(documentKey: string): Promise<void> {
    const team = await this.needs.team();
    if (!team) return;
    const roomId = roomIdFor(team.teamId, documentKey);
    await this.needs.realtime.open(team, roomId);
    this.presence(roomId, this.needs.realtime.peers(roomId));
  }

  private async releaseRoom(documentKey: string): Promise<void> {
    const team = await this.needs.team();
    if (team) this.needs.realtime.close(roomIdFor(team.teamId, documentKey));
  }
}

/** The runtime port a content script opened, as the background receives it (the parts used here). */
export type RuntimePort = {
  name: string;
  sender?: { id?: string };
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
};

/**
 * Accepts a content script's port: only this extension's own, named PAGE_PORT (pages cannot connect: there is no
 * externally_connectable). Call it from `runtime.onConnect` at the top level of the worker, so a port that
 * woke the worker is accepted.
 */
export function acceptPagePort(pages: PagePorts, port: RuntimePort, extensionId: string): void {
  if (port.name !== PAGE_PORT || port.sender?.id !== extensionId) {
    port.disconnect();
    return;
  }
  const page: PagePort = {
    post: (message) => {
      try {
        port.postMessage(message);
      } catch {
        // The tab went away between the check and the post.
      }
    },
  };
  port.onMessage.addListener((message) => void pages.receive(page, message));
  port.onDisconnect.addListener(() => pages.close(page));
}
