/**
 * The briefing model: which annotations a briefing holds and in what order, with every text it shows
 * already worded (so the DOCX, Markdown, HTML and JSON renderers only lay it out).
 *
 * Selection (see options.ts for the options):
 *  - deleted records are left out; other people's private annotations never appear, the viewer's own only
 *    with includePrivate;
 *  - a reply (replyTo) joins its highlight's thread; a thread matches a tag filter when any of its
 *    annotations has the tag; the author and date filters apply to each annotation;
 *  - threads of the same document quoting the same text in the same clause become one entry, so different
 *    officials' notes on a clause stand together, each attributed.
 * Every selected annotation appears exactly once (as a note of one entry), whatever the grouping: by tag an
 * entry goes under its first tag, by author an entry is split per author.
 */
import type { Annotation, Author, DocumentInfo } from '../model/annotation.ts';
import { ValidationError } from '../model/annotation.ts';
import { matchLabel } from '../anchoring/labels.ts';
import { deepLinkFor } from '../model/deep-link.ts';
import { clauseComparator } from './clause-order.ts';
import { type Labels, type Language, LABELS, type SourceCitation } from './i18n.ts';
import {
  type BriefingOptions,
  type BriefingOptionsInput,
  type Grouping,
  includesPrivate,
  isoDateSchema,
  parseBriefingOptions,
} from './options.ts';
import { endOfDate, formatDate, formatDateTime, isoDateIn, startOfDate } from './time.ts';

export type AnchorStatus = 'anchored' | 'orphan';

export type BriefingInput = {
  annotations: readonly Annotation[];
  documents: readonly DocumentInfo[];
  options?: BriefingOptionsInput;
  /** The time of the export (epoch ms): the default issue date. */
  now: number;
  /** Who exports: needed for who = 'mine' and for the viewer's private annotations. */
  viewer?: { id: string; name?: string } | null;
  /** Anchoring results by annotation id; 'orphan' marks a clause no longer found on its page. */
  anchoring?: Readonly<Record<string, AnchorStatus>> | ReadonlyMap<string, AnchorStatus>;
};

export type BriefingNote = {
  annotationId: string;
  author: Author;
  /** The note as written ('' for a highlight without a note). */
  text: string;
  /** Created time, worded in the briefing's language and time zone. */
  time: string;
  createdAt: number;
  updatedAt: number;
  isReply: boolean;
  tags: string[];
  orphaned: boolean;
};

export type BriefingEntry = {
  /** Unique within the briefing. */
  id: string;
  /** The briefing's own numbering before the heading: （一） or 1.1. */
  label: string;
  /**
   * What the entry is about, in words: the quote without its clause label, cut to a heading's length. Never a
   * clause number, so the heading line carries one numbering only (the briefing's); the clause's own label path
   * is `reference`, shown on a line of its own.
   */
  heading: string;
  /** label and heading together, as the heading line reads. */
  title: string;
  /** Whether `heading` is the whole quote (renderers then do not repeat the quote under it). */
  headingIsQuote: boolean;
  /** Where the quote is: "《title》 二、8." (just "二、8." when the briefing or the group is one document). */
  reference: string;
  documentKey: string;
  documentTitle: string;
  clausePath: string[];
  /** The clause label path, e.g. "二、8."; labels.noClause when the clause has no number. */
  clauseLabel: string;
  quote: string;
  tags: string[];
  orphaned: boolean;
  /** A deep link to the highlight; null when the document's URL is unknown. */
  link: string | null;
  sourceNumber: number | null;
  /** Whether this is where the source is first cited (the DOCX footnote goes here). */
  citesSource: boolean;
  notes: BriefingNote[];
};

export type BriefingGroup = {
  key: string;
  /** 一、 or 1. */
  label: string;
  heading: string;
  /** label and heading together, as the heading line reads. */
  title: string;
  sourceNumber: number | null;
  citesSource: boolean;
  entries: BriefingEntry[];
};

export type BriefingSource = SourceCitation & {
  number: number;
  documentKey: string;
  /** The whole citation as one line. */
  text: string;
};

/** One row per entry; `clause` may hold a line break before the document's short title. */
export type SummaryRow = {
  entryId: string;
  tags: string;
  clause: string;
  quote: string;
  annotators: string;
  notes: string;
};

export type Briefing = {
  language: Language;
  labels: Labels;
  options: BriefingOptions;
  header: {
    masthead: string;
    title: string;
    unit: string;
    /** 第3期 / No. 3, or ''. */
    issue: string;
    /** The issue date worded (2024年3月5日) and as YYYY-MM-DD. */
    date: string;
    isoDate: string;
    mark: string;
  };
  lead: string;
  /** What changed since the earlier version (options.changeSummary, introduced), or ''. */
  changes: string;
  scope: string;
  summary: SummaryRow[];
  groups: BriefingGroup[];
  sources: BriefingSource[];
  closing: { lines: { label: string; text: string }[]; unit: string; issued: string; copies: string | null } | null;
  stats: {
    notes: number;
    annotators: number;
    entries: number;
    documents: number;
    orphans: number;
    /** Notes only their author sees ("Only me"), in the briefing because the viewer asked for them. */
    privateNotes: number;
  };
  /** When it was made (epoch ms, the input's `now`). */
  generatedAt: number;
  /** The selected annotations in the order they appear, and the documents they are on (for the JSON format). */
  annotations: Annotation[];
  documents: DocumentInfo[];
};

const SUMMARY_QUOTE_CHARS = 60;
const SUMMARY_NOTE_CHARS = 120;
const SHORT_TITLE_CHARS = 14;

/** Builds the briefing. Throws a ValidationError for invalid options (or 'mine' without a viewer). */
export function buildBriefing(input: BriefingInput): Briefing {
  const options = parseBriefingOptions(input.options ?? {});
  const viewer = input.viewer ?? null;
  if (options.who === 'mine' && !viewer) {
    throw new ValidationError('briefing options', ['who: "mine" needs to know who is exporting (viewer)']);
  }
  const documents = new Map(input.documents.map((d) => [d.key, d]));
  const orphan = orphanTest(input.anchoring);

  const selection = select(input.annotations, options, viewer);
  const language = chooseLanguage(options.language, selection.threads, documents);
  const labels = LABELS[language];
  const entries = buildEntries(selection.threads, documents, orphan, options, labels, language);
  const groups = groupEntries(entries, options, documents, labels, language);
  const sources = numberSources(groups, documents, options, labels, language);

  const headEntries = new Map(entries.map((e) => [e.id, e]));
  const notes = groups.flatMap((g) => g.entries.flatMap((e) => e.notes));
  const allById = new Map(input.annotations.map((a) => [a.id, a]));
  const stats = {
    notes: notes.length,
    annotators: new Set(notes.map((n) => n.author.id)).size,
    entries: headEntries.size,
    documents: sources.length,
    orphans: entries.filter((e) => e.orphaned).length,
    privateNotes: notes.filter((n) => allById.get(n.annotationId)?.visibility === 'private').length,
  };
  const isoDate = options.date ?? isoDateIn(input.now, options.timeZone);

  return {
    language,
    labels,
    options,
    header: {
      masthead: options.masthead || labels.defaultMasthead,
      title: options.title || defaultTitle(options, sources, documents, labels),
      unit: options.unit,
      issue: labels.issue(options.issueNumber),
      date: formatDate(isoDate, language),
      isoDate,
      mark: options.mark,
    },
    lead: labels.lead({ ...stats, tags: tagCounts(entries) }),
    changes: options.changeSummary ? labels.changes(options.changeSummary) : '',
    scope: labels.scope({
      documents: options.documents.length
        ? options.documents
            .map((key) => labels.documentTitle(documents.get(key)?.title || key))
            .join(labels.listSeparator)
        : labels.allDocuments,
      tags: options.tags,
      from: options.from && formatDate(options.from, language),
      to: options.to && formatDate(options.to, language),
      who: options.who,
      privateNotes: stats.privateNotes,
    }),
    summary: options.summaryTable ? summaryRows(groups, sources.length > 1, labels) : [],
    groups,
    sources,
    closing: closingBlock(options, labels, formatDate(isoDate, language)),
    stats,
    generatedAt: input.now,
    annotations: notes.map((n) => allById.get(n.annotationId)!),
    documents: sources.map((s) => documents.get(s.documentKey)).filter((d): d is DocumentInfo => d !== undefined),
  };
}

function orphanTest(anchoring: BriefingInput['anchoring']): (id: string) => boolean {
  if (!anchoring) return () => false;
  if (anchoring instanceof Map) return (id) => anchoring.get(id) === 'orphan';
  const record = anchoring as Readonly<Record<string, AnchorStatus>>;
  return (id) => Object.hasOwn(record, id) && record[id] === 'orphan';
}

// --- selection ---

/** A highlight and the replies to it: `root` gives the quote; `members` are the selected annotations. */
type Thread = { root: Annotation; members: Annotation[] };

function select(
  all: readonly Annotation[],
  options: BriefingOptions,
  viewer: { id: string } | null,
): { threads: Thread[] } {
  const includePrivate = includesPrivate(options);
  const documentFilter = options.documents.length ? new Set(options.documents) : null;
  const live = new Map<string, Annotation>();
  for (const a of all) {
    if (a.deleted) continue;
    if (a.visibility !== 'team' && !(includePrivate && viewer && a.author.id === viewer.id)) continue;
    if (documentFilter && !documentFilter.has(a.documentKey)) continue;
    if (!options.includeReplies && a.replyTo !== null) continue;
    const seen = live.get(a.id);
    if (!seen || seen.updatedAt < a.updatedAt) live.set(a.id, a);
  }

  const threads = new Map<string, { root: Annotation; all: Annotation[] }>();
  for (const a of live.values()) {
    const root = rootOf(a, live);
    let thread = threads.get(root.id);
    if (!thread) threads.set(root.id, (thread = { root, all: [] }));
    thread.all.push(a);
  }

  const tagFilter = options.tags.length ? new Set(options.tags) : null;
  const from = options.from ? startOfDate(options.from, options.timeZone) : -Infinity;
  const to = options.to ? endOfDate(options.to, options.timeZone) : Infinity;
  const result: Thread[] = [];
  for (const thread of threads.values()) {
    if (tagFilter && !thread.all.some((a) => a.tags.some((t) => tagFilter.has(t)))) continue;
    const members = thread.all.filter(
      (a) => (options.who === 'team' || a.author.id === viewer?.id) && a.createdAt >= from && a.createdAt < to,
    );
    if (members.length) result.push({ root: thread.root, members });
  }
  return { threads: result };
}

/** Follows replyTo to the highlight replied to, within the same document; a broken or circular chain stops. */
function rootOf(a: Annotation, live: Map<string, Annotation>): Annotation {
  let current = a;
  const visited = new Set([a.id]);
  while (current.replyTo !== null) {
    const parent = live.get(current.replyTo);
    if (!parent || parent.documentKey !== a.documentKey || visited.has(parent.id)) break;
    visited.add(parent.id);
    current = parent;
  }
  return current;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/u;

function chooseLanguage(
  choice: BriefingOptions['language'],
  threads: Thread[],
  documents: Map<string, DocumentInfo>,
): Language {
  if (choice !== 'auto') return choice;
  if (!threads.length) return 'zh';
  const english = threads.every((t) => {
    const declared = documents.get(t.root.documentKey)?.language;
    if (declared) return /^en\b/i.test(declared);
    return t.root.quote !== '' && !CJK.test(t.root.quote);
  });
  return english ? 'en' : 'zh';
}

// --- entries ---

type RawEntry = Omit<
  BriefingEntry,
  'label' | 'heading' | 'title' | 'headingIsQuote' | 'reference' | 'sourceNumber' | 'citesSource'
> & {
  position: number;
  firstCreated: number;
  lastUpdated: number;
};

function normaliseQuote(quote: string): string {
  return quote.replace(/\s+/gu, ' ').trim();
}

function buildEntries(
  threads: Thread[],
  documents: Map<string, DocumentInfo>,
  isOrphan: (id: string) => boolean,
  options: BriefingOptions,
  labels: Labels,
  language: Language,
): RawEntry[] {
  // Threads quoting the same words in the same clause of the same document are one entry.
  const merged = new Map<string, Thread[]>();
  for (const thread of threads) {
    const quote = normaliseQuote(thread.root.quote);
    const key = quote
      ? `${thread.root.documentKey}\u0000${thread.root.clausePath.join('\u0001')}\u0000${quote}`
      : `id:${thread.root.id}`;
    const list = merged.get(key);
    if (list) list.push(thread);
    else merged.set(key, [thread]);
  }

  const entries: RawEntry[] = [];
  for (const group of merged.values()) {
    group.sort((a, b) => a.root.createdAt - b.root.createdAt || compareText(a.root.id, b.root.id));
    const head = group[0]!.root;
    const members = group
      .flatMap((t) => t.members)
      .sort((a, b) => a.createdAt - b.createdAt || compareText(a.id, b.id));
    const roots = group.map((t) => t.root);
    const document = documents.get(head.documentKey);
    const tags = uniqueTags([...roots, ...members]);
    const position = head.selectors.find((s) => s.type === 'TextPositionSelector')?.start ?? Number.MAX_SAFE_INTEGER;
    entries.push({
      id: head.id,
      documentKey: head.documentKey,
      documentTitle: documentTitleOf(document, labels),
      clausePath: [...head.clausePath],
      clauseLabel: clauseLabel(head.clausePath, language) || labels.noClause,
      quote: head.quote,
      tags,
      orphaned: [...roots, ...members].some((a) => isOrphan(a.id)),
      link: document ? deepLinkFor(document.url, head) : null,
      notes: members.map((a) => ({
        annotationId: a.id,
        author: a.author,
        text: a.note,
        time: formatDateTime(a.createdAt, options.timeZone, language),
        createdAt: a.createdAt,
        updatedAt: a.updatedAt,
        isReply: a.replyTo !== null,
        tags: a.tags,
        orphaned: isOrphan(a.id),
      })),
      position,
      firstCreated: members[0]!.createdAt,
      lastUpdated: Math.max(...members.map((a) => a.updatedAt)),
    });
  }
  return entries;
}

function documentTitleOf(document: DocumentInfo | undefined, labels: Labels): string {
  if (!document) return labels.unknownDocument;
  return document.title.trim() || labels.untitledDocument;
}

export function clauseLabel(path: readonly string[], language: Language): string {
  return language === 'zh' ? path.join('') : path.join(' ');
}

function uniqueTags(annotations: Annotation[]): string[] {
  return [...new Set(annotations.flatMap((a) => a.tags))];
}

const collator = new Intl.Collator(['zh-Hans-CN-u-co-pinyin', 'en'], { numeric: true });
const compareText = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

// --- grouping and order ---

function documentOrder(
  options: BriefingOptions,
  documents: Map<string, DocumentInfo>,
  keys: Iterable<string>,
): Map<string, number> {
  const chosen = options.documents;
  const sorted = [...new Set(keys)].sort((a, b) => {
    const ia = chosen.indexOf(a);
    const ib = chosen.indexOf(b);
    if (ia !== ib) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
    const da = documents.get(a);
    const db = documents.get(b);
    if (!!da !== !!db) return da ? -1 : 1;
    const pa = da?.publishedAt ?? '';
    const pb = db?.publishedAt ?? '';
    if (pa !== pb) return !pa ? 1 : !pb ? -1 : compareText(pa, pb);
    return compareText(da?.title ?? '', db?.title ?? '') || compareText(a, b);
  });
  return new Map(sorted.map((key, i) => [key, i]));
}

function entryComparator(entries: RawEntry[], options: BriefingOptions, documents: Map<string, DocumentInfo>) {
  const docIndex = documentOrder(
    options,
    documents,
    entries.map((e) => e.documentKey),
  );
  const pathsByDoc = new Map<string, string[][]>();
  for (const e of entries) {
    const paths = pathsByDoc.get(e.documentKey) ?? [];
    paths.push(e.clausePath);
    pathsByDoc.set(e.documentKey, paths);
  }
  const clauseOrders = new Map([...pathsByDoc].map(([key, paths]) => [key, clauseComparator(paths)]));
  const byClause = (a: RawEntry, b: RawEntry): number =>
    docIndex.get(a.documentKey)! - docIndex.get(b.documentKey)! ||
    clauseOrders.get(a.documentKey)!(a.clausePath, b.clausePath) ||
    a.position - b.position ||
    a.firstCreated - b.firstCreated ||
    compareText(a.id, b.id);
  if (options.order === 'oldest')
    return (a: RawEntry, b: RawEntry) => a.firstCreated - b.firstCreated || byClause(a, b);
  if (options.order === 'newest') return (a: RawEntry, b: RawEntry) => b.lastUpdated - a.lastUpdated || byClause(a, b);
  return byClause;
}

type PendingGroup = { key: string; heading: string; documentKey: string | null; entries: RawEntry[] };

function groupEntries(
  entries: RawEntry[],
  options: BriefingOptions,
  documents: Map<string, DocumentInfo>,
  labels: Labels,
  language: Language,
): BriefingGroup[] {
  const compare = entryComparator(entries, options, documents);
  const pending = partition(entries, options.groupBy, options, documents, labels);
  // With one document (named in the title) or grouped by document, an entry's heading is its clause label.
  const clauseOnly = options.groupBy === 'document' || new Set(entries.map((e) => e.documentKey)).size === 1;
  return pending.map((group, gi) => {
    const label = labels.groupLabel(gi + 1);
    return {
      key: group.key,
      label,
      heading: group.heading,
      title: `${label}${labels.labelGap}${group.heading}`,
      sourceNumber: null,
      citesSource: false,
      entries: group.entries.sort(compare).map((e, ei) => {
        const entryLabel = labels.entryLabel(gi + 1, ei + 1);
        const headline = headlineOf(e.quote, language, labels);
        return {
          ...stripSortKeys(e),
          label: entryLabel,
          heading: headline.text,
          title: `${entryLabel}${labels.labelGap}${headline.text}`,
          headingIsQuote: headline.whole,
          reference: clauseOnly ? e.clauseLabel : `${labels.documentTitle(e.documentTitle)} ${e.clauseLabel}`,
          sourceNumber: null,
          citesSource: false,
        };
      }),
    };
  });
}

/** Longest heading made from a quote, in characters: one line of a 公文 page, about two of an English one. */
const HEADLINE_CHARS: Record<Language, number> = { zh: 30, en: 80 };
/** Where a long quote may be cut for its heading: at the punctuation ending a clause of its sentence. */
const PAUSE = /^[，。；：！？、,;:.!?]$/u;

/**
 * The heading made from a quote: its leading clause labels dropped (the reference line shows the label path),
 * on one line, cut after the last pause within HEADLINE_CHARS (or at the limit) with an ellipsis.
 */
export function headlineOf(quote: string, language: Language, labels: Labels): { text: string; whole: boolean } {
  const flat = withoutLeadingLabels(quote.replace(/\s+/gu, ' ').trim());
  if (!flat) return { text: labels.noQuote, whole: false };
  const chars = [...flat];
  const max = HEADLINE_CHARS[language];
  if (chars.length <= max) return { text: flat, whole: !/[\r\n\u2028\u2029]/u.test(quote.trim()) };
  // English punctuation ends a clause only before a space ("3.5 m", "U.S." do not).
  const pauseAt = (i: number) => PAUSE.test(chars[i]!) && (language === 'zh' || chars[i + 1] === ' ');
  let cut = -1;
  for (let i = max - 1; i >= max / 3 && cut < 0; i--) if (pauseAt(i)) cut = i;
  if (cut < 0 && language === 'en') cut = chars.lastIndexOf(' ', max - 1);
  if (cut < max / 3) cut = max - 1;
  return { text: `${chars.slice(0, cut).join('').trimEnd()}${labels.ellipsis}`, whole: false };
}

/**
 * Drops list labels at the start ("3. ", "（二）", "一、", "第十二条 ", "(a) "): only self-delimited ones or ones
 * followed by a space, so "第五条规定的…" (a reference) and "100 feet" stay as written.
 */
function withoutLeadingLabels(text: string): string {
  let rest = text;
  for (let i = 0; i < 3; i++) {
    const m = matchLabel(rest, 0);
    if (!m || m.weak || m.style.startsWith('en-') || m.style === 'section-sign') break;
    const delimited = /[、.．)）]$/u.test(m.label) || /^[\s\u3000]/u.test(rest.slice(m.end));
    const after = rest.slice(m.end).trimStart();
    if (!delimited || !after) break;
    rest = after;
  }
  return rest;
}

/**
 * The notes a renderer prints for an entry: a highlight without a note is left out unless the options ask for
 * such lines (`includeEmptyNotes`). The entry itself stays: its quote was highlighted.
 */
export function notesToPrint(entry: BriefingEntry, options: BriefingOptions): BriefingNote[] {
  return options.includeEmptyNotes ? entry.notes : entry.notes.filter((note) => note.text.trim() !== '');
}

function stripSortKeys(
  e: RawEntry,
): Omit<
  BriefingEntry,
  'label' | 'heading' | 'title' | 'headingIsQuote' | 'reference' | 'sourceNumber' | 'citesSource'
> {
  const { position: _position, firstCreated: _first, lastUpdated: _last, ...rest } = e;
  return rest;
}

function partition(
  entries: RawEntry[],
  by: Grouping,
  options: BriefingOptions,
  documents: Map<string, DocumentInfo>,
  labels: Labels,
): PendingGroup[] {
  const groups = new Map<string, PendingGroup>();
  const add = (key: string, heading: string, documentKey: string | null, entry: RawEntry) => {
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { key, heading, documentKey, entries: [] }));
    group.entries.push(entry);
  };

  if (by === 'document') {
    for (const e of entries) add(`document:${e.documentKey}`, labels.documentTitle(e.documentTitle), e.documentKey, e);
    const order = documentOrder(
      options,
      documents,
      entries.map((e) => e.documentKey),
    );
    return [...groups.values()].sort((a, b) => order.get(a.documentKey!)! - order.get(b.documentKey!)!);
  }

  if (by === 'author') {
    for (const e of entries) {
      const byAuthor = new Map<string, BriefingNote[]>();
      for (const note of e.notes) byAuthor.set(note.author.id, [...(byAuthor.get(note.author.id) ?? []), note]);
      for (const [authorId, notes] of byAuthor) {
        const name = notes[0]!.author.name;
        add(`author:${authorId}`, labels.authorGroup(name), null, {
          ...e,
          id: `${e.id}~${authorId}`,
          notes,
          orphaned: e.orphaned,
          firstCreated: notes[0]!.createdAt,
          lastUpdated: Math.max(...notes.map((n) => n.updatedAt)),
        });
      }
    }
    return [...groups.values()].sort((a, b) => compareText(a.heading, b.heading) || compareText(a.key, b.key));
  }

  // By tag: an entry goes under the first of its tags the filter asked for, or its first tag.
  const wanted = options.tags;
  for (const e of entries) {
    const tag = wanted.find((t) => e.tags.includes(t)) ?? e.tags[0];
    if (tag === undefined) add('untagged', labels.untagged, null, e);
    else add(`tag:${tag}`, tag, null, e);
  }
  return [...groups.values()].sort((a, b) => {
    if (a.key === 'untagged' || b.key === 'untagged') return a.key === 'untagged' ? 1 : -1;
    const ia = wanted.indexOf(a.heading);
    const ib = wanted.indexOf(b.heading);
    if (ia !== ib) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
    return b.entries.length - a.entries.length || compareText(a.heading, b.heading);
  });
}

// --- sources, summary, header and closing ---

function numberSources(
  groups: BriefingGroup[],
  documents: Map<string, DocumentInfo>,
  options: BriefingOptions,
  labels: Labels,
  language: Language,
): BriefingSource[] {
  const sources = new Map<string, BriefingSource>();
  const cite = (documentKey: string): { number: number; first: boolean } => {
    const known = sources.get(documentKey);
    if (known) return { number: known.number, first: false };
    const d = documents.get(documentKey);
    const fields = {
      title: documentTitleOf(d, labels),
      ...(d?.issuer ? { issuer: d.issuer } : {}),
      ...(d?.docNumber ? { docNumber: d.docNumber } : {}),
      ...(d?.publishedAt ? { publishedAt: wordDate(d.publishedAt, language) } : {}),
      ...(d?.url ? { url: d.url } : {}),
      ...(d?.readAt !== undefined ? { readAt: formatDate(isoDateIn(d.readAt, options.timeZone), language) } : {}),
    };
    const source: BriefingSource = { number: sources.size + 1, documentKey, ...fields, text: labels.source(fields) };
    sources.set(documentKey, source);
    return { number: source.number, first: true };
  };
  for (const group of groups) {
    if (options.groupBy === 'document' && group.entries[0]) {
      const cited = cite(group.entries[0].documentKey);
      group.sourceNumber = cited.number;
      group.citesSource = cited.first;
    }
    for (const entry of group.entries) {
      const cited = cite(entry.documentKey);
      entry.sourceNumber = cited.number;
      entry.citesSource = cited.first;
    }
  }
  return [...sources.values()];
}

/** A YYYY-MM-DD date worded like the briefing's dates; anything else (as pages write it) is kept as is. */
function wordDate(value: string, language: Language): string {
  return isoDateSchema.safeParse(value).success ? formatDate(value, language) : value;
}

function tagCounts(entries: RawEntry[]): { tag: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const e of entries) for (const tag of e.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => b.count - a.count || compareText(a.tag, b.tag));
}

/** Cuts text to `max` characters (not UTF-16 units) with an ellipsis, on one line. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

function summaryRows(groups: BriefingGroup[], manyDocuments: boolean, labels: Labels): SummaryRow[] {
  return groups.flatMap((group) =>
    group.entries.map((e) => ({
      entryId: e.id,
      tags: e.tags.join(labels.listSeparator),
      clause:
        (manyDocuments
          ? `${e.clauseLabel}\n${labels.documentTitle(truncate(e.documentTitle, SHORT_TITLE_CHARS))}`
          : e.clauseLabel) + (e.orphaned ? `\n${labels.orphanMark}` : ''),
      quote: truncate(e.quote, SUMMARY_QUOTE_CHARS),
      annotators: [...new Set(e.notes.map((n) => n.author.name))].join(labels.listSeparator),
      notes: truncate(
        e.notes
          .filter((n) => n.text.trim() !== '')
          .map((n) => `${n.author.name}${labels.colon}${n.text.trim().replace(/[。；;]+$/u, '')}`)
          .join(labels.noteSeparator),
        SUMMARY_NOTE_CHARS,
      ),
    })),
  );
}

function defaultTitle(
  options: BriefingOptions,
  sources: BriefingSource[],
  documents: Map<string, DocumentInfo>,
  labels: Labels,
): string {
  if (options.tags.length === 1) return labels.defaultTitle({ tag: options.tags[0]! });
  const only = sources.length === 1 ? documents.get(sources[0]!.documentKey)?.title : undefined;
  return labels.defaultTitle(only ? { documentTitle: only } : {});
}

function closingBlock(options: BriefingOptions, labels: Labels, date: string): Briefing['closing'] {
  const lines = [
    { label: labels.closing.reportTo, text: options.reportTo },
    { label: labels.closing.copyTo, text: options.copyTo },
    { label: labels.closing.distributeTo, text: options.distributeTo },
  ].filter((l) => l.text !== '');
  if (!lines.length && !options.unit && options.copies === undefined) return null;
  return {
    lines,
    unit: options.unit,
    issued: labels.closing.issued(date),
    copies: options.copies === undefined ? null : labels.closing.copies(options.copies),
  };
}
