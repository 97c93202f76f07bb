/**
 * Who may write what in a room (docs/room-layout.md, version 2), as one table per kind of room: for each root
 * map, who may put a value under a key, who may delete it, and what the value must be. Roots without a rule are
 * refused, and so is anything nested inside a value (values are whole JSON records). update-policy.ts finds the
 * key every part of an update touches and asks these rules; adding a root map means adding a row here.
 */
import * as Y from 'yjs';
import {
  ANNOTATIONS_KEY,
  annotationSchema,
  annotationsMap,
  DOCUMENT_KEY,
  documentInfoSchema,
  idSchema,
  isNormalisedTag,
  isTeamRoomKey,
  LEGACY_FIELDS,
  NOTES_KEY,
  noteRecordSchema,
  notesMap,
  parseMemberKey,
  REMOVED_KEY,
  removalSchema,
  SNAPSHOTS_KEY,
  TAG_RENAMES_KEY,
  tagRenameSchema,
  UNITS_KEY,
  unitSchema,
} from '../../shared/model/index.ts';
import type { Role } from '../../shared/protocol/api.ts';
import {
  PROGRESS_KEY,
  parseProgressKey,
  progressEntryMatchesKey,
  progressEntrySchema,
  TASKS_KEY,
  taskRecordSchema,
  tasksMap,
} from '../../shared/tasks/index.ts';
import { snapshotsRule } from './snapshot-rule.ts';

export type Writer = {
  memberId: string;
  role: Role;
  /**
   * Whether the writer belongs to one of these units (after merges): asked only of viewers adding progress to a
   * task, so the lookup (the member's unit in the team store) stays off the hot path.
   */
  belongsToAny?: (unitIds: readonly string[]) => boolean;
};

/** A refusal reason, or null when allowed. */
export type RuleAnswer = string | null;

export interface RootRule {
  /** May the writer put a value under this key (a new entry or an overwrite)? */
  write(writer: Writer, key: string): RuleAnswer;
  /** May the writer delete the entry under this key (overwriting deletes the previous value too)? */
  delete(writer: Writer, key: string): RuleAnswer;
  /** Is this a valid value for the key (`doc`: the room before the update, for values that refer to it)? */
  value(value: unknown, key: string, writer: Writer, doc: Y.Doc): RuleAnswer;
  /** Anything the room's current content forbids (checked for writes only). */
  conflict?(key: string, writer: Writer, doc: Y.Doc): RuleAnswer;
  /** Entries are only ever added: a write placed after an existing entry of its key (an overwrite) is refused. */
  insertOnly?: boolean;
}

/**
 * A root whose values are nested Y.Maps (version 1 records): every write and deletion is checked by its path,
 * `[key]` for the entry itself and `[key, field, ...]` inside it. `value` is the JSON value, or the Y type.
 */
export interface NestedRule {
  nested: true;
  write(writer: Writer, path: readonly (string | null)[], value: unknown, doc: Y.Doc): RuleAnswer;
  delete(writer: Writer, path: readonly (string | null)[], doc: Y.Doc): RuleAnswer;
}

export type RoomRules = ReadonlyMap<string, RootRule | NestedRule>;

const editing = (writer: Writer): RuleAnswer =>
  writer.role === 'owner' || writer.role === 'editor' ? null : 'only editors and owners write here';

const owning = (writer: Writer): RuleAnswer => (writer.role === 'owner' ? null : 'only owners write here');

function schemaAnswer(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  if (result.success) return null;
  const issue = result.error?.issues[0];
  return `invalid value${issue ? ` (${issue.path.map(String).join('.') || 'record'}: ${issue.message})` : ''}`;
}

/** Fields of the page's metadata that each browser keeps for itself and never shares. */
const LOCAL_DOCUMENT_FIELDS = new Set(['seenHash', 'readAt']);

const documentRule: RootRule = {
  write: (writer, key) =>
    editing(writer) ??
    (key in documentInfoSchema.shape && !LOCAL_DOCUMENT_FIELDS.has(key) ? null : `unknown document field "${key}"`),
  delete: (writer) => editing(writer),
  value: (value, key) =>
    schemaAnswer(documentInfoSchema.shape[key as keyof typeof documentInfoSchema.shape].safeParse(value)),
};

/** `<memberId>/<annotationId>` keys belong to the member they name. */
function ownKey(writer: Writer, key: string): RuleAnswer {
  const parsed = parseMemberKey(key);
  if (!parsed) return `"${key.slice(0, 80)}" is not a <memberId>/<annotationId> key`;
  return parsed.memberId === writer.memberId ? null : "another member's entry";
}

/**
 * Which members hold a record with a given annotation id under `notes`, per document: built once with a pass over
 * the keys and kept current by an observer, so checking a new record does not scan every key of a large room.
 */
const noteMembers = new WeakMap<Y.Doc, Map<string, Set<string>>>();

function membersWithNote(doc: Y.Doc, id: string): ReadonlySet<string> {
  let index = noteMembers.get(doc);
  if (!index) {
    const built = new Map<string, Set<string>>();
    const add = (key: string) => {
      const parsed = parseMemberKey(key);
      if (!parsed) return;
      let members = built.get(parsed.id);
      if (!members) built.set(parsed.id, (members = new Set()));
      members.add(parsed.memberId);
    };
    const notes = notesMap(doc);
    for (const key of notes.keys()) add(key);
    notes.observe((event) => {
      for (const key of event.keysChanged) {
        if (notes.has(key)) add(key);
        else {
          const parsed = parseMemberKey(key);
          if (parsed) built.get(parsed.id)?.delete(parsed.memberId);
        }
      }
    });
    noteMembers.set(doc, built);
    index = built;
  }
  return index.get(id) ?? EMPTY;
}

const EMPTY: ReadonlySet<string> = new Set();

const notesRule: RootRule = {
  write: (writer, key) => editing(writer) ?? ownKey(writer, key),
  delete: (writer, key) => editing(writer) ?? ownKey(writer, key),
  value(value, key, writer) {
    const parsed = noteRecordSchema.safeParse(value);
    if (!parsed.success) return schemaAnswer(parsed);
    if (parsed.data.author.id !== writer.memberId) return 'the author must be the writer';
    if (parsed.data.id !== parseMemberKey(key)!.id) return 'the record id must match its key';
    return null;
  },
  /** An annotation id belongs to the first member who wrote it (version 2 or version 1). */
  conflict(key, writer, doc) {
    if (notesMap(doc).has(key)) return null;
    const { id } = parseMemberKey(key)!;
    for (const member of membersWithNote(doc, id)) {
      if (member !== writer.memberId) return "the annotation id is another member's";
    }
    const legacy = annotationsMap(doc).get(id);
    const legacyAuthor = legacy?.get?.('author') as { id?: unknown } | undefined;
    if (legacy !== undefined && legacyAuthor?.id !== writer.memberId) return "the annotation id is another member's";
    return null;
  },
};

const removedRule: RootRule = {
  write: (writer, key) => owning(writer) ?? (parseMemberKey(key) ? null : 'not a <memberId>/<annotationId> key'),
  delete: (writer) => owning(writer),
  value(value, _key, writer) {
    const parsed = removalSchema.safeParse(value);
    if (!parsed.success) return schemaAnswer(parsed);
    return parsed.data.by === writer.memberId ? null : '"by" must be the writer';
  },
};

/** Tasks: any editor or owner writes a whole record, signed `updatedBy` themselves, under its own id. */
const tasksRule: RootRule = {
  write: (writer, key) => editing(writer) ?? (idSchema.safeParse(key).success ? null : 'a task key is its id'),
  delete: (writer) => editing(writer),
  value(value, key, writer) {
    const parsed = taskRecordSchema.safeParse(value);
    if (!parsed.success) return schemaAnswer(parsed);
    if (parsed.data.id !== key) return 'the record id must match its key';
    return parsed.data.updatedBy.id === writer.memberId ? null : '"updatedBy" must be the writer';
  },
};

/**
 * Progress: each entry is its author's (`<memberId>/<entryId>`). Editors and owners add progress to any task; a
 * viewer only to a task one of whose lead or responsible units is theirs (the unit the owner gave them).
 */
const progressRule: RootRule = {
  write: (writer, key) => (parseProgressKey(key) ? ownKey(writer, key) : 'not a <memberId>/<entryId> key'),
  delete: (writer, key) => ownKey(writer, key),
  value(value, key, writer, doc) {
    const parsed = progressEntrySchema.safeParse(value);
    if (!parsed.success) return schemaAnswer(parsed);
    if (!progressEntryMatchesKey(key, parsed.data)) return 'the author and id must match the key';
    if (editing(writer) === null) return null;
    const task = taskRecordSchema.safeParse(tasksMap(doc).get(parsed.data.taskId));
    if (!task.success) return 'viewers add progress only to an existing task';
    const units = [...task.data.leadUnits, ...task.data.units];
    return writer.belongsToAny?.(units) ? null : "only editors, owners and members of the task's units add progress";
  },
};

/** The author of a version 1 record in the room: undefined when there is no record, null when it names none. */
function legacyAuthor(doc: Y.Doc, id: string): string | null | undefined {
  const record = annotationsMap(doc).get(id);
  if (record === undefined) return undefined;
  const author = record instanceof Y.Map ? (record.get('author') as { id?: unknown } | undefined) : undefined;
  return typeof author?.id === 'string' ? author.id : null;
}

const LEGACY_FIELD_SET = new Set<string>(LEGACY_FIELDS);

/**
 * Version 1 records (`annotations`, nested maps), kept writable for their authors so that edits an old client
 * queued offline before the upgrade land instead of being refused for good. A record belongs to the author it
 * names: only they write it (a new record must name them, with an id no other member holds), and its author or
 * an owner deletes it. Inside, only the record's fields and its tags map, with valid values.
 */
const legacyRule: NestedRule = {
  nested: true,
  write(writer, path, value, doc) {
    const refused = editing(writer);
    if (refused) return refused;
    const [id, field, tag, ...deeper] = path;
    if (id === null || id === undefined || !idSchema.safeParse(id).success) return 'not an annotation id';
    const author = legacyAuthor(doc, id);
    if (author === undefined) {
      for (const member of membersWithNote(doc, id)) {
        if (member !== writer.memberId) return "the annotation id is another member's";
      }
    } else if (author !== writer.memberId) return "another member's version 1 record";
    // Content the update itself already deleted: nothing of it remains to check.
    if (value === undefined) return null;
    if (field === undefined) return value instanceof Y.Map ? null : 'a version 1 record is a map';
    if (field === 'tags') {
      if (tag === undefined) return value instanceof Y.Map ? null : 'tags are a map';
      const valid = tag !== null && deeper.length === 0 && annotationSchema.shape.tags.safeParse([tag]).success;
      return valid && value === true ? null : 'invalid tag';
    }
    if (field === null || tag !== undefined || !LEGACY_FIELD_SET.has(field)) return 'unknown version 1 field';
    const schema = annotationSchema.shape[field as (typeof LEGACY_FIELDS)[number]];
    const invalid = schemaAnswer(schema.safeParse(value));
    if (invalid) return invalid;
    return field === 'author' && (value as { id: string }).id !== writer.memberId
      ? 'the author must be the writer'
      : null;
  },
  delete(writer, path, doc) {
    if (writer.role === 'owner') return null;
    const refused = editing(writer);
    if (refused) return refused;
    const id = path[0];
    return typeof id === 'string' && legacyAuthor(doc, id) === writer.memberId
      ? null
      : "another member's version 1 record";
  },
};

/** Team-room entries: editors and owners, signed with `by`. */
function teamEntryRule(
  validKey: (key: string) => boolean,
  schema: typeof tagRenameSchema | typeof unitSchema,
): RootRule {
  return {
    write: (writer, key) => editing(writer) ?? (validKey(key) ? null : `invalid key "${key.slice(0, 80)}"`),
    delete: (writer) => editing(writer),
    value(value, _key, writer) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) return schemaAnswer(parsed);
      return parsed.data.by === writer.memberId ? null : '"by" must be the writer';
    },
  };
}

/**
 * Page room `<teamId>.<documentKey>`: every root it may hold has its rule
 * (docs/room-layout.md).
 */
export const PAGE_ROOM_RULES: RoomRules = new Map<string, RootRule | NestedRule>([
  [DOCUMENT_KEY, documentRule],
  [NOTES_KEY, notesRule],
  [REMOVED_KEY, removedRule],
  [SNAPSHOTS_KEY, snapshotsRule],
  [ANNOTATIONS_KEY, legacyRule],
  [TASKS_KEY, tasksRule],
  [PROGRESS_KEY, progressRule],
]);

/** Team room `<teamId>._team`. */
export const TEAM_ROOM_RULES: RoomRules = new Map<string, RootRule | NestedRule>([
  [TAG_RENAMES_KEY, teamEntryRule(isNormalisedTag, tagRenameSchema)],
  [UNITS_KEY, teamEntryRule((key) => idSchema.safeParse(key).success, unitSchema)],
]);

export function rulesFor(documentKey: string): RoomRules {
  return isTeamRoomKey(documentKey) ? TEAM_ROOM_RULES : PAGE_ROOM_RULES;
}
