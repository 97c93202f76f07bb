/**
 * Limits on the HTTP server itself, against connections that hold file descriptors without ever finishing a
 * request (slowloris): the request headers must arrive within `headersTimeoutMs` and the request within
 * `requestTimeoutMs`, idle connections close after `idleConnectionMs` (kept-alive ones after `keepAliveMs`), at
 * most `maxConnections` are open (Node's own cap, which refuses the rest) and at most `maxConnectionsPerAddress`
 * from one client address, not counting the WebSockets that authenticated (the sync route tells this guard) nor
 * the connections of a trusted reverse proxy (it carries many clients; it limits them itself).
 * Every refusal and timeout is counted in /metrics and logged (rate-limited).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientAddresses } from '../auth/client-address.ts';
import type { Limits, Timings } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';

type GuardLimits = Pick<Limits, 'maxConnections' | 'maxConnectionsPerAddress'>;
type GuardTimings = Pick<Timings, 'headersTimeoutMs' | 'requestTimeoutMs' | 'idleConnectionMs' | 'keepAliveMs'>;

/** Node checks headers and request timeouts at this interval; a fraction of the timeout keeps them close to it. */
const CHECK_FRACTION = 4;

export class HttpGuard {
  private readonly perAddress = new Map<string, number>();
  /** Sockets counted against their address (unauthenticated). */
  private readonly counted = new WeakMap<Socket, string>();

  constructor(
    private readonly limits: GuardLimits,
    private readonly addresses: ClientAddresses,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** The Node server options that bound how long a request may take to arrive. */
  static serverOptions(timings: GuardTimings) {
    return {
      headersTimeout: timings.headersTimeoutMs,
      requestTimeout: Math.max(timings.requestTimeoutMs, timings.headersTimeoutMs),
      keepAliveTimeout: timings.keepAliveMs,
      connectionsCheckingInterval: Math.max(50, Math.floor(timings.headersTimeoutMs / CHECK_FRACTION)),
    };
  }

  attach(server: Server, timings: GuardTimings): void {
    server.maxConnections = this.limits.maxConnections;
    server.setTimeout(timings.idleConnectionMs);
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('drop', (data?: { remoteAddress?: string }) => {
      this.metrics.refuseConnection('max_connections');
      this.log.warn(
        'refused:max_connections',
        `connection from ${data?.remoteAddress ?? 'unknown'} refused: ${this.limits.maxConnections} connections are open`,
      );
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.onClientError(error, socket));
  }

  /** An authenticated WebSocket: it no longer counts against its address. */
  authenticated(socket: Socket): void {
    this.uncount(socket);
  }

  get connectionsFromAddresses(): number {
    let total = 0;
    for (const n of this.perAddress.values()) total += n;
    return total;
  }

  private onConnection(socket: Socket): void {
    if (this.addresses.isTrustedProxy(socket.remoteAddress)) return;
    const address = socket.remoteAddress ?? 'unknown';
    const count = (this.perAddress.get(address) ?? 0) + 1;
    if (count > this.limits.maxConnectionsPerAddress) {
      this.metrics.refuseConnection('per_address');
      this.log.warn(
        'refused:per_address',
        `connection from ${address} refused: ${this.limits.maxConnectionsPerAddress} unauthenticated connections from it are open`,
      );
      socket.destroy();
      return;
    }
    this.perAddress.set(address, count);
    this.counted.set(socket, address);
    socket.once('close', () => this.uncount(socket));
  }

  private uncount(socket: Socket): void {
    const address = this.counted.get(socket);
    if (address === undefined) return;
    this.counted.delete(socket);
    const count = (this.perAddress.get(address) ?? 1) - 1;
    if (count > 0) this.perAddress.set(address, count);
    else this.perAddress.delete(address);
  }

  /** Node's default answers, plus a count and a log line for timeouts (the slow connections of a slowloris). */
  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timeout) {
      this.metrics.refuseConnection('timeout');
      this.log.warn('refused:timeout', `connection from ${socket.remoteAddress ?? 'unknown'} closed: request too slow`);
    }
    if (socket.writable && socket.bytesWritten === 0 && error.code !== 'ECONNRESET') {
      socket.write(`HTTP/1.1 ${statusOf(error.code)}\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy();
  }
}

function statusOf(code: string | undefined): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}
