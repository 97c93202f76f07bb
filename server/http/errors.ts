/**
 * Errors the API returns as `{ "error": { "code", "message", "params"? } }` with their HTTP status. Codes and
 * their params are the stable list in shared/protocol/errors.ts; the message is English, for logs and scripts.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { describeIssues } from '../../shared/model/index.ts';
import type { ApiErrorCode, ErrorParams } from '../../shared/protocol/errors.ts';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly params?: ErrorParams,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, code: ApiErrorCode = 'invalid_request', params?: ErrorParams) =>
  new ApiError(400, code, message, code === 'invalid_request' ? { detail: message, ...params } : params);
export const unauthorized = (message = 'A valid bearer token is required', code: ApiErrorCode = 'unauthorized') =>
  new ApiError(401, code, message);
export const forbidden = (message: string, code: ApiErrorCode, params?: ErrorParams) =>
  new ApiError(403, code, message, params);
export const notFound = (message = 'Not found', code: ApiErrorCode = 'not_found', params?: ErrorParams) =>
  new ApiError(404, code, message, params);

export function errorResponse(c: Context, error: ApiError): Response {
  const { code, message, params } = error;
  return c.json({ error: { code, message, ...(params ? { params } : {}) } }, error.status);
}

/** Validates a value with a zod schema; a failure is a 400 listing the first problems. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what = 'request'): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(`Invalid ${what}: ${describeIssues(result.error).join('; ')}`);
  return result.data;
}

/** Reads and validates a JSON body. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let value: unknown;
  try {
    value = await c.req.json();
  } catch {
    throw badRequest('The body must be JSON', 'invalid_json');
  }
  return validate(schema, value, 'body');
}
