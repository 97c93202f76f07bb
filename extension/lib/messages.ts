/**
 * The typed contract between the extension's parts. Content scripts, the side panel, the popup and the options
 * page ask the background (which owns the store and sync) through `request`; the background answers with
 * `{ ok: true, value }` or `{ ok: false, error }`. Every message is validated with zod on arrival: the page a
 * content script runs on is untrusted, and a message that fails validation is refused with a clear error.
 */
import { z } from 'zod';
import {
  type Annotation,
  COLORS,
  documentInfoSchema,
  idSchema,
  selectorSchema,
  VISIBILITIES,
  LIMITS,
} from '../../shared/model/annotation.ts';
import { type ErrorInfo, errorInfoSchema } from './errors.ts';
import type { UnitChange } from '../../shared/tasks/model.ts';
import { COMPARE_REQUESTS, pageSnapshotSchema } from './compare-messages.ts';
import {
  type AnswerOf,
  type Contract,
  type HandlersOf,
  request,
  type RequestOf,
  requestSchemaOf,
  type SentRequest,
} from './contract.ts';
import type { TeamRow } from './store/schema.ts';
import { TASK_REQUESTS } from './tasks-messages.ts';

const newAnnotationSchema = z.object({
  documentKey: idSchema,
  selectors: z.array(selectorSchema).min(1).max(LIMITS.selectorsPerAnnotation),
  clausePath: z.array(z.string().min(1).max(LIMITS.labelChars)).max(LIMITS.clausePathDepth),
  quote: z.string().max(LIMITS.quoteChars),
  tags: z
    .array(z.string().max(LIMITS.tagChars * 2))
    .max(LIMITS.tagsPerAnnotation)
    .default([]),
  note: z.string().max(LIMITS.noteChars).default(''),
  color: z.enum(COLORS).optional(),
  visibility: z.enum(VISIBILITIES).optional(),
  replyTo: idSchema.nullable().default(null),
});
export type NewAnnotation = z.input<typeof newAnnotationSchema>;

const annotationPatchSchema = z
  .object({
    tags: z.array(z.string().max(LIMITS.tagChars * 2)).max(LIMITS.tagsPerAnnotation),
    note: z.string().max(LIMITS.noteChars),
    color: z.enum(COLORS),
    visibility: z.enum(VISIBILITIES),
    selectors: z.array(selectorSchema).min(1).max(LIMITS.selectorsPerAnnotation),
    clausePath: z.array(z.string().min(1).max(LIMITS.labelChars)).max(LIMITS.clausePathDepth),
    quote: z.string().max(LIMITS.quoteChars),
  })
  .partial();
export type AnnotationPatch = z.infer<typeof annotationPatchSchema>;

export const preferencesSchema = z.object({
  displayName: z.string().trim().min(1).max(LIMITS.nameChars).optional(),
  defaultColor: z.enum(COLORS).default('yellow'),
  defaultVisibility: z.enum(VISIBILITIES).default('team'),
  language: z.enum(['auto', 'zh_CN', 'en']).default('auto'),
  /** Sites (origins) where the user switched Pizhu off. */
  disabledSites: z.array(z.string().max(LIMITS.urlChars)).max(10_000).default([]),
  /** Pages keep statistics of their painting and report them (`page.report`); off unless set (tests, benchmarks). */
  debug: z.boolean().default(false),
});
export type Preferences = z.infer<typeof preferencesSchema>;
/**
 * A change to some preferences. Not `preferencesSchema.partial()`: zod still applies the defaults of a partial
 * schema, so a patch of one field would reset every other field to its default.
 */
const preferencesPatchSchema = z
  .object({
    displayName: preferencesSchema.shape.displayName,
    defaultColor: z.enum(COLORS),
    defaultVisibility: z.enum(VISIBILITIES),
    language: z.enum(['auto', 'zh_CN', 'en']),
    disabledSites: z.array(z.string().max(LIMITS.urlChars)).max(10_000),
    debug: z.boolean(),
  })
  .partial();

const unitNameInput = z.string().max(LIMITS.nameChars * 2);
/** A change to the team's units, naming units by id (shared/tasks/model.ts, units). */
const unitRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('add'), name: unitNameInput }),
  z.object({ action: z.literal('rename'), id: idSchema, name: unitNameInput }),
  z.object({ action: z.literal('merge'), from: z.array(idSchema).min(1).max(100), into: idSchema }),
  z.object({ action: z.literal('delete'), id: idSchema }),
]);

/**
 * Every request the background answers: its type, the fields it carries (validated on arrival) and what it
 * answers (a refusal is an error's code and params instead). `ask` and the router's handlers are typed from it.
 */
export const REQUESTS = {
  'annotations.list': request({ documentKey: idSchema }).answers<Annotation[]>(),
  'annotation.create': request({ annotation: newAnnotationSchema, document: documentInfoSchema }).answers<Annotation>(),
  'annotation.update': request({ id: idSchema, patch: annotationPatchSchema }).answers<Annotation>(),
  'annotation.delete': request({ id: idSchema }).answers<Annotation>(),
  'annotation.restore': request({ id: idSchema }).answers<Annotation>(),
  'settings.get': request({}).answers<SettingsView>(),
  'settings.update': request({ patch: preferencesPatchSchema }).answers<SettingsView>(),
  'team.join': request({
    serverUrl: z.string().max(LIMITS.urlChars),
    inviteCode: z.string().max(128),
    displayName: z.string().max(LIMITS.nameChars),
  }).answers<PublicTeam>(),
  'team.leave': request({ removeTeamData: z.boolean() }).answers<LeaveSummary>(),
  'sync.status': request({}).answers<SyncStatus>(),
  /** Bulk catch-up of every room of the team now (also runs on a timer). */
  'sync.now': request({}).answers<SyncStatus>(),
  'tags.rename': request({
    from: z.string().max(LIMITS.tagChars * 2),
    to: z.string().max(LIMITS.tagChars * 2),
  }).answers<TagRenameResult>(),
  'tags.merge': request({
    from: z
      .array(z.string().max(LIMITS.tagChars * 2))
      .min(1)
      .max(100),
    to: z.string().max(LIMITS.tagChars * 2),
  }).answers<TagRenameResult>(),
  /** The tag library: every tag in use with its count and when it was last used. */
  'tags.list': request({}).answers<TagUsage[]>(),
  /** A change to the team's units (team room `units`): add, rename, merge, delete. */
  'units.change': request({ change: unitRequestSchema }).answers<UnitResult>(),
  /** Everything as a W3C Web Annotation collection (JSON text). */
  'backup.export': request({}).answers<string>(),
  'backup.import': request({ json: z.string().max(200 * 1024 * 1024) }).answers<ImportSummary>(),
  ...COMPARE_REQUESTS,
  ...TASK_REQUESTS,
} as const satisfies Contract;
export type Requests = typeof REQUESTS;

/** Checks what arrives at the background: any request of the contract, its fields validated. */
export const requestSchema = requestSchemaOf(REQUESTS);
export type RequestType = keyof Requests;
/** A request as the background receives it (defaults applied); `Request<'annotation.create'>` is one type. */
export type Request<K extends RequestType = RequestType> = RequestOf<Requests, K>;
/** A request of type K as a sender writes it (defaults not yet applied); `ask` infers K from its `type`. */
export type RequestInput<K extends RequestType> = SentRequest<Requests, K>;
/** What the background answers a request of type K with. */
export type Answer<K extends RequestType> = AnswerOf<Requests, K>;
/** One handler per request type (background/root.ts), each checked against its answer's type. */
export type Handlers = HandlersOf<Requests>;

export type UnitRequest = z.infer<typeof unitRequestSchema>;
/** The unit a change produced or kept, or why it was refused (a code the panel words from its locale). */
export type UnitResult = { ok: true; id: string } | { ok: false; error: Extract<UnitChange, { ok: false }>['error'] };

/** One row of the tag library (`tags.list`), with the tag's former names (tags the team renamed into it). */
export type TagUsage = { tag: string; count: number; usedAt: number; aliases?: string[] };

/** Keyboard shortcuts (browser commands) the content script acts on; the background forwards them. */
export const PAGE_COMMANDS = [
  'highlight-selection',
  'tag-selection',
  'next-annotation',
  'previous-annotation',
] as const;
export type PageCommand = (typeof PAGE_COMMANDS)[number];

/** Messages from extension pages to a tab's content script (browser.tabs.sendMessage). */
export const tabMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('page.scrollTo'), id: idSchema }),
  z.object({ type: z.literal('page.reattach'), id: idSchema }),
  z.object({ type: z.literal('page.command'), command: z.enum(PAGE_COMMANDS) }),
  /** What the content script knows of this page: see PageReport. */
  z.object({ type: z.literal('page.report') }),
  /** The user turned Pizhu off for this site: remove the UI and the highlights now. */
  z.object({ type: z.literal('page.disable') }),
  /** A clause snapshot of the page as read now: `{ documentKey, bodyHash, snapshot }` or `{ error }`. */
  z.object({ type: z.literal('page.takeSnapshot') }),
]);
export type TabMessage = z.infer<typeof tabMessageSchema>;

export type AnchorStatus = 'exact' | 'fuzzy' | 'orphan' | 'ambiguous' | 'pending';

/**
 * One anchoring-and-painting run of a page, recorded only when `preferences.debug` is set. Times are ms;
 * `startedAt`/`endedAt` are the page's performance.now().
 */
export type PaintRun = {
  /** Highlights given to the run (those whose anchor was kept included). */
  annotations: number;
  /** Highlights on the page after it. */
  painted: number;
  orphans: number;
  slices: number;
  /** Longest slice of anchoring and painting work. */
  longestSliceMs: number;
  totalMs: number;
  startedAt: number;
  endedAt: number;
  /** Reading the page into the anchoring index (in steps that yield), when this run had to. */
  indexMs: number;
};

/** A content script's answer to `page.report`. */
export type PageReport = {
  documentKey: string;
  /** The page has the background's annotations and has anchored every one of them. */
  ready: boolean;
  anchors: Record<string, AnchorStatus>;
  /** Anchored annotation ids in document order. */
  order: string[];
  /** The clause label path each anchored annotation sits in now (the page may have been renumbered). */
  clausePaths: Record<string, string[]>;
  /** Whether the user has a non-empty selection in the page now (for re-attaching an orphan). */
  hasSelection: boolean;
  /** The last few paint runs, with `preferences.debug` only. */
  paint?: PaintRun[];
};

/** A content script's answer to `page.reattach`. */
export type ReattachResult =
  | { ok: true }
  | { ok: false; reason: 'no-selection' }
  | { ok: false; reason: 'refused'; error: ErrorInfo };

/** Messages on the long-lived port a content script opens for its page. */
export const PAGE_PORT = 'pizhu-page';
export const pagePortInSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('page.open'), documentKey: idSchema, document: documentInfoSchema }),
  /** The hash of the body's text as read now (sent once the body is found; see documentChanged). */
  z.object({ type: z.literal('page.seen'), documentKey: idSchema, contentHash: z.string().min(1).max(128) }),
  pageSnapshotSchema,
]);
export type PagePortIn = z.infer<typeof pagePortInSchema>;

export const syncStatusSchema = z.object({
  state: z.enum(['offline', 'connecting', 'syncing', 'online', 'error', 'not-joined']),
  /** Why the state is offline or error, worded by the UI. */
  error: errorInfoSchema.optional(),
  /** When the last complete catch-up with the server ended (epoch ms). */
  lastSyncedAt: z.number().optional(),
  /** Rooms (pages) with local changes the server may not have yet. */
  pending: z.number().optional(),
  /** How many changes those rooms hold (each edit made here is one). */
  unsent: z.number().optional(),
  /** Recent non-fatal problems (a record that failed validation, a room the server refused), newest first. */
  problems: z.array(errorInfoSchema).optional(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const peerSchema = z.object({ id: z.string(), name: z.string(), color: z.string().optional() });
export type Peer = z.infer<typeof peerSchema>;

export type PagePortOut =
  | { type: 'annotations'; documentKey: string; annotations: Annotation[] }
  | { type: 'presence'; peers: Peer[] }
  | { type: 'status'; status: SyncStatus }
  /** The background holds no snapshot of this version of the annotated page: send one (`page.snapshot`). */
  | { type: 'snapshot.wanted' };

/** The team this browser joined, as the other parts may see it (no token). */
export type PublicTeam = Omit<TeamRow, 'token'>;

/** The answer to `settings.get` and `settings.update`. */
export type SettingsView = {
  team: PublicTeam | null;
  status: SyncStatus;
  preferences: Preferences;
};

/** What leaving a team did: annotations removed, private ones kept, whether the server revoked the token. */
export type LeaveSummary = { removed: number; keptPrivate: number; tokenRevoked: boolean };

/** What a tag rename or merge did: the tags (as they read before) that now read as `to`. */
export type TagRenameResult = { renamed: string[]; to: string };

/** What importing a backup did. */
export type ImportSummary = {
  /** New or newer records written. */
  imported: number;
  /** Records already stored in this or a newer version. */
  unchanged: number;
  /** Records that could not be imported, each with the reason. */
  errors: ImportProblem[];
};

/** A record of a backup that was not imported: which one, and why (a code and params, worded by the page). */
export type ImportProblem = {
  kind: 'collection' | 'annotation' | 'document';
  /** Its place among the file's annotations or documents, from 1; null when only its id is known. */
  position: number | null;
  /** Its id or document key as written, when it has one. */
  id: string | null;
  error: ErrorInfo;
};

/** The background's answer to a request; a refusal is an error's code and params, worded by the asking page. */
export type Response<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
