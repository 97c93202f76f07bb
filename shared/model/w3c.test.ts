import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Annotation,
  COLORS,
  type DocumentInfo,
  parseAnnotation,
  ValidationError,
  VISIBILITIES,
} from './annotation.ts';
import { documentKeyFor } from './canonical-url.ts';
import { hashText } from './hash.ts';
import { fromAnnotationCollection, fromW3CAnnotation, toAnnotationCollection, toW3CAnnotation } from './w3c.ts';

const url = 'https://www.gov.cn/zhengce/content/2019-02/13/content_5365341.htm';
const doc: DocumentInfo = {
  key: documentKeyFor(url),
  canonicalUrl: 'gov.cn/zhengce/content/2019-02/13/content_5365341.htm',
  url,
  title: '国务院关于印发国家职业教育改革实施方案的通知',
  issuer: '国务院',
  docNumber: '国发〔2019〕4号',
  publishedAt: '2019-02-13',
  language: 'zh-CN',
  contentHash: 'abc123',
  readAt: 1_700_000_000_000,
};

function annotation(overrides: Partial<Annotation> = {}): Annotation {
  return parseAnnotation({
    id: 'a1',
    documentKey: doc.key,
    teamId: 'team-1',
    selectors: [
      { type: 'TextQuoteSelector', exact: '完善学历教育与培训并重的现代职业教育体系', prefix: '一、', suffix: '。' },
      { type: 'TextPositionSelector', start: 120, end: 140 },
      { type: 'ClauseSelector', path: ['一、', '（二）'], hash: 'h1' },
    ],
    clausePath: ['一、', '（二）'],
    quote: '完善学历教育与培训并重的现代职业教育体系',
    tags: ['职业教育', '培训'],
    note: '建议结合本地实际。',
    color: 'green',
    author: { id: 'u-zhang', name: '张三' },
    visibility: 'team',
    replyTo: null,
    createdAt: 1_700_000_000_123,
    updatedAt: 1_700_000_100_456,
    deleted: false,
    ...overrides,
  });
}

function roundTrip(annotations: Annotation[], documents: DocumentInfo[]) {
  const text = JSON.stringify(toAnnotationCollection(annotations, documents));
  return fromAnnotationCollection(JSON.parse(text));
}

describe('toW3CAnnotation', () => {
  it('writes a W3C annotation with tagging and commenting bodies, selectors and extension properties', () => {
    const w = toW3CAnnotation(annotation(), doc);
    expect(w['@context']?.[0]).toBe('http://www.w3.org/ns/anno.jsonld');
    expect(w.type).toBe('Annotation');
    expect(w.id).toBe('urn:pizhu:annotation:a1');
    expect(w.motivation).toBe('commenting');
    expect(w.created).toBe('2023-11-14T22:13:20.123Z');
    expect(w.creator).toEqual({ id: 'urn:pizhu:member:u-zhang', type: 'Person', name: '张三' });
    expect(w.body).toEqual([
      { type: 'TextualBody', purpose: 'commenting', value: '建议结合本地实际。', format: 'text/plain' },
      { type: 'TextualBody', purpose: 'tagging', value: '职业教育' },
      { type: 'TextualBody', purpose: 'tagging', value: '培训' },
    ]);
    expect(w.target.source).toBe(url);
    expect(w.target.selector.map((s) => s.type)).toEqual([
      'TextQuoteSelector',
      'TextPositionSelector',
      'pizhu:ClauseSelector',
    ]);
    expect(w['pizhu:clausePath']).toEqual(['一、', '（二）']);
    expect(w['pizhu:color']).toBe('green');
    expect(w['pizhu:quote']).toBeUndefined();
  });

  it('marks a reply with purpose "replying" and links the parent by IRI', () => {
    const w = toW3CAnnotation(annotation({ id: 'r1', replyTo: 'a1', tags: [] }), doc);
    expect(w.motivation).toBe('replying');
    expect(w.body).toEqual([
      { type: 'TextualBody', purpose: 'replying', value: '建议结合本地实际。', format: 'text/plain' },
    ]);
    expect(w['pizhu:replyTo']).toBe('urn:pizhu:annotation:a1');
  });

  it('links an annotation carried over from an earlier version to the one it came from', () => {
    const w = toW3CAnnotation(annotation({ id: 'c1', carriedFrom: { id: 'a0', documentKey: 'oldDoc' } }), doc);
    expect(w['pizhu:carriedFrom']).toEqual({ id: 'urn:pizhu:annotation:a0', 'pizhu:documentKey': 'oldDoc' });
    expect(fromW3CAnnotation(JSON.parse(JSON.stringify(w))).carriedFrom).toEqual({ id: 'a0', documentKey: 'oldDoc' });
    expect(toW3CAnnotation(annotation(), doc)).not.toHaveProperty('pizhu:carriedFrom');
  });

  it('names the document by key when its metadata is unknown', () => {
    const w = toW3CAnnotation(annotation({ documentKey: 'unknownDoc' }));
    expect(w.target.source).toBe('urn:pizhu:document:unknownDoc');
    expect(fromW3CAnnotation(w).documentKey).toBe('unknownDoc');
  });
});

describe('round trip', () => {
  it('gives back every field of annotations and documents, deleted records and replies included', () => {
    const annotations = [
      annotation(),
      annotation({
        id: 'r1',
        replyTo: 'a1',
        note: '同意，另需注意经费。',
        tags: [],
        author: { id: 'u-li', name: '李四' },
      }),
      annotation({ id: 'd1', deleted: true, note: '', tags: [], color: 'pink', visibility: 'private', teamId: null }),
      annotation({ id: 'q1', quote: '与选择器不同的引文', note: '' }),
      annotation({
        id: 'o1',
        documentKey: 'otherDoc',
        selectors: [{ type: 'ClauseSelector', path: [], hash: 'x' }],
        clausePath: [],
        quote: '',
      }),
      annotation({ id: 'c1', carriedFrom: { id: 'a1', documentKey: 'previousYear' } }),
    ];
    const other: DocumentInfo = {
      key: 'spare',
      canonicalUrl: 'example.org/a',
      url: 'https://example.org/a',
      title: '',
    };
    const back = roundTrip(annotations, [doc, other]);
    expect(back.errors).toEqual([]);
    expect(back.annotations).toEqual(annotations);
    expect(back.documents).toEqual([doc, other]);
  });

  it('holds for any valid annotation (property test)', () => {
    const label = fc.string({ minLength: 1, maxLength: 8 });
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
    const time = fc.integer({ min: 0, max: 8.64e15 });
    const arbitrary = fc
      .record({
        id,
        documentKey: fc.constantFrom(doc.key, 'k2'),
        teamId: fc.option(id, { nil: null }),
        quote: fc.string({ maxLength: 40 }),
        exact: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
        position: fc.option(fc.tuple(fc.nat(1000), fc.nat(1000)), { nil: undefined }),
        path: fc.array(label, { maxLength: 4 }),
        tags: fc.uniqueArray(fc.stringMatching(/^[a-z\u4e00-\u4e10]{1,6}$/), { maxLength: 4 }),
        note: fc.string({ maxLength: 60 }),
        color: fc.constantFrom(...COLORS),
        visibility: fc.constantFrom(...VISIBILITIES),
        replyTo: fc.option(id, { nil: null }),
        carriedFrom: fc.option(fc.record({ id, documentKey: id }), { nil: undefined }),
        created: time,
        updated: time,
        deleted: fc.boolean(),
        author: fc.record({ id, name: fc.stringMatching(/^[A-Za-z\u4e00-\u4e10]{1,10}$/) }),
      })
      .map((r) =>
        parseAnnotation({
          id: r.id,
          documentKey: r.documentKey,
          teamId: r.teamId,
          selectors: [
            ...(r.exact ? [{ type: 'TextQuoteSelector', exact: r.exact }] : []),
            ...(r.position
              ? [{ type: 'TextPositionSelector', start: Math.min(...r.position), end: Math.max(...r.position) }]
              : []),
            { type: 'ClauseSelector', path: r.path, hash: 'h' },
          ],
          clausePath: r.path,
          quote: r.quote,
          tags: r.tags,
          note: r.note,
          color: r.color,
          author: r.author,
          visibility: r.visibility,
          replyTo: r.replyTo,
          ...(r.carriedFrom ? { carriedFrom: r.carriedFrom } : {}),
          createdAt: r.created,
          updatedAt: r.updated,
          deleted: r.deleted,
        }),
      );
    fc.assert(
      fc.property(fc.uniqueArray(arbitrary, { selector: (a) => a.id, maxLength: 5 }), (annotations) => {
        const back = roundTrip(annotations, [doc]);
        expect(back.errors).toEqual([]);
        expect(back.annotations).toEqual(annotations);
        for (const a of annotations)
          expect(fromW3CAnnotation(JSON.parse(JSON.stringify(toW3CAnnotation(a, doc))))).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('an empty collection is valid and imports to nothing', () => {
    const collection = toAnnotationCollection([], []);
    expect(collection.type).toBe('AnnotationCollection');
    expect(collection.total).toBe(0);
    expect(fromAnnotationCollection(collection)).toEqual({ annotations: [], documents: [], errors: [] });
  });
});

describe('fromW3CAnnotation: bad input', () => {
  const valid = () => JSON.parse(JSON.stringify(toW3CAnnotation(annotation(), doc)));

  it.each([
    ['not an object', () => 42, /Invalid W3C annotation/],
    ['no target', () => ({ ...valid(), target: undefined }), /target/],
    [
      'no usable selector',
      () => ({ ...valid(), target: { source: url, selector: [{ type: 'XPathSelector', value: '/p' }] } }),
      /no TextQuoteSelector/,
    ],
    ['a bad date', () => ({ ...valid(), created: 'yesterday' }), /created: not a date-time/],
    ['a bad colour', () => ({ ...valid(), 'pizhu:color': 'red' }), /color/],
    ['a body by IRI', () => ({ ...valid(), body: 'http://example.org/body' }), /body\.0: a body given only by IRI/],
    [
      'a non-text body',
      () => ({ ...valid(), body: [{ type: 'Image', id: 'http://x/y.png', value: '' }] }),
      /only TextualBody/,
    ],
    ['a creator without a name', () => ({ ...valid(), creator: { id: 'urn:pizhu:member:x' } }), /author\.name/],
    ['two targets', () => ({ ...valid(), target: [valid().target, valid().target] }), /exactly one target/],
    [
      'an end before the start',
      () => ({ ...valid(), target: { source: url, selector: [{ type: 'TextPositionSelector', start: 9, end: 2 }] } }),
      /target\.selector\.0/,
    ],
    [
      'a source that is not http',
      () => ({
        ...valid(),
        'pizhu:documentKey': undefined,
        target: { source: 'ftp://x/y', selector: valid().target.selector },
      }),
      /target\.source/,
    ],
  ])('refuses %s with a readable error', (_name, make, message) => {
    expect(() => fromW3CAnnotation(make())).toThrow(ValidationError);
    expect(() => fromW3CAnnotation(make())).toThrow(message);
  });

  it('reads an annotation written by another tool, with documented defaults', () => {
    const foreign = {
      '@context': 'http://www.w3.org/ns/anno.jsonld',
      id: 'https://hypothes.is/a/Xy-12',
      type: 'Annotation',
      created: '2024-03-05T10:20:00+08:00',
      creator: { id: 'acct:zhang@hypothes.is', name: 'Zhang' },
      body: [
        { type: 'TextualBody', value: 'first thought' },
        { type: 'TextualBody', purpose: 'describing', value: 'second thought' },
        { type: 'TextualBody', purpose: 'tagging', value: ' Funding ' },
      ],
      target: {
        source: 'https://example.gov/notice.html',
        selector: [
          { type: 'RangeSelector', startSelector: {}, endSelector: {} },
          { type: 'TextQuoteSelector', exact: 'the quoted words' },
        ],
      },
    };
    const a = fromW3CAnnotation(foreign);
    expect(a).toMatchObject({
      id: hashText('https://hypothes.is/a/Xy-12'),
      documentKey: documentKeyFor('https://example.gov/notice.html'),
      teamId: null,
      quote: 'the quoted words',
      note: 'first thought\n\nsecond thought',
      tags: ['funding'],
      color: 'yellow',
      visibility: 'private',
      clausePath: [],
      replyTo: null,
      createdAt: Date.parse('2024-03-05T02:20:00Z'),
      updatedAt: Date.parse('2024-03-05T02:20:00Z'),
      deleted: false,
      author: { name: 'Zhang' },
    });
    expect(a.selectors).toEqual([{ type: 'TextQuoteSelector', exact: 'the quoted words' }]);
    const viaCollection = fromAnnotationCollection([foreign]);
    expect(viaCollection.documents).toEqual([
      {
        key: a.documentKey,
        canonicalUrl: 'example.gov/notice.html',
        url: 'https://example.gov/notice.html',
        title: '',
      },
    ]);
  });
});

describe('fromAnnotationCollection', () => {
  it('keeps the valid items and lists the invalid ones', () => {
    const collection = JSON.parse(
      JSON.stringify(toAnnotationCollection([annotation(), annotation({ id: 'b2' })], [doc])),
    );
    collection.first.items.splice(1, 0, { type: 'Annotation', id: 'urn:pizhu:annotation:broken' });
    collection['pizhu:documents'].push({ key: 'bad key!', url: 'nope' });
    const result = fromAnnotationCollection(collection);
    expect(result.annotations.map((a) => a.id)).toEqual(['a1', 'b2']);
    expect(result.documents).toEqual([doc]);
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatchObject({ kind: 'annotation', index: 1, id: 'urn:pizhu:annotation:broken' });
    expect(result.errors[0]!.message).toMatch(/^Invalid W3C annotation: /);
    expect(result.errors[1]).toMatchObject({ kind: 'document', index: 1, id: 'bad key!' });
  });

  it('follows embedded "next" pages and accepts a page, an array, a single annotation and JSON text', () => {
    const one = toW3CAnnotation(annotation(), doc);
    const two = toW3CAnnotation(annotation({ id: 'b2' }), doc);
    const paged = {
      type: 'AnnotationCollection',
      id: 'urn:x',
      first: { type: 'AnnotationPage', items: [one], next: { type: 'AnnotationPage', items: [two] } },
    };
    expect(fromAnnotationCollection(paged).annotations.map((a) => a.id)).toEqual(['a1', 'b2']);
    expect(fromAnnotationCollection({ type: 'AnnotationPage', items: [two] }).annotations.map((a) => a.id)).toEqual([
      'b2',
    ]);
    expect(fromAnnotationCollection([one, two]).annotations).toHaveLength(2);
    expect(fromAnnotationCollection(one).annotations).toHaveLength(1);
    expect(fromAnnotationCollection(JSON.stringify([one])).annotations).toHaveLength(1);
  });

  it('keeps the most recently updated record when an id occurs twice', () => {
    const older = annotation({ note: 'old', updatedAt: 1_700_000_000_200 });
    const newer = annotation({ note: 'new', updatedAt: 1_700_000_000_900 });
    const result = fromAnnotationCollection([toW3CAnnotation(newer, doc), toW3CAnnotation(older, doc)]);
    expect(result.annotations).toEqual([newer]);
  });

  it.each([
    ['text that is not JSON', '{"type": "AnnotationCollection"', /^Not JSON/],
    ['a number', 7, /Expected a W3C AnnotationCollection/],
    ['another type', { type: 'Person' }, /Expected type/],
    ['pages by reference', { type: 'AnnotationCollection', first: 'https://x/page1' }, /referenced by IRI/],
    ['a page without items', { type: 'AnnotationPage' }, /without an "items" array/],
    ['documents that are not a list', { type: 'AnnotationCollection', 'pizhu:documents': {} }, /must be an array/],
  ])('reports %s as a collection error without throwing', (_name, input, message) => {
    const result = fromAnnotationCollection(input);
    expect(result.annotations).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.kind).toBe('collection');
    expect(result.errors[0]!.message).toMatch(message);
  });
});
