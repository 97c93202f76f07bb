/**
 * The sync server's HTTP API as the extension sees it. Every response is validated against the shared
 * contract, and every failure becomes an ApiError with a message a user can act on: the server is down,
 * the URL is not a Pizhu server, the invite code is wrong, the token was revoked.
 */
import type { z } from 'zod';
import {
  bulkSyncResponseSchema,
  errorBodySchema,
  joinResponseSchema,
  type MeResponse,
  meResponseSchema,
  pushResponseSchema,
  ticketResponseSchema,
  type BulkSyncRequest,
  type BulkSyncResponse,
  type JoinResponse,
  type PushRequest,
  type PushResponse,
  type TicketResponse,
} from '../../../shared/protocol/api.ts';

const TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Parses and checks a server URL typed by a user; throws a readable error. Returns it without a trailing slash. */
export function normaliseServerUrl(input: string): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ApiError(`"${trimmed.slice(0, 100)}" is not a URL. Example: http://127.0.0.1:8787`, 'bad-url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError('The server URL must start with http:// or https://', 'bad-url');
  }
  if (url.search || url.hash) throw new ApiError('The server URL must not have a query or fragment', 'bad-url');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function webSocketUrl(serverUrl: string): string {
  return serverUrl.replace(/^http/, 'ws');
}

export class ApiClient {
  constructor(
    readonly serverUrl: string,
    private readonly token?: string,
  ) {}

  join(inviteCode: string, displayName: string): Promise<JoinResponse> {
    return this.call('POST', '/api/join', { inviteCode, displayName }, joinResponseSchema);
  }

  me(): Promise<MeResponse> {
    return this.call('GET', '/api/me', undefined, meResponseSchema);
  }

  ticket(room: string): Promise<TicketResponse> {
    return this.call('POST', '/api/tickets', { room }, ticketResponseSchema);
  }

  bulkSync(teamId: string, request: BulkSyncRequest): Promise<BulkSyncResponse> {
    return this.call('POST', `/api/teams/${encodeURIComponent(teamId)}/sync`, request, bulkSyncResponseSchema);
  }

  push(teamId: string, request: PushRequest): Promise<PushResponse> {
    return this.call('POST', `/api/teams/${encodeURIComponent(teamId)}/push`, request, pushResponseSchema);
  }

  private async call<T extends z.ZodType>(method: string, path: string, body: unknown, schema: T): Promise<z.infer<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.serverUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new ApiError(
        timedOut
          ? `The server at ${this.serverUrl} did not answer within ${TIMEOUT_MS / 1000} s`
          : `Cannot reach the server at ${this.serverUrl}: is it running?`,
        timedOut ? 'timeout' : 'unreachable',
      );
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const parsed = errorBodySchema.safeParse(payload);
      if (parsed.success) throw new ApiError(parsed.data.error.message, parsed.data.error.code, response.status);
      throw new ApiError(
        `The server at ${this.serverUrl} answered ${response.status}; is this a Pizhu server?`,
        'bad-response',
        response.status,
      );
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new ApiError(`The server at ${this.serverUrl} sent an answer Pizhu does not understand`, 'bad-response');
    }
    return parsed.data;
  }
}
