/**
 * What the in-page UI shows, as one snapshot it renders from (`useSyncExternalStore`). Each part of the page
 * layer writes its own fields only: the connection what the background says, the highlight layer the anchors,
 * the selection controller the selection and clause mode, the session the cards, toasts and settings.
 */
import type { Annotation } from '../../../shared/model/annotation.ts';
import type { ErrorInfo } from '../errors.ts';
import type { AnchorStatus, Peer, Preferences, SyncStatus, TagUsage } from '../messages.ts';
import type { TaskContext } from '../tasks-messages.ts';
import type { TaskFormRow } from './task-drafts.ts';

export type { AnchorStatus } from '../messages.ts';

/** From the background (connection.ts). */
export type ConnectionFields = {
  /** Live annotations of this page, replies included. */
  annotations: Annotation[];
  peers: Peer[];
  status: SyncStatus;
};

/** From the highlight layer (highlight-layer.ts). */
export type HighlightFields = {
  anchors: Record<string, AnchorStatus>;
  /** Painted highlight ids in document order. */
  order: string[];
};

export type SelectionState = {
  /** Changes with each new selection (the toolbar starts afresh). */
  serial: number;
  range: Range;
  rect: DOMRect;
  quote: string;
  clausePath: string[];
  /** The selection covers its whole clause: widening it to the clause would change nothing. */
  wholeClause: boolean;
};
export type HoverClause = { path: string[]; rect: DOMRect };

/** From the selection controller (selection.ts). */
export type SelectionFields = {
  selection: SelectionState | null;
  clauseMode: boolean;
  hoverClause: HoverClause | null;
};

/** From the session (session.ts): cards, toasts, settings. */
export type SessionFields = {
  documentKey: string;
  /** Bumped to ask the toolbar or card to focus its tag field (the "tag selection" shortcut). */
  focusTagsRequest: number;
  openCard: { id: string; rect: DOMRect } | null;
  /** A refused action, worded by the UI (errors.ts). */
  error: ErrorInfo | null;
  notice: string | null;
  lastDeleted: string | null;
  preferences: Preferences | null;
  /** The user's member id in the team, or null before joining. */
  memberId: string | null;
  /** Colleagues whose highlights are hidden on the page. */
  hiddenAuthors: string[];
  vocabulary: TagUsage[];
  /** The task form or a section's review list, while open (task-actions.ts opens and closes it). */
  taskDialog: TaskDialogState | null;
};

export type PageState = ConnectionFields & HighlightFields & SelectionFields & SessionFields;

/** Writes some fields of the page state. */
export type StateWriter<K extends keyof PageState> = {
  get(): PageState;
  set(patch: Partial<Pick<PageState, K>>): void;
};

export class PageStateStore {
  private state: PageState;
  private readonly listeners = new Set<() => void>();

  constructor(initial: PageState) {
    this.state = initial;
  }

  get = (): PageState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set = (patch: Partial<PageState>): void => {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  };

  /** The writer of one part's fields (the type keeps each part to its own). */
  writer<K extends keyof PageState>(): StateWriter<K> {
    return { get: this.get, set: this.set };
  }
}

/** The task form for one clause, or the review list of every item of a section. */
export type TaskDialogState = {
  kind: 'single' | 'section';
  /** The clause (or section) the form is about: its label path, and its heading or first words. */
  path: string[];
  title: string;
  rows: TaskFormRow[];
  context: TaskContext;
  year: number | undefined;
  /** Changes with each opening (the form starts afresh). */
  serial: number;
  error: string | null;
  saving: boolean;
};
