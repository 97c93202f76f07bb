import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClientAddresses } from '../auth/client-address.ts';
import { DEFAULT_TIMINGS } from '../config.ts';
import { silentLogger } from '../log.ts';
import { Metrics } from '../metrics.ts';
import { HttpGuard } from './http-guard.ts';

/** A socket as far as the guard looks at it: its address, destroy() and its 'close' event. */
function socketFrom(remoteAddress: string) {
  const socket = Object.assign(new EventEmitter(), {
    remoteAddress,
    destroyed: false,
    destroy() {
      socket.destroyed = true;
    },
  });
  return socket;
}

function guarded(trustedProxies: string[]) {
  const server = Object.assign(new EventEmitter(), { setTimeout() {} });
  const metrics = new Metrics();
  const guard = new HttpGuard(
    { maxConnections: 1_000, maxConnectionsPerAddress: 2 },
    new ClientAddresses(trustedProxies),
    metrics,
    silentLogger,
  );
  guard.attach(server as unknown as Server, DEFAULT_TIMINGS);
  const connect = (address: string) => {
    const socket = socketFrom(address);
    server.emit('connection', socket as unknown as Socket);
    return socket;
  };
  return { connect, metrics };
}

describe('HttpGuard per-address cap', () => {
  it('refuses a third unauthenticated connection from one address, and counts it', async () => {
    const { connect, metrics } = guarded([]);
    const sockets = [connect('198.51.100.9'), connect('198.51.100.9'), connect('198.51.100.9')];
    expect(sockets.map((s) => s.destroyed)).toEqual([false, false, true]);
    expect(connect('198.51.100.10').destroyed).toBe(false);
    expect(await metrics.value('pizhu_connections_refused_total', { reason: 'per_address' })).toBe(1);
    sockets[0]!.emit('close');
    expect(connect('198.51.100.9').destroyed).toBe(false);
  });

  it('does not cap a trusted proxy, which carries many clients', () => {
    const { connect } = guarded(['10.0.0.2']);
    const fromProxy = Array.from({ length: 10 }, () => connect('::ffff:10.0.0.2'));
    expect(fromProxy.some((s) => s.destroyed)).toBe(false);
    expect([connect('10.0.0.3'), connect('10.0.0.3'), connect('10.0.0.3')].map((s) => s.destroyed)).toEqual([
      false,
      false,
      true,
    ]);
  });
});
