/**
 * Errors that mean PostgreSQL or Redis cannot be reached right now (stopped, restarting, failing over), as
 * opposed to a bug. The API answers them with 503 and a word to retry, which clients already do for 503, and logs
 * them as one kind of warning instead of a failed request with a stack each.
 */

/** Socket errors of a connection that could not be made or was cut. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs for the same: class 08 (connection exception), the server shutting down or starting
 * (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now) and no connection slot left (53300).
 */
const POSTGRES_STATES = /^(08...|57P0[123]|53300)$/;

/** What `pg` and ioredis say, without a code, when a connection ends or none can be had. */
const CLIENT_MESSAGES = [
  /^Connection terminated/, // pg: the server went away mid-query, or the connect timed out
  /^timeout exceeded when trying to connect$/, // pg.Pool
  /^Connection is closed\.$/, // ioredis
];

/** Thrown without trying when a connection is known to be down, rather than wait for the client to give up. */
export class OutageError extends Error {
  override name = 'OutageError';
}

export function isOutage(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OutageError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_STATES.test(code))) return true;
    if (e.name === 'MaxRetriesPerRequestError') return true; // ioredis gave up while disconnected
    if (CLIENT_MESSAGES.some((pattern) => pattern.test(e.message))) return true;
  }
  return false;
}
