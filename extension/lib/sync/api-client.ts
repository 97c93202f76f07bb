/**
 * The sync server's HTTP API as the extension sees it. Every response is validated against the shared
 * contract, and every failure becomes an ApiError with a code a user's message is worded from: the server is
 * down, the URL is not a Pizhu server, the invite code is wrong (the server's own code), the token was revoked.
 */
import { z } from 'zod';
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
import { type ErrorParams, errorMessage, PizhuError } from '../errors.ts';

const TIMEOUT_MS = 10_000;

/** A failed call: the server's code and params (or the extension's: unreachable, timeout…), and its HTTP status. */
export class ApiError extends PizhuError {
  constructor(
    code: string,
    params: ErrorParams = {},
    detail?: string,
    readonly status = 0,
  ) {
    super(code, params, detail);
    this.name = 'ApiError';
  }
}

/** Parses and checks a server URL typed by a user. Returns it without a trailing slash. */
export function normaliseServerUrl(input: string): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ApiError('bad_url', { input: trimmed.slice(0, 100) });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ApiError('url_scheme');
  if (url.search || url.hash || url.username || url.password) throw new ApiError('url_extra');
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

  /** Signs this browser out: the server stops accepting its token (DELETE /api/me/token answers 204). */
  async revokeToken(): Promise<void> {
    await this.call('DELETE', '/api/me/token', undefined, z.undefined());
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
      const server = this.serverUrl;
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        throw new ApiError('timeout', { server, seconds: TIMEOUT_MS / 1000 });
      }
      throw new ApiError('unreachable', { server }, errorMessage(error));
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const parsed = errorBodySchema.safeParse(payload);
      if (parsed.success) {
        const { code, params, message } = parsed.data.error;
        throw new ApiError(code, params, message, response.status);
      }
      throw new ApiError(
        'not_pizhu_server',
        { server: this.serverUrl, status: response.status },
        undefined,
        response.status,
      );
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new ApiError('unexpected_answer', { server: this.serverUrl });
    return parsed.data;
  }
}
