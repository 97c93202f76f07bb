/**
 * A realtime connection for one room: the y-websocket protocol (y-protocols sync and awareness) over a
 * WebSocket opened with a fresh single-use ticket each time. Reconnects with exponential backoff and jitter,
 * capped so that a server back after an outage is reached within seconds; `reconnectNow` skips the wait (the
 * user asked, the network came back). Gives up only on errors a retry cannot fix (revoked token, forbidden room).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import type * as Y from 'yjs';
import { CLOSE_CODES } from '../../../shared/protocol/api.ts';
import { closeCodeError } from '../../../shared/protocol/errors.ts';
import { backoffDelay } from '../backoff.ts';
import { type ErrorInfo, errorInfo } from '../errors.ts';
import { ApiError, type ApiClient, webSocketUrl } from './api-client.ts';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;

const OPEN = 1;
/**
 * At most 3 s between attempts: once the server is back, the next attempt (a ticket, the socket, one round trip
 * of sync) connects well within the 5 s after which a person notices. An attempt on a server that is down fails
 * at once and costs it nothing.
 */
export const REALTIME_BACKOFF = { minMs: 500, maxMs: 3_000 };

export type ConnectionState = 'connecting' | 'syncing' | 'online' | 'offline' | 'error';

/** The WebSocket constructor to use: the browser's, or `ws` in Node tests. */
export type WebSocketFactory = new (url: string) => WebSocket;

export class RoomConnection {
  /** Rooms recognise updates applied by a connection as remote (see rooms.ts). */
  readonly isRoomConnection = true;
  readonly awareness: awarenessProtocol.Awareness;
  private socket: WebSocket | null = null;
  /** A ticket is being fetched for the next socket. */
  private opening = false;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private synced = false;

  constructor(
    readonly room: string,
    private readonly doc: Y.Doc,
    private readonly api: ApiClient,
    private readonly onState: (state: ConnectionState, error?: ErrorInfo) => void,
    private readonly WebSocketImpl: WebSocketFactory = globalThis.WebSocket,
  ) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
  }

  connect(): void {
    if (this.closed || this.socket || this.opening) return;
    this.onState('connecting');
    void this.open();
  }

  /** Tries again now instead of waiting out the backoff; nothing happens while connected or connecting. */
  reconnectNow(): void {
    if (this.closed || this.socket || this.opening) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.failures = 0;
    this.connect();
  }

  /** Drops the socket and stops retrying. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'local');
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.destroy();
    this.socket?.close(1000);
    this.socket = null;
  }

  get isSynced(): boolean {
    return this.synced;
  }

  private async open(): Promise<void> {
    let ticket: string;
    this.opening = true;
    try {
      ticket = (await this.api.ticket(this.room)).ticket;
    } catch (error) {
      this.opening = false;
      if (this.closed) return;
      const fatal = error instanceof ApiError && (error.status === 401 || error.status === 403);
      this.onState(fatal ? 'error' : 'offline', errorInfo(error));
      if (!fatal) this.scheduleRetry();
      return;
    }
    this.opening = false;
    if (this.closed) return;
    const url = `${webSocketUrl(this.api.serverUrl)}/sync/${encodeURIComponent(this.room)}?ticket=${encodeURIComponent(ticket)}`;
    const socket = new this.WebSocketImpl(url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      this.onState('syncing');
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep1(encoder, this.doc);
      this.send(encoding.toUint8Array(encoder));
      if (this.awareness.getLocalState() !== null) this.sendAwareness([this.doc.clientID]);
    };
    socket.onmessage = (event) => this.receive(new Uint8Array(event.data as ArrayBuffer));
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.synced = false;
      const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
      awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
      if (this.closed) return;
      const reason = errorInfo({
        code: closeCodeError(event.code) ?? 'connection_lost',
        ...(event.reason ? { detail: event.reason } : {}),
      });
      // Permanent: the same change would be refused again on every reconnect.
      if (event.code === CLOSE_CODES.forbidden || event.code === CLOSE_CODES.tooCostly) {
        this.onState('error', reason);
        return;
      }
      this.onState('offline', reason);
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    const delay = backoffDelay(++this.failures, REALTIME_BACKOFF);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed && !this.socket) void this.open();
    }, delay);
  }

  private receive(message: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(message);
      const encoder = encoding.createEncoder();
      const kind = decoding.readVarUint(decoder);
      if (kind === MESSAGE_SYNC) {
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        const step = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
        if (step === syncProtocol.messageYjsSyncStep2 && !this.synced) {
          this.synced = true;
          this.failures = 0;
          this.onState('online');
        }
        if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder));
      } else if (kind === MESSAGE_AWARENESS) {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
      } else if (kind === MESSAGE_QUERY_AWARENESS) {
        this.sendAwareness([...this.awareness.getStates().keys()]);
      }
    } catch (error) {
      console.warn(`[pizhu] dropped a malformed message in room ${this.room}`, error);
    }
  }

  private send(message: Uint8Array): void {
    if (this.socket?.readyState === OPEN) this.socket.send(message);
  }

  private sendAwareness(clients: number[]): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    this.send(encoding.toUint8Array(encoder));
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    this.send(encoding.toUint8Array(encoder));
  };

  private readonly onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin === this) return;
    this.sendAwareness([...changes.added, ...changes.updated, ...changes.removed]);
  };
}
