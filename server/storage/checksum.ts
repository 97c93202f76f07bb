import { createHash } from 'node:crypto';

/** SHA-256 (hex) of stored bytes that are served without being decoded first. */
export function checksumOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
