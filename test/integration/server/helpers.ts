/** Shared set-up for the server's integration tests: a real server on 127.0.0.1 with a real SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import { type PizhuServer, type StartOptions, startServer } from '../../../server/index.ts';
import type { JoinResponse, TicketResponse } from '../../../shared/protocol/api.ts';
import { freshDatabase } from '../../server/services.ts';

// y-websocket registers a process exit listener per provider; tests open many.
process.setMaxListeners(200);

export type TestServer = PizhuServer & { dataDir: string; cleanup(): Promise<void> };

export function tempDir(prefix = 'pizhu-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * A server on a fresh data folder, or (in the integration-postgres project, for a test that names no data folder
 * of its own) on a fresh PostgreSQL database.
 */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  const postgres =
    process.env.PIZHU_TEST_STORE === 'postgres' && !options.dataDir
      ? { databaseUrl: await freshDatabase(inject('services').databaseUrl), redisUrl: inject('services').redisUrl }
      : {};
  const server = await startServer({ port: 0, logLevel: 'silent', ...postgres, ...options, dataDir });
  return Object.assign(server, {
    dataDir,
    async cleanup() {
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export async function api<T = unknown>(
  server: { url: string },
  method: string,
  pathname: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${pathname}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

export type Member = JoinResponse;

/** Creates a team and joins it: the first member is the owner. */
export async function createTeamWithOwner(server: PizhuServer, name = 'Team') {
  const team = await server.teams.createTeam(name);
  const owner = await join(server, team.inviteCode, `${name} owner`);
  return { ...team, owner };
}

export async function join(server: { url: string }, inviteCode: string, displayName: string): Promise<Member> {
  const res = await api<Member>(server, 'POST', '/api/join', { body: { inviteCode, displayName } });
  if (res.status !== 201) throw new Error(`join failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function addMember(
  server: PizhuServer,
  teamId: string,
  role: 'editor' | 'viewer' | 'owner',
  name: string,
) {
  const invite = await server.teams.createInvite(teamId, { role });
  return join(server, invite.inviteCode, name);
}

export async function ticketFor(server: { url: string }, token: string, room: string): Promise<string> {
  const res = await api<TicketResponse>(server, 'POST', '/api/tickets', { token, body: { room } });
  if (res.status !== 201) {
    throw Object.assign(new Error(`ticket failed: ${res.status} ${JSON.stringify(res.body)}`), { status: res.status });
  }
  return res.body.ticket;
}

/** A stock y-websocket client; fetches a fresh ticket before every (re)connect, retrying until it has one. */
export async function connectProvider(
  server: { url: string; wsUrl: string },
  token: string,
  room: string,
  doc: Y.Doc,
): Promise<WebsocketProvider> {
  const provider = new WebsocketProvider(server.wsUrl, room, doc, {
    params: { ticket: await ticketFor(server, token, room) },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: true,
    maxBackoffTime: 200,
  });
  let destroyed = false;
  const destroy = provider.destroy.bind(provider);
  provider.destroy = () => {
    destroyed = true;
    destroy();
  };
  // Tickets are single use: the next one is fetched before the provider reconnects. A refused or failed fetch
  // (a throttled member's 429, an instance going away) is tried again with backoff, as the extension does.
  const reconnect = async () => {
    for (let wait = 100; !destroyed; wait = Math.min(wait * 2, 1_000)) {
      try {
        const ticket = await ticketFor(server, token, room);
        if (destroyed) return;
        provider.params = { ticket };
        if (!provider.wsconnected && !provider.wsconnecting) provider.connect();
        return;
      } catch (error) {
        // Signed out for good (a revoked token, a removed member): stay closed, as the extension does.
        const status = (error as { status?: number }).status ?? 0;
        if (status >= 400 && status < 500 && status !== 429) return;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  provider.on('connection-close', (event) => {
    // A local disconnect (shouldConnect already false) or a permanent refusal (4400-4499): stay closed.
    if (!provider.shouldConnect || (event && event.code >= 4400 && event.code < 4500)) return;
    provider.shouldConnect = false;
    void reconnect();
  });
  await waitFor(() => provider.synced, 10_000, `provider for ${room} never synced`);
  return provider;
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  message = 'condition not met',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${message}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** How many messages the in-process server refused for `reason` (pizhu_rejected_messages_total). */
export function refusedCount(server: PizhuServer, reason: string): Promise<number> {
  return server.metrics.value('pizhu_rejected_messages_total', { reason });
}

/** Polls an async read until it satisfies `check`; returns the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last value: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw `ws` client that records messages and how it was closed (or why the upgrade was refused). */
export type RawClient = {
  ws: WebSocket;
  messages: Uint8Array[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  refused: Promise<number | null>;
};

export function openRaw(
  server: { wsUrl: string },
  room: string,
  ticket: string | null,
  headers: Record<string, string> = {},
): RawClient {
  const url = `${server.wsUrl}/${room}${ticket === null ? '' : `?ticket=${encodeURIComponent(ticket)}`}`;
  const ws = new WebSocket(url, { headers });
  const messages: Uint8Array[] = [];
  let resolveRefused!: (status: number | null) => void;
  const refused = new Promise<number | null>((resolve) => (resolveRefused = resolve));
  ws.on('unexpected-response', (_req, res) => {
    resolveRefused(res.statusCode ?? 0);
    ws.terminate();
  });
  ws.on('error', () => {});
  ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
  const opened = new Promise<void>((resolve) =>
    ws.once('open', () => {
      resolveRefused(null);
      resolve();
    }),
  );
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, messages, opened, closed, refused };
}
