/**
 * Validates every message that reaches the background and hands it to its handler (background/root.ts). Anything
 * that is not a well-formed request from this extension is refused (`malformed_request`) and changes nothing. A
 * refusal travels as an error's code and params (errors.ts), worded by the page that asked.
 */
import { describeIssues } from '../../../shared/model/annotation.ts';
import { errorInfo, PizhuError } from '../errors.ts';
import { type Handlers, type Request, type RequestType, requestSchema, type Response } from '../messages.ts';

export async function handleRequest(handlers: Handlers, raw: unknown): Promise<Response> {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = describeIssues(parsed.error).join('; ');
    return { ok: false, error: errorInfo(new PizhuError('malformed_request', { detail }, detail)) };
  }
  try {
    return { ok: true, value: await dispatch(handlers, parsed.data) };
  } catch (error) {
    return { ok: false, error: errorInfo(error) };
  }
}

function dispatch<K extends RequestType>(handlers: Handlers, request: Request<K>): unknown {
  // Validated above, so the handler exists; the handler table itself is type-checked against the contract.
  const handler = handlers[request.type] as (request: Request<K>) => unknown;
  return handler(request);
}
