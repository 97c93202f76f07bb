/**
 * Pizhu annotations as W3C Web Annotations (https://www.w3.org/TR/annotation-model/) and back.
 *
 * The local backup (export/import) and the briefing's JSON format are built on this, so a round trip
 * `fromAnnotationCollection(JSON.parse(JSON.stringify(toAnnotationCollection(a, d))))` gives back exactly `a`
 * and `d`, deleted records included.
 *
 * Mapping (one annotation):
 *   id                  "urn:pizhu:annotation:<id>"
 *   author              creator { id: "urn:pizhu:member:<id>", type: "Person", name }
 *   createdAt/updatedAt created / modified (ISO 8601, millisecond precision)
 *   note                one TextualBody, purpose "commenting" ("replying" when replyTo is set); none when empty
 *   tags                one TextualBody per tag, purpose "tagging", in order
 *   selectors           target.selector, in order; TextQuote/TextPosition are W3C selectors, our ClauseSelector
 *                       is an extra selector { type: "pizhu:ClauseSelector", "pizhu:path", "pizhu:hash" } that
 *                       other tools skip
 *   document            target.source: the page URL when the document is known, else "urn:pizhu:document:<key>"
 *   the rest            namespaced extension properties: pizhu:documentKey, pizhu:teamId (absent when null),
 *                       pizhu:visibility, pizhu:color, pizhu:clausePath, pizhu:replyTo (the parent's IRI),
 *                       pizhu:deleted, pizhu:quote (only when it differs from the TextQuoteSelector's exact),
 *                       pizhu:carriedFrom { id: the earlier annotation's IRI, pizhu:documentKey } on an annotation
 *                       carried over from an earlier version of the notice
 * A collection is an AnnotationCollection with one embedded AnnotationPage; the documents (DocumentInfo, as
 * in our model) travel in the collection's "pizhu:documents".
 *
 * Import is tolerant of annotations written by other tools where nothing is lost: missing extension properties
 * take documented defaults (no team, private, yellow, not deleted, clause path from the ClauseSelector, quote
 * from the TextQuoteSelector, document key from the source URL); foreign IRIs become stable ids by hashing;
 * selectors we cannot use (XPath, CSS, Range, ...) are skipped. Anything we cannot represent is an error.
 */
import { z } from 'zod';
import {
  type Annotation,
  annotationSchema,
  clauseSelectorSchema,
  describeIssues,
  type DocumentInfo,
  documentInfoSchema,
  idSchema,
  type Selector,
  textPositionSelectorSchema,
  textQuoteSelectorSchema,
  ValidationError,
} from './annotation.ts';
import { canonicalUrl, documentKeyFor } from './canonical-url.ts';
import { hashText } from './hash.ts';

/** Our vocabulary's namespace: an identifier for the extension terms, not a page to fetch. */
export const PIZHU_NAMESPACE = 'https://pizhu.app/ns#';
export const W3C_ANNO_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
export const PIZHU_CONTEXT = {
  pizhu: PIZHU_NAMESPACE,
  'pizhu:path': { '@container': '@list' },
  'pizhu:clausePath': { '@container': '@list' },
  'pizhu:replyTo': { '@type': '@id' },
  'pizhu:documents': { '@type': '@json' },
  '@version': 1.1,
} as const;
export const ANNOTATION_CONTEXT = [W3C_ANNO_CONTEXT, PIZHU_CONTEXT] as const;

const ANNOTATION_IRI = 'urn:pizhu:annotation:';
const MEMBER_IRI = 'urn:pizhu:member:';
const DOCUMENT_IRI = 'urn:pizhu:document:';
const CLAUSE_SELECTOR = 'pizhu:ClauseSelector';

// --- the JSON we write ---

export type W3CTextualBody = {
  type: 'TextualBody';
  purpose: 'commenting' | 'replying' | 'tagging';
  value: string;
  format?: 'text/plain';
};

export type W3CClauseSelector = { type: typeof CLAUSE_SELECTOR; 'pizhu:path': string[]; 'pizhu:hash': string };
export type W3CSelector = Extract<Selector, { type: 'TextQuoteSelector' | 'TextPositionSelector' }> | W3CClauseSelector;

export type W3CAnnotation = {
  '@context'?: typeof ANNOTATION_CONTEXT;
  id: string;
  type: 'Annotation';
  motivation: 'highlighting' | 'commenting' | 'replying' | 'tagging';
  created: string;
  modified: string;
  creator: { id: string; type: 'Person'; name: string };
  body?: W3CTextualBody[];
  target: { type: 'SpecificResource'; source: string; selector: W3CSelector[] };
  'pizhu:documentKey': string;
  'pizhu:teamId'?: string;
  'pizhu:visibility': Annotation['visibility'];
  'pizhu:color': Annotation['color'];
  'pizhu:clausePath': string[];
  'pizhu:replyTo'?: string;
  'pizhu:carriedFrom'?: { id: string; 'pizhu:documentKey': string };
  'pizhu:deleted': boolean;
  'pizhu:quote'?: string;
};

export type W3CAnnotationCollection = {
  '@context': typeof ANNOTATION_CONTEXT;
  id: string;
  type: 'AnnotationCollection';
  label: string;
  total: number;
  generator: { id: string; type: 'Software'; name: string };
  generated: string;
  'pizhu:documents': DocumentInfo[];
  first: { id: string; type: 'AnnotationPage'; startIndex: 0; items: W3CAnnotation[] };
};

export const annotationIri = (id: string): string => `${ANNOTATION_IRI}${id}`;

// --- export ---

/** One annotation as a W3C Web Annotation; `document` gives the page URL for target.source. */
export function toW3CAnnotation(annotation: Annotation, document?: DocumentInfo): W3CAnnotation {
  return { '@context': ANNOTATION_CONTEXT, ...annotationBody(annotation, document) };
}

function annotationBody(a: Annotation, document: DocumentInfo | undefined): Omit<W3CAnnotation, '@context'> {
  const bodies: W3CTextualBody[] = [];
  if (a.note !== '') {
    bodies.push({
      type: 'TextualBody',
      purpose: a.replyTo ? 'replying' : 'commenting',
      value: a.note,
      format: 'text/plain',
    });
  }
  for (const tag of a.tags) bodies.push({ type: 'TextualBody', purpose: 'tagging', value: tag });
  const quoteSelector = a.selectors.find((s) => s.type === 'TextQuoteSelector');

  const out: Omit<W3CAnnotation, '@context'> = {
    id: annotationIri(a.id),
    type: 'Annotation',
    motivation: motivationOf(a),
    created: isoTime(a.createdAt),
    modified: isoTime(a.updatedAt),
    creator: { id: `${MEMBER_IRI}${a.author.id}`, type: 'Person', name: a.author.name },
    ...(bodies.length ? { body: bodies } : {}),
    target: {
      type: 'SpecificResource',
      source: document && document.key === a.documentKey ? document.url : `${DOCUMENT_IRI}${a.documentKey}`,
      selector: a.selectors.map(toW3CSelector),
    },
    'pizhu:documentKey': a.documentKey,
    'pizhu:visibility': a.visibility,
    'pizhu:color': a.color,
    'pizhu:clausePath': [...a.clausePath],
    'pizhu:deleted': a.deleted,
  };
  if (a.teamId !== null) out['pizhu:teamId'] = a.teamId;
  if (a.replyTo !== null) out['pizhu:replyTo'] = annotationIri(a.replyTo);
  if (a.carriedFrom) {
    out['pizhu:carriedFrom'] = { id: annotationIri(a.carriedFrom.id), 'pizhu:documentKey': a.carriedFrom.documentKey };
  }
  if (quoteSelector?.exact !== a.quote) out['pizhu:quote'] = a.quote;
  return out;
}

function motivationOf(a: Annotation): W3CAnnotation['motivation'] {
  if (a.replyTo) return 'replying';
  if (a.note !== '') return 'commenting';
  if (a.tags.length) return 'tagging';
  return 'highlighting';
}

function toW3CSelector(selector: Selector): W3CSelector {
  if (selector.type === 'ClauseSelector') {
    return { type: CLAUSE_SELECTOR, 'pizhu:path': [...selector.path], 'pizhu:hash': selector.hash };
  }
  return { ...selector };
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export type CollectionOptions = {
  /** The collection's IRI; by default derived from the annotation ids, so the same content gets the same id. */
  id?: string;
  label?: string;
  /** When the file was made (epoch ms); defaults to the latest update among the annotations. */
  generated?: number;
};

/**
 * Every annotation (deleted ones too: this is a backup format) and every document, as one
 * AnnotationCollection with a single embedded page.
 */
export function toAnnotationCollection(
  annotations: readonly Annotation[],
  documents: readonly DocumentInfo[],
  options: CollectionOptions = {},
): W3CAnnotationCollection {
  const byKey = new Map(documents.map((d) => [d.key, d]));
  const items = annotations.map((a) => annotationBody(a, byKey.get(a.documentKey)));
  const id =
    options.id ?? `urn:pizhu:collection:${hashText(annotations.map((a) => `${a.id}@${a.updatedAt}`).join(','))}`;
  const latest = annotations.reduce((max, a) => Math.max(max, a.updatedAt), 0);
  return {
    '@context': ANNOTATION_CONTEXT,
    id,
    type: 'AnnotationCollection',
    label: options.label ?? 'Pizhu annotations',
    total: items.length,
    generator: { id: 'https://pizhu.app', type: 'Software', name: 'Pizhu' },
    generated: isoTime(options.generated ?? latest),
    'pizhu:documents': documents.map((d) => ({ ...d })),
    first: { id: `${id}#page-0`, type: 'AnnotationPage', startIndex: 0, items },
  };
}

// --- import ---

const jsonObject = z.record(z.string(), z.unknown());
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

const timestamp = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: `not a date-time: "${value.slice(0, 40)}"` });
    return z.NEVER;
  }
  return ms;
});

const bodySchema = z.union([
  z.string().transform(() => ({ unsupported: 'a body given only by IRI' as const })),
  z
    .object({
      type: z.string().optional(),
      purpose: oneOrMany(z.string()).optional(),
      value: z.string().optional(),
    })
    .loose(),
]);

const targetSchema = z.union([
  z.string().transform(() => null),
  z
    .object({
      source: z.string().min(1),
      selector: oneOrMany(jsonObject).optional(),
    })
    .loose(),
]);

const w3cAnnotationSchema = z
  .object({
    id: z.string().min(1).max(2_000),
    type: z.union([z.literal('Annotation'), z.array(z.string()).refine((t) => t.includes('Annotation'))]),
    created: timestamp,
    modified: timestamp.optional(),
    creator: z
      .object({
        id: z.string().min(1).max(2_000).optional(),
        name: z.string().optional(),
        nickname: z.string().optional(),
      })
      .loose(),
    body: oneOrMany(bodySchema).optional(),
    target: oneOrMany(targetSchema),
    'pizhu:documentKey': z.string().optional(),
    'pizhu:teamId': z.string().nullable().optional(),
    'pizhu:visibility': z.unknown().optional(),
    'pizhu:color': z.unknown().optional(),
    'pizhu:clausePath': z.unknown().optional(),
    'pizhu:replyTo': z.string().nullable().optional(),
    'pizhu:carriedFrom': z
      .object({ id: z.string().min(1).max(2_000), 'pizhu:documentKey': z.string() })
      .loose()
      .optional(),
    'pizhu:deleted': z.boolean().optional(),
    'pizhu:quote': z.string().optional(),
  })
  .loose();

/** Our id from an IRI we wrote, or a stable id derived from someone else's IRI. */
function idFromIri(iri: string, prefix: string): string {
  const bare = iri.startsWith(prefix) ? iri.slice(prefix.length) : iri;
  return idSchema.safeParse(bare).success ? bare : hashText(iri);
}

function fromW3CSelector(raw: Record<string, unknown>): Selector | null {
  switch (raw.type) {
    case 'TextQuoteSelector':
      return textQuoteSelectorSchema.parse({
        type: raw.type,
        exact: raw.exact,
        prefix: raw.prefix,
        suffix: raw.suffix,
      });
    case 'TextPositionSelector':
      return textPositionSelectorSchema.parse({ type: raw.type, start: raw.start, end: raw.end });
    case CLAUSE_SELECTOR:
      return clauseSelectorSchema.parse({ type: 'ClauseSelector', path: raw['pizhu:path'], hash: raw['pizhu:hash'] });
    default:
      return null;
  }
}

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

/**
 * Reads one W3C Web Annotation into our model. Throws a ValidationError naming what is wrong
 * (e.g. "Invalid W3C annotation: target: ...") for anything that is not a usable annotation.
 */
export function fromW3CAnnotation(json: unknown): Annotation {
  const shape = w3cAnnotationSchema.safeParse(json);
  if (!shape.success) throw new ValidationError('W3C annotation', describeIssues(shape.error));
  const w = shape.data;
  const problem = (message: string): never => {
    throw new ValidationError('W3C annotation', [message]);
  };

  const targets = w.target.filter((t) => t !== null);
  if (targets.length !== 1) problem(`target: expected exactly one target with a source, found ${targets.length}`);
  const target = targets[0]!;

  const selectors: Selector[] = [];
  for (const [index, raw] of (target.selector ?? []).entries()) {
    const parsed = tryConvert(() => fromW3CSelector(raw), `target.selector.${index}`);
    if (parsed) selectors.push(parsed);
  }
  if (!selectors.length) problem('target.selector: no TextQuoteSelector, TextPositionSelector or pizhu:ClauseSelector');

  let note = '';
  const tags: string[] = [];
  for (const [index, body] of (w.body ?? []).entries()) {
    if ('unsupported' in body) problem(`body.${index}: ${body.unsupported} cannot be imported`);
    const b = body as { type?: string; purpose?: string[]; value?: string };
    if (b.type !== undefined && b.type !== 'TextualBody')
      problem(`body.${index}: only TextualBody is supported, not "${b.type}"`);
    if (b.value === undefined) problem(`body.${index}: a TextualBody needs a "value"`);
    if (b.purpose?.includes('tagging')) tags.push(b.value!);
    else note = note ? `${note}\n\n${b.value}` : b.value!;
  }

  const quoteSelector = selectors.find((s) => s.type === 'TextQuoteSelector');
  const clauseSelector = selectors.find((s) => s.type === 'ClauseSelector');
  const candidate = stripUndefined({
    id: idFromIri(w.id, ANNOTATION_IRI),
    documentKey: w['pizhu:documentKey'] ?? documentKeyFromSource(target.source, problem),
    teamId: w['pizhu:teamId'] ?? null,
    selectors,
    clausePath: w['pizhu:clausePath'] ?? clauseSelector?.path ?? [],
    quote: w['pizhu:quote'] ?? quoteSelector?.exact ?? '',
    tags,
    note,
    color: w['pizhu:color'] ?? 'yellow',
    author: {
      id: w.creator.id ? idFromIri(w.creator.id, MEMBER_IRI) : hashText(w.creator.name ?? w.creator.nickname ?? ''),
      name: w.creator.name ?? w.creator.nickname,
    },
    visibility: w['pizhu:visibility'] ?? 'private',
    replyTo: w['pizhu:replyTo'] ? idFromIri(w['pizhu:replyTo'], ANNOTATION_IRI) : null,
    carriedFrom: w['pizhu:carriedFrom']
      ? {
          id: idFromIri(w['pizhu:carriedFrom'].id, ANNOTATION_IRI),
          documentKey: w['pizhu:carriedFrom']['pizhu:documentKey'],
        }
      : undefined,
    createdAt: w.created,
    updatedAt: w.modified ?? w.created,
    deleted: w['pizhu:deleted'] ?? false,
  });
  const result = annotationSchema.safeParse(candidate);
  if (!result.success) throw new ValidationError('W3C annotation', describeIssues(result.error));
  return result.data;
}

function tryConvert<T>(convert: () => T, where: string): T {
  try {
    return convert();
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new ValidationError(
        'W3C annotation',
        describeIssues(error).map((line) => `${where}.${line}`),
      );
    }
    throw error;
  }
}

function documentKeyFromSource(source: string, problem: (message: string) => never): string {
  if (source.startsWith(DOCUMENT_IRI)) {
    const key = source.slice(DOCUMENT_IRI.length);
    if (idSchema.safeParse(key).success) return key;
    return problem(`target.source: "${source.slice(0, 100)}" is not a valid document IRI`);
  }
  try {
    return documentKeyFor(source);
  } catch (error) {
    return problem(`target.source: ${(error as Error).message}`);
  }
}

export type ImportProblem = {
  kind: 'collection' | 'annotation' | 'document';
  /** Position in the items (or in pizhu:documents); null for problems with the whole file. */
  index: number | null;
  /** The item's id or document key as written, when there is one. */
  id: string | null;
  message: string;
};

export type CollectionImport = {
  annotations: Annotation[];
  documents: DocumentInfo[];
  /** Items that could not be imported; the rest are imported regardless. */
  errors: ImportProblem[];
};

/**
 * Reads an AnnotationCollection (with embedded pages), an AnnotationPage, an array of annotations or a single
 * annotation, as an object or as JSON text. Never throws: invalid items are skipped and listed in `errors`.
 * When an id occurs twice, the most recently updated record wins.
 */
export function fromAnnotationCollection(json: unknown): CollectionImport {
  const result: CollectionImport = { annotations: [], documents: [], errors: [] };
  const fail = (message: string): CollectionImport => {
    result.errors.push({ kind: 'collection', index: null, id: null, message });
    return result;
  };

  let root = json;
  if (typeof root === 'string') {
    try {
      root = JSON.parse(root);
    } catch (error) {
      return fail(`Not JSON: ${(error as Error).message}`);
    }
  }
  const found = collectItems(root);
  if ('error' in found) return fail(found.error);

  const byId = new Map<string, Annotation>();
  found.items.forEach((item, index) => {
    try {
      const annotation = fromW3CAnnotation(item);
      const seen = byId.get(annotation.id);
      if (!seen || seen.updatedAt <= annotation.updatedAt) byId.set(annotation.id, annotation);
    } catch (error) {
      const id = isRecord(item) && typeof item.id === 'string' ? item.id.slice(0, 200) : null;
      result.errors.push({ kind: 'annotation', index, id, message: (error as Error).message });
    }
  });
  result.annotations = [...byId.values()];

  const documents = new Map<string, DocumentInfo>();
  found.documents.forEach((raw, index) => {
    const parsed = documentInfoSchema.safeParse(raw);
    if (parsed.success) documents.set(parsed.data.key, parsed.data);
    else {
      const id = isRecord(raw) && typeof raw.key === 'string' ? raw.key.slice(0, 200) : null;
      const message = `Invalid document: ${describeIssues(parsed.error).join('; ')}`;
      result.errors.push({ kind: 'document', index, id, message });
    }
  });
  addDocumentsFromSources(found.items, result.annotations, documents);
  result.documents = [...documents.values()];
  return result;
}

/**
 * Annotations from other tools name their page only by target.source: give the briefing a minimal document
 * (URL, no title) for those. Our own files list every document, so this adds nothing to a round trip.
 */
function addDocumentsFromSources(items: unknown[], annotations: Annotation[], documents: Map<string, DocumentInfo>) {
  const sourceById = new Map<string, string>();
  for (const item of items) {
    if (!isRecord(item) || typeof item.id !== 'string' || !isRecord(item.target)) continue;
    if (typeof item.target.source === 'string') sourceById.set(idFromIri(item.id, ANNOTATION_IRI), item.target.source);
  }
  for (const annotation of annotations) {
    if (documents.has(annotation.documentKey)) continue;
    const source = sourceById.get(annotation.id);
    if (!source || !/^https?:/i.test(source)) continue;
    try {
      if (documentKeyFor(source) !== annotation.documentKey) continue;
      documents.set(annotation.documentKey, {
        key: annotation.documentKey,
        canonicalUrl: canonicalUrl(source),
        url: source,
        title: '',
      });
    } catch {
      // Not a usable URL: the annotation is kept, the briefing shows it as a document without metadata.
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: Record<string, unknown>, type: string): boolean {
  return value.type === type || (Array.isArray(value.type) && value.type.includes(type));
}

const MAX_PAGES = 10_000;

function collectItems(root: unknown): { items: unknown[]; documents: unknown[] } | { error: string } {
  if (Array.isArray(root)) return { items: root, documents: [] };
  if (!isRecord(root)) return { error: 'Expected a W3C AnnotationCollection, AnnotationPage or Annotation object' };
  const rawDocuments = root['pizhu:documents'];
  if (rawDocuments !== undefined && !Array.isArray(rawDocuments))
    return { error: '"pizhu:documents" must be an array' };
  const documents = (rawDocuments as unknown[] | undefined) ?? [];
  if (hasType(root, 'Annotation')) return { items: [root], documents };
  if (hasType(root, 'AnnotationPage')) return pageItems(root, documents);
  if (!hasType(root, 'AnnotationCollection')) {
    return {
      error: `Expected type "AnnotationCollection", "AnnotationPage" or "Annotation", got ${JSON.stringify(root.type ?? null).slice(0, 60)}`,
    };
  }
  if (root.first === undefined) return { items: [], documents };
  if (!isRecord(root.first)) {
    return { error: "The collection's pages are referenced by IRI, not embedded; download them into one file first" };
  }
  return pageItems(root.first, documents);
}

function pageItems(
  first: Record<string, unknown>,
  documents: unknown[],
): { items: unknown[]; documents: unknown[] } | { error: string } {
  const items: unknown[] = [];
  let page: unknown = first;
  for (let count = 0; page !== undefined; count++) {
    if (count >= MAX_PAGES) return { error: `More than ${MAX_PAGES} pages` };
    if (!isRecord(page))
      return { error: 'A "next" page is referenced by IRI, not embedded; download it into the file first' };
    if (!Array.isArray(page.items)) return { error: 'An AnnotationPage without an "items" array' };
    items.push(...page.items);
    page = page.next;
  }
  return { items, documents };
}
