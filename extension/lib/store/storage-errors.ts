/**
 * Storage failures as errors a user can act on (`storage_full`: free space; `storage_failed`). A full disk or an
 * exhausted browser quota surfaces from IndexedDB as QuotaExceededError (sometimes wrapped by Dexie in an
 * AbortError or a BulkError); the transaction is rolled back, so everything stored before stays as it was.
 */
import { errorMessage, PizhuError } from '../errors.ts';

export class StorageFullError extends PizhuError {
  constructor(what: string) {
    super('storage_full', {}, `The browser has no more room to save ${what}; nothing already saved was lost`);
    this.name = 'StorageFullError';
  }
}

export class StorageError extends PizhuError {
  constructor(what: string, cause: unknown) {
    super('storage_failed', {}, `Could not save ${what}: ${errorMessage(cause)}`);
    this.name = 'StorageError';
  }
}

export function isQuotaError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { name?: unknown; inner?: unknown; cause?: unknown; failures?: unknown };
  if (e.name === 'QuotaExceededError') return true;
  if (isQuotaError(e.inner, depth + 1) || isQuotaError(e.cause, depth + 1)) return true;
  return Array.isArray(e.failures) && e.failures.some((f) => isQuotaError(f, depth + 1));
}

/** Turns a failed write into StorageFullError or StorageError; validation errors pass through unchanged. */
export function toStorageError(error: unknown, what: string): Error {
  if (error instanceof StorageFullError || error instanceof StorageError) return error;
  if (isQuotaError(error)) return new StorageFullError(what);
  if (error instanceof Error && error.name === 'ValidationError') return error;
  return new StorageError(what, error);
}
