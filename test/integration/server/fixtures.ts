/** Annotation records and Yjs helpers shared by the server's integration tests. */
import * as Y from 'yjs';
import type { Annotation } from '../../../shared/model/index.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';

export function annotation(
  id: string,
  teamId: string,
  documentKey: string,
  extra: Partial<Annotation> = {},
): Annotation {
  return sampleAnnotation({ id, teamId, documentKey, ...extra });
}

export function sameState(a: Y.Doc, b: Y.Doc): boolean {
  return Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b)));
}

/** JSON with object keys sorted: Y.Map iteration order differs between replicas holding the same content. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
