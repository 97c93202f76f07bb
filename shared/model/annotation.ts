/**
 * The annotation model: one record per highlight, shared by the extension, the sync server and the briefing.
 * Every boundary (import, sync, messages between extension parts, REST) validates with these schemas, so an
 * invalid record is refused with a readable error and never stored.
 */
import { z } from 'zod';
import { normaliseTags } from './tags.ts';

export const LIMITS = {
  idLength: 64,
  quoteChars: 20_000,
  noteChars: 20_000,
  tagChars: 50,
  tagsPerAnnotation: 30,
  clausePathDepth: 12,
  labelChars: 64,
  urlChars: 4_096,
  titleChars: 1_000,
  nameChars: 100,
  selectorsPerAnnotation: 8,
} as const;

export const COLORS = ['yellow', 'green', 'blue', 'pink', 'purple'] as const;
export type Color = (typeof COLORS)[number];

export const VISIBILITIES = ['private', 'team'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

/** URL-safe identifiers: annotation, member, team ids and room-id parts. */
export const idSchema = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z0-9_-]+$/, 'must use only letters, digits, "_" and "-"');

export const epochMs = z.number().int().nonnegative().max(8.64e15);

// --- W3C Web Annotation selectors (https://www.w3.org/TR/annotation-model/#selectors) ---

export const textQuoteSelectorSchema = z.object({
  type: z.literal('TextQuoteSelector'),
  exact: z.string().min(1).max(LIMITS.quoteChars),
  prefix: z.string().max(512).optional(),
  suffix: z.string().max(512).optional(),
});

export const textPositionSelectorSchema = z
  .object({
    type: z.literal('TextPositionSelector'),
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
  })
  .refine((s) => s.end >= s.start, 'end must not be before start');

/**
 * Pizhu's refinement: the clause the highlight was made in, by label path and a hash of the clause's
 * normalised text, so anchoring can look in that clause first.
 */
export const clauseSelectorSchema = z.object({
  type: z.literal('ClauseSelector'),
  path: z.array(z.string().min(1).max(LIMITS.labelChars)).max(LIMITS.clausePathDepth),
  hash: z.string().min(1).max(128),
});

export const selectorSchema = z.union([textQuoteSelectorSchema, textPositionSelectorSchema, clauseSelectorSchema]);

export type TextQuoteSelector = z.infer<typeof textQuoteSelectorSchema>;
export type TextPositionSelector = z.infer<typeof textPositionSelectorSchema>;
export type ClauseSelector = z.infer<typeof clauseSelectorSchema>;
export type Selector = z.infer<typeof selectorSchema>;

// --- people and documents ---

export const authorSchema = z.object({
  id: idSchema,
  name: z.string().trim().min(1).max(LIMITS.nameChars),
});
export type Author = z.infer<typeof authorSchema>;

const httpUrl = z
  .string()
  .max(LIMITS.urlChars)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/** A policy page as read from its metadata block. `key` is derived from the canonical URL (see canonical-url.ts). */
export const documentInfoSchema = z.object({
  key: idSchema,
  canonicalUrl: z.string().min(1).max(LIMITS.urlChars),
  url: httpUrl,
  title: z.string().max(LIMITS.titleChars),
  issuer: z.string().max(LIMITS.titleChars).optional(),
  docNumber: z.string().max(200).optional(),
  publishedAt: z.string().max(40).optional(),
  language: z.string().max(20).optional(),
  /** Hash of the body's normalised text when it was annotated; a different hash later flags the page as changed. */
  contentHash: z.string().max(128).optional(),
  /**
   * Hash of the body's text when this browser last read the page (local, never shared). When it differs from
   * `contentHash` the notice changed since it was annotated: see `documentChanged`.
   */
  seenHash: z.string().max(128).optional(),
  readAt: epochMs.optional(),
});
export type DocumentInfo = z.infer<typeof documentInfoSchema>;

/** Whether the page's text changed since it was annotated (both hashes known and different). */
export function documentChanged(document: Pick<DocumentInfo, 'contentHash' | 'seenHash'>): boolean {
  return Boolean(document.contentHash && document.seenHash && document.contentHash !== document.seenHash);
}

const tagsSchema = z
  .array(z.string())
  .max(LIMITS.tagsPerAnnotation)
  .transform((tags) => normaliseTags(tags))
  .pipe(z.array(z.string().min(1).max(LIMITS.tagChars)));

/**
 * Where a carried-over annotation came from: the annotation on the earlier version of a notice that "沿用到新版"
 * (carry over to the new version) copied, and that version's document.
 */
export const carriedFromSchema = z.object({ id: idSchema, documentKey: idSchema });
export type CarriedFrom = z.infer<typeof carriedFromSchema>;

export const annotationSchema = z.object({
  id: idSchema,
  /** The document key (a hash of the canonical URL) this annotation belongs to. */
  documentKey: idSchema,
  /** The team whose room holds it; null for annotations made before joining a team (always private). */
  teamId: idSchema.nullable(),
  selectors: z.array(selectorSchema).min(1).max(LIMITS.selectorsPerAnnotation),
  clausePath: z.array(z.string().min(1).max(LIMITS.labelChars)).max(LIMITS.clausePathDepth),
  quote: z.string().max(LIMITS.quoteChars),
  tags: tagsSchema,
  note: z.string().max(LIMITS.noteChars),
  color: z.enum(COLORS),
  author: authorSchema,
  visibility: z.enum(VISIBILITIES),
  /** A teammate's note on someone else's highlight points at that highlight. */
  replyTo: idSchema.nullable().default(null),
  /** Set on an annotation carried over from an earlier version of the notice (absent otherwise). */
  carriedFrom: carriedFromSchema.optional(),
  createdAt: epochMs,
  updatedAt: epochMs,
  deleted: z.boolean().default(false),
});
export type Annotation = z.infer<typeof annotationSchema>;
export type AnnotationInput = z.input<typeof annotationSchema>;

export class ValidationError extends Error {
  constructor(
    readonly what: string,
    readonly issues: string[],
  ) {
    super(`Invalid ${what}: ${issues.join('; ')}`);
    this.name = 'ValidationError';
  }
}

/** Turns zod issues into short "path: message" lines a user or a log can read. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(record)';
    return `${path}: ${issue.message}`;
  });
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(what, describeIssues(result.error));
  return result.data;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function tryParse<T extends z.ZodType>(schema: T, value: unknown, what: string): ParseResult<z.infer<T>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: `Invalid ${what}: ${describeIssues(result.error).join('; ')}` };
}

export const parseAnnotation = (value: unknown): Annotation => parseOrThrow(annotationSchema, value, 'annotation');
export const parseDocumentInfo = (value: unknown): DocumentInfo => parseOrThrow(documentInfoSchema, value, 'document');

export function findSelector<T extends Selector['type']>(
  selectors: readonly Selector[],
  type: T,
): Extract<Selector, { type: T }> | undefined {
  return selectors.find((s): s is Extract<Selector, { type: T }> => s.type === type);
}
