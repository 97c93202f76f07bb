/**
 * The page's connection to the background, with a fake port: it says which document it shows, hands on what
 * the background sends for that document only, and after the port drops (the worker stopped) opens a new one
 * and says again which document it shows, with the content hash it has seen since.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DocumentInfo } from '../../../shared/model/annotation.ts';
import type { PagePortIn, PagePortOut, SyncStatus } from '../messages.ts';
import { BackgroundConnection, type Port } from './connection.ts';

vi.mock('wxt/browser', () => ({ browser: {} }));

const DOCUMENT: DocumentInfo = {
  key: 'doc1',
  canonicalUrl: 'http://127.0.0.1/notice',
  url: 'http://127.0.0.1/notice',
  title: '通知',
};

type FakePort = Port & { sent: PagePortIn[]; deliver(message: PagePortOut): void; drop(): void; closed: boolean };

function fakePort(): FakePort {
  const onMessage: ((message: unknown) => void)[] = [];
  const onDisconnect: (() => void)[] = [];
  const port: FakePort = {
    sent: [],
    closed: false,
    postMessage: (message) => port.sent.push(message),
    disconnect: () => {
      port.closed = true;
    },
    onMessage: { addListener: (listener) => onMessage.push(listener) },
    onDisconnect: { addListener: (listener) => onDisconnect.push(listener) },
    deliver: (message) => {
      for (const listener of onMessage) listener(message);
    },
    drop: () => {
      for (const listener of onDisconnect) listener();
    },
  };
  return port;
}

describe('BackgroundConnection', () => {
  let ports: FakePort[];
  let received: { annotations: unknown[][]; statuses: SyncStatus[]; peers: unknown[][] };
  let connection: BackgroundConnection;

  beforeEach(() => {
    vi.useFakeTimers();
    ports = [];
    received = { annotations: [], statuses: [], peers: [] };
    connection = new BackgroundConnection(
      DOCUMENT,
      {
        annotations: (annotations) => received.annotations.push(annotations),
        presence: (peers) => received.peers.push(peers),
        status: (status) => received.statuses.push(status),
      },
      () => {
        const port = fakePort();
        ports.push(port);
        return port;
      },
    );
  });

  afterEach(() => {
    connection.close();
    vi.useRealTimers();
  });

  it("says which document it shows, and hands on that document's annotations only", () => {
    connection.open();
    expect(ports[0]!.sent).toEqual([{ type: 'page.open', documentKey: 'doc1', document: DOCUMENT }]);
    ports[0]!.deliver({ type: 'status', status: { state: 'online' } });
    ports[0]!.deliver({ type: 'annotations', documentKey: 'other', annotations: [] });
    ports[0]!.deliver({ type: 'annotations', documentKey: 'doc1', annotations: [] });
    ports[0]!.deliver({ type: 'presence', peers: [{ id: 'm2', name: '李娜' }] });
    expect(received).toEqual({
      annotations: [[]],
      statuses: [{ state: 'online' }],
      peers: [[{ id: 'm2', name: '李娜' }]],
    });
  });

  it('opens a new port when the background drops it, and says again what it shows and has seen', () => {
    connection.open();
    connection.seen('hash-v2');
    expect(ports[0]!.sent.at(-1)).toEqual({ type: 'page.seen', documentKey: 'doc1', contentHash: 'hash-v2' });
    connection.seen('hash-v2');
    expect(ports[0]!.sent).toHaveLength(2);
    ports[0]!.drop();
    expect(received.statuses).toEqual([{ state: 'connecting' }]);
    vi.advanceTimersByTime(1_000);
    expect(ports).toHaveLength(2);
    expect(ports[1]!.sent).toEqual([
      { type: 'page.open', documentKey: 'doc1', document: { ...DOCUMENT, contentHash: 'hash-v2' } },
    ]);
    // a message on the old port is no longer this page's business
    ports[0]!.deliver({ type: 'status', status: { state: 'error' } });
    expect(received.statuses).toEqual([{ state: 'connecting' }]);
  });

  it('waits longer while the background keeps failing, and stops for good when closed', () => {
    connection.open();
    const gaps: number[] = [];
    for (let drop = 0; drop < 4; drop++) {
      const before = ports.length;
      ports.at(-1)!.drop();
      let waited = 0;
      while (ports.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      gaps.push(waited);
    }
    expect(gaps).toEqual([...gaps].sort((a, b) => a - b));
    expect(gaps.at(-1)).toBeGreaterThan(gaps[0]!);
    connection.close();
    expect(ports.at(-1)!.closed).toBe(true);
    ports.at(-1)!.drop();
    vi.advanceTimersByTime(60_000);
    expect(ports).toHaveLength(5);
  });

  it('says so when the extension is gone (the port cannot be opened)', () => {
    const orphaned = new BackgroundConnection(
      DOCUMENT,
      { annotations: () => {}, presence: () => {}, status: (status) => received.statuses.push(status) },
      () => {
        throw new Error('Extension context invalidated.');
      },
    );
    orphaned.open();
    expect(received.statuses).toEqual([{ state: 'error' }]);
  });
});
