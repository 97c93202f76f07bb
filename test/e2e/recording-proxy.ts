/**
 * A recording proxy put between one browser profile and the real server, on its own loopback port. The
 * profile joins the team through the proxy's URL, so every HTTP request and WebSocket frame its service worker
 * sends passes here (Playwright's request and websocket events do not see service-worker traffic reliably).
 * It records each HTTP request body and each client-to-server WebSocket frame (unmasked payloads, i.e. what the
 * server receives), and can cut the profile off the network: `offline = true` drops open connections and
 * refuses new ones, as a lost connection would, while the server and the other profile carry on.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export type RecordedRequest = { method: string; path: string; status: number; body: Buffer };

export class RecordingProxy {
  readonly requests: RecordedRequest[] = [];
  readonly frames: Buffer[] = [];
  url = '';
  private offlineFlag = false;
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly upstream: URL;

  constructor(upstream: string) {
    this.upstream = new URL(upstream);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (this.offlineFlag) return void req.socket.destroy();
        const body = Buffer.concat(chunks);
        const forward = httpRequest(
          {
            host: this.upstream.hostname,
            port: this.upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: this.upstream.host },
          },
          (answer) => {
            this.requests.push({ method: req.method ?? '', path: req.url ?? '', status: answer.statusCode ?? 0, body });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        forward.end(body);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) => this.relay(req, socket as Socket, head));
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get offline(): boolean {
    return this.offlineFlag;
  }

  set offline(value: boolean) {
    this.offlineFlag = value;
    if (!value) return;
    for (const client of this.wss.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
  }

  /** Everything the profile sent, as bytes: request bodies, base64 payloads inside them decoded, frames. */
  sentBytes(): Buffer {
    const parts: Buffer[] = [];
    for (const request of this.requests) {
      parts.push(Buffer.from(`${request.method} ${request.path}\n`), request.body);
      for (const match of request.body.toString('utf8').matchAll(/"([A-Za-z0-9+/]{8,}={0,2})"/g)) {
        parts.push(Buffer.from(match[1]!, 'base64'));
      }
    }
    parts.push(...this.frames);
    return Buffer.concat(parts);
  }

  async stop(): Promise<void> {
    this.offline = true;
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private relay(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (this.offlineFlag) return void socket.destroy();
    const target = `ws://${this.upstream.host}${req.url ?? '/'}`;
    const upstream = new WebSocket(target, {
      headers: req.headers.origin ? { origin: req.headers.origin } : {},
    });
    upstream.on('error', () => socket.destroy());
    upstream.on('unexpected-response', (_request, response) => {
      this.requests.push({
        method: 'WS',
        path: req.url ?? '',
        status: response.statusCode ?? 0,
        body: Buffer.alloc(0),
      });
      socket.destroy();
    });
    upstream.on('open', () => {
      this.requests.push({ method: 'WS', path: req.url ?? '', status: 101, body: Buffer.alloc(0) });
      // The server may speak first: hold its messages until the browser's side of the relay is ready.
      const early: { data: Buffer; binary: boolean }[] = [];
      let client: WebSocket | null = null;
      upstream.on('message', (data: Buffer, binary) => {
        if (!client) early.push({ data, binary });
        else if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
      });
      upstream.on('close', (code, reason) => {
        if (client?.readyState === WebSocket.OPEN) client.close(code === 1005 || code === 1006 ? 1011 : code, reason);
      });
      this.wss.handleUpgrade(req, socket, head, (accepted) => {
        client = accepted;
        accepted.on('message', (data: Buffer, binary) => {
          this.frames.push(Buffer.from(data));
          if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
        });
        accepted.on('close', (code, reason) => upstream.close(code === 1005 || code === 1006 ? 1000 : code, reason));
        for (const { data, binary } of early.splice(0)) accepted.send(data, { binary });
      });
    });
  }
}
