/**
 * The briefing's annotations as a W3C Web Annotation collection (see shared/model/w3c.ts): imports back into
 * an empty store as the same annotations and documents. Orphaned annotations carry "pizhu:orphaned": true,
 * which import ignores.
 */
import { toAnnotationCollection } from '../model/w3c.ts';
import type { Briefing } from './model.ts';

export function renderJson(b: Briefing): string {
  const collection = toAnnotationCollection(b.annotations, b.documents, {
    label: b.header.title,
    generated: b.generatedAt,
  });
  const orphaned = new Set(
    b.groups.flatMap((g) => g.entries.flatMap((e) => e.notes.filter((n) => n.orphaned).map((n) => n.annotationId))),
  );
  const items = collection.first.items.map((item, i) =>
    orphaned.has(b.annotations[i]!.id) ? { ...item, 'pizhu:orphaned': true } : item,
  );
  return `${JSON.stringify({ ...collection, first: { ...collection.first, items } }, null, 2)}\n`;
}
