/** The team library's numbers: documents with their annotation counts, tags with counts, clauses by tag. */
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';

export type DocumentSummary = DocumentInfo & { annotations: number; tags: number; lastAt: number };

export function summariseDocuments(
  documents: readonly DocumentInfo[],
  annotations: readonly Annotation[],
): DocumentSummary[] {
  const byDocument = new Map<string, { count: number; tags: Set<string>; lastAt: number }>();
  for (const annotation of annotations) {
    if (annotation.deleted || annotation.replyTo) continue;
    const entry = byDocument.get(annotation.documentKey) ?? { count: 0, tags: new Set<string>(), lastAt: 0 };
    entry.count++;
    for (const tag of annotation.tags) entry.tags.add(tag);
    entry.lastAt = Math.max(entry.lastAt, annotation.updatedAt);
    byDocument.set(annotation.documentKey, entry);
  }
  return documents
    .filter((d) => byDocument.has(d.key))
    .map((d) => {
      const entry = byDocument.get(d.key)!;
      return { ...d, annotations: entry.count, tags: entry.tags.size, lastAt: entry.lastAt };
    })
    .sort((a, b) => b.lastAt - a.lastAt);
}

export function tagCounts(annotations: readonly Annotation[]): { tag: string; count: number; documents: number }[] {
  const counts = new Map<string, { count: number; documents: Set<string> }>();
  for (const annotation of annotations) {
    if (annotation.deleted) continue;
    for (const tag of annotation.tags) {
      const entry = counts.get(tag) ?? { count: 0, documents: new Set<string>() };
      entry.count++;
      entry.documents.add(annotation.documentKey);
      counts.set(tag, entry);
    }
  }
  return [...counts]
    .map(([tag, { count, documents }]) => ({ tag, count, documents: documents.size }))
    .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag, 'zh-CN'));
}

export type TaggedClauses = { document: DocumentInfo | null; documentKey: string; items: Annotation[] }[];

/** Every annotation carrying `tag`, grouped by document (most annotated first), in clause order inside one. */
export function clausesWithTag(
  tag: string,
  annotations: readonly Annotation[],
  documents: readonly DocumentInfo[],
): TaggedClauses {
  const byKey = new Map(documents.map((d) => [d.key, d]));
  const groups = new Map<string, Annotation[]>();
  for (const annotation of annotations) {
    if (annotation.deleted || !annotation.tags.includes(tag)) continue;
    groups.set(annotation.documentKey, [...(groups.get(annotation.documentKey) ?? []), annotation]);
  }
  return [...groups]
    .map(([documentKey, items]) => ({
      documentKey,
      document: byKey.get(documentKey) ?? null,
      items: items.sort((a, b) => positionOf(a) - positionOf(b)),
    }))
    .sort((a, b) => b.items.length - a.items.length);
}

function positionOf(annotation: Annotation): number {
  const position = annotation.selectors.find((s) => s.type === 'TextPositionSelector');
  return position && 'start' in position ? position.start : Number.MAX_SAFE_INTEGER;
}

/** A link that opens the page and the highlight in it (the content script resolves "#pizhu=<id>"). */
export function highlightLink(url: string, annotationId: string): string {
  return `${url.split('#', 1)[0]}#pizhu=${annotationId}`;
}
