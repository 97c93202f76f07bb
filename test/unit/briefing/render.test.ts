/** renderBriefing in every format, the W3C JSON round trip, and sizes far beyond a normal briefing. */
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { briefingFileStem, buildBriefing, renderBriefing } from '../../../shared/briefing/index.ts';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { fromAnnotationCollection, toAnnotationCollection } from '../../../shared/model/w3c.ts';
import { generatedData, sampleData } from './sample.ts';

const sample = sampleData();

/** What another engineer's import does, at the level of the data: an empty store filled from the file. */
function importIntoEmptyStore(text: string): {
  annotations: Map<string, Annotation>;
  documents: Map<string, DocumentInfo>;
} {
  const result = fromAnnotationCollection(JSON.parse(text));
  expect(result.errors).toEqual([]);
  return {
    annotations: new Map(result.annotations.map((a) => [a.id, a])),
    documents: new Map(result.documents.map((d) => [d.key, d])),
  };
}

describe('renderBriefing', () => {
  const briefing = buildBriefing({ ...sample, options: { issueNumber: '3', date: '2024-03-07' } });

  it.each([
    ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['md', 'text/markdown; charset=utf-8'],
    ['html', 'text/html; charset=utf-8'],
    ['json', 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8'],
  ] as const)('%s: file name, type and body', async (format, mimeType) => {
    const file = await renderBriefing(briefing, format);
    expect(file.filename).toBe(`工作简报-第3期-2024-03-07.${format}`);
    expect(file.mimeType).toBe(mimeType);
    if (format === 'docx') {
      expect(file.body).toBeInstanceOf(Uint8Array);
      expect(Object.keys(unzipSync(file.body as Uint8Array))).toContain('word/document.xml');
    } else {
      expect(typeof file.body).toBe('string');
    }
  });

  it('refuses an unknown format', async () => {
    await expect(renderBriefing(briefing, 'pdf' as never)).rejects.toThrow(/Unknown briefing format "pdf"/);
  });

  it('makes file names file systems accept', () => {
    const b = buildBriefing({
      ...sample,
      options: { masthead: 'a/b:c*?"<>|d', issueNumber: '..', date: '2024-03-07' },
    });
    expect(briefingFileStem(b)).toBe('a_b_c_d-第..期-2024-03-07');
    const dots = buildBriefing({ ...sample, options: { masthead: '...', date: '2024-03-07' } });
    expect(briefingFileStem(dots)).toBe('2024-03-07');
  });
});

describe('W3C JSON round trip', () => {
  it('imports into an empty store as the same annotations and documents', async () => {
    const briefing = buildBriefing({ ...sample, anchoring: { [sample.orphanId]: 'orphan' } });
    const file = await renderBriefing(briefing, 'json');
    const store = importIntoEmptyStore(file.body as string);
    const selected = sample.annotations.filter((a) => !a.deleted && a.visibility === 'team');
    expect([...store.annotations.values()].sort(byId)).toEqual([...selected].sort(byId));
    expect([...store.documents.values()].sort(byKey)).toEqual([...sample.documents].sort(byKey));
  });

  it('marks orphaned annotations, and import ignores the mark', async () => {
    const briefing = buildBriefing({ ...sample, anchoring: { [sample.orphanId]: 'orphan' } });
    const json = JSON.parse((await renderBriefing(briefing, 'json')).body as string);
    const marked = json.first.items.filter((item: Record<string, unknown>) => item['pizhu:orphaned'] === true);
    expect(marked.map((item: { id: string }) => item.id)).toEqual([`urn:pizhu:annotation:${sample.orphanId}`]);
    expect(json.type).toBe('AnnotationCollection');
    expect(json.total).toBe(briefing.annotations.length);
  });

  it('backs up a whole store, deleted and private records included, without loss', () => {
    const text = JSON.stringify(toAnnotationCollection(sample.annotations, sample.documents));
    const store = importIntoEmptyStore(text);
    expect([...store.annotations.values()]).toEqual(sample.annotations);
    expect([...store.documents.values()]).toEqual(sample.documents);
  });

  it('exports an empty briefing as an empty collection', async () => {
    const file = await renderBriefing(buildBriefing({ annotations: [], documents: [], now: 0 }), 'json');
    expect(fromAnnotationCollection(file.body)).toEqual({ annotations: [], documents: [], errors: [] });
  });
});

describe('10,000 annotations', () => {
  const data = generatedData(10_000, 20);

  it('render in every format with every annotation in it', { timeout: 300_000 }, async () => {
    const briefing = buildBriefing({ ...data, options: { groupBy: 'document' } });
    expect(briefing.annotations).toHaveLength(10_000);

    const docx = await renderBriefing(briefing, 'docx');
    const document = strFromU8(unzipSync(docx.body as Uint8Array)['word/document.xml']!);
    for (const a of data.annotations.slice(0, 200)) expect(document).toContain(`第${a.id.slice(1)}条批注：`);
    // one link back to the page per clause (the raised source citations are internal links, without r:id)
    const links = document.match(/<w:hyperlink [^>]*r:id=/g) ?? [];
    expect(links).toHaveLength(briefing.groups.reduce((n, g) => n + g.entries.length, 0));

    const json = await renderBriefing(briefing, 'json');
    const store = importIntoEmptyStore(json.body as string);
    expect(store.annotations.size).toBe(10_000);
    expect([...store.annotations.values()].sort(byId)).toEqual([...data.annotations].sort(byId));
  });
});

function byId(a: Annotation, b: Annotation): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function byKey(a: DocumentInfo, b: DocumentInfo): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
