/**
 * The query index: the annotations of every room decoded into rows, kept current as updates arrive, so the
 * REST API lists and filters without loading rooms. The rooms stay the source of truth; the index can always be
 * rebuilt from them (it records, per room, the seq of the last update it reflects).
 */
import type {
  Annotation,
  DocumentInfo,
  RoomReadResult,
  TagResolver,
  TeamVocabulary,
  Units,
} from '../../shared/model/index.ts';
import type { ProgressEntry, Task } from '../../shared/tasks/index.ts';

/** Tasks and progress entries a page room's change touched (written by tasks-index.ts). */
export type TaskIndexChange = {
  tasks: { upserts: Task[]; removedIds: string[] };
  progress: { upserts: ProgressEntry[]; removedKeys: string[] };
};

export type RoomIndexChange = {
  roomId: string;
  teamId: string;
  documentKey: string;
  /** Valid annotations touched by the change. */
  upserts: Annotation[];
  /** Touched ids that are gone or no longer valid. */
  removedIds: string[];
  /** The page's metadata when it changed (null when it became invalid), undefined when untouched. */
  document?: DocumentInfo | null;
  /** The team room's whole vocabulary (tag renames, units), for a change of the team room. */
  vocabulary?: TeamVocabulary;
  /** Tasks and progress entries of a page room the change touched (tasks-index.ts), when it touched any. */
  tasks?: TaskIndexChange;
  /** The room seq through which this change reflects every stored update. */
  throughSeq: number;
  /**
   * Set on a chunk of a larger change: more of the room follows, so writing it must not advance the room's
   * `through` (a crash before the last chunk leaves the room behind, and it is re-indexed when it loads).
   */
  partial?: true;
};

/** A room with changes for the index (an object rather than a callback: no closure per room). */
export interface IndexSource {
  /**
   * The change to write, or null when there is nothing to write yet. With `maxAnnotations`, at most that many
   * annotations: the rest stay due and the change is marked `partial`.
   */
  takeIndexChange(maxAnnotations?: number): RoomIndexChange | null;
  /**
   * The index refused a change it took: another instance had already indexed the room through `indexedThrough`,
   * a later seq than the change reflects, so writing it could put older rows over newer ones. The source reads
   * what the change touched again once its document holds every update through `indexedThrough`.
   */
  indexRefused?(change: RoomIndexChange, indexedThrough: number): void;
}

/** A change the index did not write: the room is indexed through a later seq than the change reflects. */
export type StaleChange = { change: RoomIndexChange; indexedThrough: number };

/** What rooms write into. */
export interface IndexSink {
  /** The room seq through which the index reflects the room (0 when never indexed). */
  through(roomId: string): Promise<number>;
  /** Queued and written in batches (a refusal goes back to `source`); `flush` waits for the writes. */
  applyChange(change: RoomIndexChange, source?: IndexSource): void;
  /**
   * A room has changes to index. The source is read when the next batch is written, once however often the
   * room was marked since the last batch (a note typed in many updates is read and validated once).
   */
  markDirty(roomId: string, source: IndexSource): void;
  /**
   * Rebuilds a room's rows; for the team room, `vocabulary` is what it holds; for a page room, `tasks`. Resolves
   * with null, or, when the index already reflects the room through a later seq (another instance), with that
   * seq, having changed nothing.
   */
  replaceRoom(
    roomId: string,
    read: RoomReadResult,
    throughSeq: number,
    vocabulary?: TeamVocabulary,
    tasks?: TaskIndexChange,
  ): Promise<number | null>;
  flush(): Promise<void>;
}

export type AnnotationFilter = {
  documentKey?: string;
  tag?: string;
  authorId?: string;
  /** Clause path prefix: ["二、"] matches every annotation in section 二 and its sub-clauses. */
  clausePath?: string[];
  /** Substring of the quote or the note (case-insensitive). */
  text?: string;
  /** updatedAt range in epoch ms, inclusive. */
  from?: number;
  to?: number;
  includeDeleted?: boolean;
  limit: number;
  cursor?: string;
};

export type AnnotationPage = { annotations: Annotation[]; nextCursor: string | null };
export type TagCount = { tag: string; count: number };
export type DocumentSummary = { documentKey: string; room: string; document: DocumentInfo | null; annotations: number };
export type TeamAnnotations = { annotations: Annotation[]; documents: DocumentInfo[] };

/**
 * What the REST API reads. Tags are read as the team renamed them (the team room's `tagRenames`): in the
 * annotations returned, in the tag filter (an old name finds what it became) and in the counts.
 */
export interface AnnotationQueries {
  list(teamId: string, filter: AnnotationFilter): Promise<AnnotationPage>;
  tags(teamId: string): Promise<TagCount[]>;
  documents(teamId: string): Promise<DocumentSummary[]>;
  /** How the team reads a tag now (through its renames). */
  tagResolver(teamId: string): Promise<TagResolver>;
  /** The team's units by id (every valid record of its team room's `units`). */
  units(teamId: string): Promise<Units>;
  /**
   * Every live (not deleted) annotation of the team, validated against shared/model, with the documents they
   * belong to: the input of a team briefing.
   */
  teamAnnotations(teamId: string, options?: { documentKeys?: string[]; tags?: string[] }): Promise<TeamAnnotations>;
}
