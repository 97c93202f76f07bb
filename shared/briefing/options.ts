/**
 * Briefing options: one schema for the extension's export dialog (an object) and the server's
 * `GET /api/teams/<teamId>/briefing?format=...&...` (URL query parameters, see parseBriefingQuery).
 *
 * Scope (which annotations):
 *   documents       document keys; [] = every document. "This page" is [its key]. Query: document=K (repeat) or documents=K1,K2
 *   tags            annotations with any of these tags (normalised like stored tags); [] = any. Query: tag=T (repeat) or tags=T1,T2
 *   from, to        YYYY-MM-DD, inclusive, in `timeZone`; by the annotation's creation time
 *   who             'team' (everyone's, default) or 'mine' (the viewer's only)
 *   includePrivate  also the viewer's private annotations; default: true for 'mine', false for 'team'
 *                   (see includesPrivate; an export starts from defaultScope)
 *   includeReplies  teammates' notes on a highlight (replyTo); default true
 * Layout:
 *   groupBy         'tag' (default; an annotation with several tags is listed under its first), 'document', 'author'
 *   order           within a group: 'clause' (default; document, then clause order), 'oldest', 'newest'
 *   language        'auto' (default; English when the documents are English), 'zh', 'en'
 *   timeZone        IANA zone for dates and times shown and for from/to; default 'Asia/Shanghai'
 *   summaryTable    the summary table before the body; default true
 *   includeEmptyNotes  also print a line for a highlight without a note (（仅标注，未加批注）); default false:
 *                   the highlighted clause is listed either way
 *   changeSummary   what changed since the notice's earlier version (the comparison's summary paragraph,
 *                   shared/compare), printed after the lead; default none
 * Header (报头) and closing block (版记):
 *   masthead        the red header's name; default 工作简报 / Briefing
 *   title           the headline; default derived from the scope (the document's title, the tag, ...)
 *   unit            compiling unit, shown in the header and the closing block
 *   issueNumber     期号: "3" becomes 第3期 (No. 3); text containing 期 is used as is
 *   date            YYYY-MM-DD; default: today in timeZone
 *   mark            e.g. 内部资料, top left of the first page
 *   reportTo, copyTo, distributeTo   the closing block's 报/送/发 (To/Cc/Distribution) lines
 *   copies          number of copies printed (共印N份)
 */
import { z } from 'zod';
import { describeIssues, idSchema, LIMITS, ValidationError } from '../model/annotation.ts';
import { normaliseTags } from '../model/tags.ts';

export const BRIEFING_FORMATS = ['docx', 'md', 'html', 'json'] as const;
export type BriefingFormat = (typeof BRIEFING_FORMATS)[number];
export const GROUPINGS = ['tag', 'document', 'author'] as const;
export type Grouping = (typeof GROUPINGS)[number];
export const ORDERS = ['clause', 'oldest', 'newest'] as const;
export type Order = (typeof ORDERS)[number];
export const LANGUAGES = ['auto', 'zh', 'en'] as const;

export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((value) => {
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, 'is not a calendar date');

const timeZoneSchema = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'is not a known time zone');

const text = (max: number) => z.string().trim().max(max);

const optionsObject = z.strictObject({
  documents: z.array(idSchema).max(1_000).default([]),
  tags: z
    .array(z.string().max(LIMITS.tagChars))
    .max(LIMITS.tagsPerAnnotation)
    .default([])
    .transform((tags) => normaliseTags(tags)),
  from: isoDateSchema.optional(),
  to: isoDateSchema.optional(),
  who: z.enum(['team', 'mine']).default('team'),
  includePrivate: z.boolean().optional(),
  includeReplies: z.boolean().default(true),

  groupBy: z.enum(GROUPINGS).default('tag'),
  order: z.enum(ORDERS).default('clause'),
  language: z.enum(LANGUAGES).default('auto'),
  timeZone: timeZoneSchema.default('Asia/Shanghai'),
  summaryTable: z.boolean().default(true),
  includeEmptyNotes: z.boolean().default(false),
  changeSummary: text(4_000).optional(),

  masthead: text(40).optional(),
  title: text(200).optional(),
  unit: text(100).default(''),
  issueNumber: text(40).default(''),
  date: isoDateSchema.optional(),
  mark: text(20).default(''),
  reportTo: text(500).default(''),
  copyTo: text(500).default(''),
  distributeTo: text(500).default(''),
  copies: z.number().int().min(1).max(1_000_000).optional(),
});

export const briefingOptionsSchema = optionsObject.refine((o) => !o.from || !o.to || o.from <= o.to, {
  message: '"from" must not be after "to"',
  path: ['to'],
});

export type BriefingOptions = z.infer<typeof briefingOptionsSchema>;
export type BriefingOptionsInput = z.input<typeof briefingOptionsSchema>;

/** Whether the viewer's private ("Only me") annotations are in the scope: as asked, else only for 'mine'. */
export function includesPrivate(options: Pick<BriefingOptions, 'includePrivate' | 'who'>): boolean {
  return options.includePrivate ?? options.who === 'mine';
}

/**
 * Where every export starts (the dialog, the side panel's quick export, the server's): the team's shared
 * annotations, private ones left out. Before joining a team every annotation is the user's own and private, so
 * the scope is the user's own ('mine'), whose default includes them.
 */
export function defaultScope(inTeam: boolean): Pick<BriefingOptions, 'who'> {
  return { who: inTeam ? 'team' : 'mine' };
}

/** The fields the export dialog remembers per team: the header and closing block. */
export const HEADER_FIELDS = [
  'masthead',
  'unit',
  'issueNumber',
  'mark',
  'reportTo',
  'copyTo',
  'distributeTo',
  'copies',
] as const satisfies readonly (keyof BriefingOptions)[];

/** Parses options from the dialog (or any object); throws a ValidationError listing what is wrong. */
export function parseBriefingOptions(value: unknown = {}): BriefingOptions {
  const result = briefingOptionsSchema.safeParse(value);
  if (!result.success) throw new ValidationError('briefing options', describeIssues(result.error));
  return result.data;
}

const LIST_PARAMS: Record<string, { option: 'documents' | 'tags'; comma: boolean }> = {
  document: { option: 'documents', comma: false },
  documents: { option: 'documents', comma: true },
  tag: { option: 'tags', comma: false },
  tags: { option: 'tags', comma: true },
};
const BOOLEAN_PARAMS = new Set(['includePrivate', 'includeReplies', 'summaryTable', 'includeEmptyNotes']);
const NUMBER_PARAMS = new Set(['copies']);
const OPTION_NAMES = new Set(Object.keys(optionsObject.shape));

function parseBoolean(value: string): boolean | string {
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  return value; // left for the schema to refuse with its own message
}

/**
 * Reads `format` and the options from URL query parameters, e.g.
 * `?format=md&document=K1&tag=财政资金&groupBy=document&from=2024-03-01&unit=办公室`.
 * Unknown or repeated parameters are errors, so a typo does not silently change the briefing.
 * Throws a ValidationError listing every problem.
 */
export function parseBriefingQuery(params: URLSearchParams): { format: BriefingFormat; options: BriefingOptions } {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const seen = new Set<string>();
  let format: string = 'docx';

  for (const [name, value] of params) {
    const list = LIST_PARAMS[name];
    if (list) {
      const values = list.comma
        ? value
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean)
        : [value];
      raw[list.option] = [...((raw[list.option] as string[] | undefined) ?? []), ...values];
      continue;
    }
    if (seen.has(name)) {
      problems.push(`${name}: given more than once`);
      continue;
    }
    seen.add(name);
    if (name === 'format') format = value;
    else if (!OPTION_NAMES.has(name) || name === 'documents' || name === 'tags')
      problems.push(`${name}: unknown option`);
    else if (BOOLEAN_PARAMS.has(name)) raw[name] = parseBoolean(value);
    else if (NUMBER_PARAMS.has(name)) raw[name] = value.trim() === '' ? Number.NaN : Number(value);
    else raw[name] = value;
  }

  if (!(BRIEFING_FORMATS as readonly string[]).includes(format)) {
    problems.push(`format: must be one of ${BRIEFING_FORMATS.join(', ')}`);
  }
  const result = briefingOptionsSchema.safeParse(raw);
  if (!result.success) problems.push(...describeIssues(result.error));
  if (problems.length || !result.success) throw new ValidationError('briefing options', problems);
  return { format: format as BriefingFormat, options: result.data };
}
