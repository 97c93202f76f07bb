import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createAdaptorServer, upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Connection } from '../sync/connection.ts';
import { listenDirectly } from './sync-route.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

type Received = { frames: Parameters<Connection['receive']>[0][]; closed: number };

/** A Hono app on @hono/node-server's WebSocket support, as the sync route uses it; listenDirectly takes over. */
async function startUpgradeServer() {
  const wss = new WebSocketServer({ noServer: true });
  const received: Received = { frames: [], closed: 0 };
  const contexts: WeakRef<object>[] = [];
  const app = new Hono();
  app.get(
    '/ws',
    upgradeWebSocket((c) => {
      contexts.push(new WeakRef(c));
      return {
        onOpen(_event, ws) {
          listenDirectly(ws.raw as WebSocket, {
            receive: (frame) => received.frames.push(frame),
            onSocketClosed: () => received.closed++,
            onPong: () => {},
          });
        },
      };
    }),
  );
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: wss } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    wss,
    received,
    contexts,
    url: `ws://127.0.0.1:${port}/ws`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function openClient(url: string): Promise<WebSocket> {
  const client = new WebSocket(url);
  await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  return client;
}

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
};

describe('listenDirectly', () => {
  let stop: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await stop?.();
    stop = null;
  });

  it('delivers binary frames as Buffers and text as strings, and reports the close', async () => {
    const server = await startUpgradeServer();
    stop = server.close;
    const client = await openClient(server.url);
    client.send(Uint8Array.of(0, 1, 2));
    client.send('text');
    await waitFor(() => server.received.frames.length === 2);
    expect(Buffer.isBuffer(server.received.frames[0])).toBe(true);
    expect([...(server.received.frames[0] as Buffer)]).toEqual([0, 1, 2]);
    expect(server.received.frames[1]).toBe('text');
    client.close();
    await waitFor(() => server.received.closed === 1 && server.wss.clients.size === 0);
  });

  it('leaves one listener per event on the socket, so an open socket does not keep its upgrade request alive', async () => {
    const server = await startUpgradeServer();
    stop = server.close;
    const clients = await Promise.all([openClient(server.url), openClient(server.url)]);
    await waitFor(() => server.wss.clients.size === 2);
    for (const socket of server.wss.clients) {
      expect(socket.listenerCount('message')).toBe(1);
      expect(socket.listenerCount('error')).toBe(1);
      // ours and ws's client tracking (wss.clients), which must stay
      expect(socket.listenerCount('close')).toBe(2);
    }
    collectGarbage();
    await new Promise((r) => setTimeout(r, 0));
    collectGarbage();
    expect(server.contexts).toHaveLength(2);
    expect(server.contexts.filter((context) => context.deref() !== undefined)).toHaveLength(0);
    for (const client of clients) client.close();
    await waitFor(() => server.received.closed === 2 && server.wss.clients.size === 0);
  });
});
