/**
 * Issue 15, finding 3: connections that never finish a request must not use up the server. About 20,000
 * half-open connections filled the process's file descriptors and every new connection was refused, with nothing
 * logged. Scaled here: at most 50 unauthenticated connections per address and 150 in all, a 1.5 s header timeout.
 * Real TCP sockets against the server process; the attacker connects from 127.0.0.2 (and .3, .4, .5), the healthy
 * client from 127.0.0.1. Dead WebSocket peers are dropped by the heartbeat.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { roomIdFor } from '../../../shared/model/index.ts';
import { api, eventually, join, type Member, ticketFor } from '../server/helpers.ts';
import { metric, type ServerProcess, startServerProcess } from './server-process.ts';

let server: ServerProcess;
let port: number;
let member: Member;

/** Opens `count` connections from `address` that send part of a request and then nothing. */
async function halfOpen(address: string, count: number) {
  const sockets: net.Socket[] = [];
  const closed: Promise<void>[] = [];
  await Promise.all(
    Array.from({ length: count }, () => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: address });
      socket.on('error', () => {});
      // Reads (and drops) what the server says, so it sees the server close the connection.
      socket.resume();
      sockets.push(socket);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
      return new Promise<void>((resolve) => {
        socket.once('connect', () => {
          socket.write('GET /health HTTP/1.1\r\nHost: pizhu\r\n');
          resolve();
        });
        socket.once('close', () => resolve());
      });
    }),
  );
  const open = () => sockets.filter((s) => !s.destroyed).length;
  return { sockets, closed, open };
}

beforeAll(async () => {
  server = await startServerProcess({
    PIZHU_MAX_CONNECTIONS_PER_ADDRESS: '50',
    PIZHU_MAX_CONNECTIONS: '150',
    PIZHU_HEADERS_TIMEOUT_MS: '1500',
    PIZHU_PING_INTERVAL_MS: '500',
  });
  port = Number(new URL(server.url).port);
  member = await join(server, server.inviteCode, '组长');
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('slow and dead connections', () => {
  it('refuses half-open connections past the per-address cap, answers others, closes the rest on time', async () => {
    const attack = await halfOpen('127.0.0.2', 200);
    // The 150 over the cap are closed at once; 50 are held until their headers time out.
    await eventually(
      async () => attack.open(),
      (open) => open <= 50,
      10_000,
    );
    expect(attack.open()).toBe(50);
    const started = performance.now();
    const health = await api(server, 'GET', '/health');
    expect(health.status).toBe(200);
    console.log(`healthy request answered in ${(performance.now() - started).toFixed(0)} ms during the attack`);
    await Promise.all(attack.closed);
    expect(await metric(server, 'pizhu_connections_refused_total', '{reason="per_address"}')).toBe(150);
    expect(await metric(server, 'pizhu_connections_refused_total', '{reason="timeout"}')).toBe(50);
    expect(server.output()).toMatch(
      /refused:per_address: connection from 127\.0\.0\.2 refused: 50 unauthenticated connections from it are open/,
    );
    expect(server.output()).toMatch(/refused:timeout: connection from 127\.0\.0\.2 closed: request too slow/);
  });

  it('caps connections in all, logs the ones it drops, and serves again once they time out', async () => {
    const attacks = await Promise.all(['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'].map((a) => halfOpen(a, 45)));
    await eventually(
      async () => attacks.reduce((sum, a) => sum + a.open(), 0),
      (open) => open <= 150,
      10_000,
    );
    await eventually(
      () => metric(server, 'pizhu_connections_refused_total', '{reason="max_connections"}'),
      (dropped) => dropped >= 25,
      10_000,
    );
    expect(server.output()).toMatch(/refused:max_connections: connection from 127\.0\.0\.\d refused: 150 connections/);
    for (const attack of attacks) await Promise.all(attack.closed);
    expect((await api(server, 'GET', '/health')).status).toBe(200);
  });

  it('drops a WebSocket peer that stops answering pings, and keeps one that answers', async () => {
    const room = roomIdFor(server.teamId, 'heartbeat');
    const open = async (autoPong: boolean) => {
      const socket = new WebSocket(`${server.wsUrl}/${room}?ticket=${await ticketFor(server, member.token, room)}`, {
        autoPong,
      });
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      await new Promise((resolve) => socket.once('open', resolve));
      return { socket, closed };
    };
    const dead = await open(false);
    const alive = await open(true);
    // Two ping intervals without an answer: the server cuts the connection.
    expect(await dead.closed).toBe(1006);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
    expect(await metric(server, 'pizhu_rejected_messages_total', '{reason="dead_peer"}')).toBe(1);
    expect(await metric(server, 'pizhu_connections')).toBe(1);
    expect(server.output()).toMatch(/dead_peer: room \S+ member \S+: no answer to the ping; dropped/);
    alive.socket.close();
  });
});
