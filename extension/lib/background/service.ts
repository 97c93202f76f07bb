/**
 * The background's one job: answer the other parts' requests against the store, and keep the rooms of the
 * pages being read connected and the team's data caught up. Requests arrive already validated (router.ts).
 *
 * Where annotations are written: a team annotation is written into its room, whose projection (rooms.ts) is
 * the only path into the annotations table for team data, local edits and colleagues' alike. A private
 * annotation has no room (it never leaves the device, so there is nothing to merge with and nothing to diverge
 * from): the store is its only copy, written through the same AnnotationStore that validates records and keeps
 * the search index and tag library in step.
 *
 * Nothing essential lives only in memory: the team, the cursor, room states and unsent changes are in
 * IndexedDB; the maps below are caches of what the open pages and connections are, rebuilt as pages reconnect.
 */
import type { Annotation, CarriedFrom, DocumentInfo } from '../../../shared/model/annotation.ts';
import { LIMITS, parseAnnotation, parseDocumentInfo } from '../../../shared/model/annotation.ts';
import { parseRoomId, roomIdFor } from '../../../shared/model/room.ts';
import { planTagRename } from '../../../shared/model/tag-renames.ts';
import { isTeamRoomKey } from '../../../shared/model/team-room.ts';
import { normaliseTag, normaliseTags } from '../../../shared/model/tags.ts';
import { comparePageUrl } from '../compare-messages.ts';
import { PizhuError } from '../errors.ts';
import {
  type AnnotationPatch,
  type NewAnnotation,
  type Preferences,
  preferencesSchema,
  type SyncStatus,
  type UnitRequest,
  type UnitResult,
} from '../messages.ts';
import { AnnotationStore, type StoredProblem } from '../store/annotation-store.ts';
import { PizhuDatabase } from '../store/db.ts';
import type { TagRow, TeamRow } from '../store/schema.ts';
import { StoreQueries } from '../store/queries.ts';
import { VocabularyStore } from '../store/vocabulary-store.ts';
import { ApiClient, normaliseServerUrl } from '../sync/api-client.ts';
import { CatchUp } from '../sync/catch-up.ts';
import type { WebSocketFactory } from '../sync/connection.ts';
import { Realtime } from '../sync/realtime.ts';
import { type RoomChange, type RoomProblem, RoomRegistry } from '../sync/rooms.ts';
import { SyncStatusTracker } from '../sync/status.ts';
import { SyncEngine } from '../sync/sync-engine.ts';
import { TaskStore } from '../store/tasks-store.ts';
import { TaskService } from './tasks.ts';
import { background } from './background-task.ts';
import { exportBackup, importBackup, type ImportSummary } from './backup.ts';
import { Versions } from './compare.ts';
import { PagePorts } from './page-ports.ts';
import { type TagRenameResult, TeamVocabulary } from './team-vocabulary.ts';

export type PublicTeam = Omit<TeamRow, 'token'>;
export type Settings = { team: PublicTeam | null; status: SyncStatus; preferences: Preferences };
/** What leaving a team did: annotations removed, private ones kept, whether the server revoked the token. */
export type LeaveSummary = { removed: number; keptPrivate: number; tokenRevoked: boolean };

export type ServiceOptions = {
  WebSocketImpl?: WebSocketFactory;
  now?: () => number;
  /** How long rooms and connections linger unused (tests shorten it). */
  graceMs?: number;
  /** Opens one of the extension's pages in a new tab (the background gives it the browser's tabs). */
  openPage?: (path: string) => Promise<void>;
};

/** At most one catch-up per this interval on worker start or alarm unless something is waiting to be sent. */
const MIN_CATCH_UP_INTERVAL_MS = 20_000;
const PREFERENCES_KEY = 'preferences';

export class PizhuService {
  readonly store: AnnotationStore;
  readonly queries: StoreQueries;
  readonly rooms: RoomRegistry;
  readonly status = new SyncStatusTracker();
  readonly engine: SyncEngine;
  /** The pages being read (content scripts' ports). */
  readonly pages: PagePorts;
  /** Tasks on clauses and their progress (tasks.ts). */
  readonly tasks: TaskService;
  /** Tag renames and units, written into the team room. */
  readonly vocabulary: TeamVocabulary;
  /** Versions of notices: clause snapshots and carrying annotations over (compare.ts). */
  readonly versions: Versions;
  private readonly realtime: Realtime;
  private readonly now: () => number;
  private readonly openPage: (path: string) => Promise<void>;

  constructor(
    private readonly db: PizhuDatabase = new PizhuDatabase(),
    options: ServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.openPage = options.openPage ?? (() => Promise.reject(new Error('Opening a page is not available here')));
    this.store = new AnnotationStore(db);
    this.queries = new StoreQueries(db);
    this.rooms = new RoomRegistry(
      db,
      this.store,
      {
        onChange: (change) => background(this.onRoomChange(change)),
        onProblem: (problem) => this.onRoomProblem(problem),
      },
      options.graceMs,
    );
    this.vocabulary = new TeamVocabulary(this.rooms, this.now);
    this.tasks = new TaskService({
      rooms: this.rooms,
      vocabulary: this.vocabulary,
      team: () => this.team(),
      saveTeam: async (team) => void (await this.db.teams.put(team)),
      rememberDocument: (document) => this.rememberDocument(document, false),
      now: this.now,
      randomId: () => crypto.randomUUID(),
    });
    this.engine = new SyncEngine(db, new CatchUp(db, this.rooms), this.status, undefined, this.now);
    this.realtime = new Realtime(
      this.rooms,
      this.status,
      {
        presence: (roomId, peers) => this.pages.presence(roomId, peers),
        // The server is reachable again: a failed catch-up, or changes waiting to be sent, need not wait.
        online: () => {
          if (this.status.catchUpWanted) background(this.engine.syncNow());
        },
      },
      options.WebSocketImpl,
      options.graceMs,
    );
    this.pages = new PagePorts({
      annotations: (documentKey) => this.list(documentKey),
      rememberDocument: (document) => this.rememberDocument(document, false),
      documentSeen: (documentKey, contentHash) => this.documentSeen(documentKey, contentHash),
      keepSnapshot: (documentKey, snapshot, bodyHash) => this.versions.keep(documentKey, snapshot, bodyHash),
      team: () => this.team(),
      realtime: this.realtime,
      status: this.status,
    });
    this.versions = new Versions({
      db,
      store: this.store,
      rooms: this.rooms,
      team: () => this.team(),
      askPages: (documentKey) => this.pages.wantSnapshot(documentKey),
      annotateStored: (input, documentKey, carriedFrom) => this.annotateStored(input, documentKey, carriedFrom),
    });
  }

  /** Called whenever the service worker starts: restore the status and catch up if due. */
  async start(): Promise<void> {
    const team = await this.team();
    this.status.setJoined(Boolean(team));
    if (!team) return;
    const state = await this.db.syncState.get(team.teamId);
    this.status.setLastSyncedAt(state?.lastSuccessAt);
    await this.engine.refreshPending(team.teamId);
    await this.catchUpIfDue();
    const stale = await this.db.rooms
      .where('teamId')
      .equals(team.teamId)
      .filter((r) => r.projected !== 1)
      .primaryKeys();
    background(this.tasks.projectStaleRooms(stale));
  }

  /** The periodic alarm: catch up unless one ran moments ago with nothing left to send. */
  async catchUpIfDue(): Promise<void> {
    const team = await this.team();
    if (!team) return;
    const state = await this.db.syncState.get(team.teamId);
    const pending = await this.db.rooms
      .where('dirty')
      .equals(1)
      .filter((r) => r.teamId === team.teamId)
      .count();
    if (!pending && state?.lastSuccessAt && this.now() - state.lastSuccessAt < MIN_CATCH_UP_INTERVAL_MS) return;
    await this.engine.tick();
  }

  /** "Reconnect now": every room waiting to reconnect tries at once, and a catch-up runs whatever its backoff. */
  async syncNow(): Promise<SyncStatus> {
    if (!(await this.team())) throw new PizhuError('not_joined');
    this.realtime.reconnectNow();
    await this.engine.syncNow();
    return this.status.get();
  }

  // --- team and settings ---

  async team(): Promise<TeamRow | undefined> {
    return this.db.teams.toCollection().first();
  }

  async join(serverUrlInput: string, inviteCode: string, displayName: string): Promise<PublicTeam> {
    const serverUrl = normaliseServerUrl(serverUrlInput);
    if (!inviteCode.trim()) throw new PizhuError('invite_required');
    if (!displayName.trim()) throw new PizhuError('name_required');
    const joined = await new ApiClient(serverUrl).join(inviteCode.trim(), displayName.trim());
    const current = await this.team();
    if (current && current.teamId !== joined.teamId) {
      throw new PizhuError('other_team_joined', { team: current.teamName });
    }
    const row: TeamRow = {
      teamId: joined.teamId,
      teamName: joined.teamName ?? joined.teamId,
      serverUrl,
      memberId: joined.memberId,
      displayName: displayName.trim(),
      role: joined.role,
      token: joined.token,
      joinedAt: this.now(),
    };
    await this.db.transaction('rw', this.db.teams, this.db.settings, async () => {
      await this.db.teams.clear();
      await this.db.teams.put(row);
      const preferences = await this.preferences();
      await this.db.settings.put({ key: PREFERENCES_KEY, value: { ...preferences, displayName: row.displayName } });
    });
    this.realtime.closeAll();
    this.status.setJoined(true);
    background(this.pages.connectAll());
    background(this.engine.syncNow());
    return publicTeam(row);
  }

  /**
   * Leaves the team. The server is asked to revoke this browser's token first (DELETE /api/me/token), so it stops
   * working wherever it may have been copied; an unreachable server does not keep anyone in a team
   * (`tokenRevoked: false` says so). With `removeTeamData` the team's annotations, rooms and sync state are
   * deleted from this browser; refused while changes made here have not reached the server (they would be lost).
   * Without it, everything stays readable here. Own private notes are always kept (detached from the team).
   */
  async leave(removeTeamData: boolean): Promise<LeaveSummary> {
    const team = await this.team();
    if (!team) throw new PizhuError('not_joined');
    this.engine.cancel();
    this.realtime.closeAll();
    await this.engine.idle();
    if (removeTeamData) {
      await this.engine.syncNow();
      const unsent = await this.db.rooms
        .where('dirty')
        .equals(1)
        .filter((r) => r.teamId === team.teamId)
        .count();
      if (unsent) throw new PizhuError('leave_unsent', { pages: unsent });
    }
    const tokenRevoked = await new ApiClient(team.serverUrl, team.token).revokeToken().then(
      () => true,
      (error: unknown) => {
        console.warn('[pizhu] leaving the team: the server did not revoke the token', error);
        return false;
      },
    );
    await this.rooms.closeTeam(team.teamId);
    const teamRows = await this.db.annotations.where('teamId').equals(team.teamId).toArray();
    const privateRows = teamRows.filter((a) => a.visibility === 'private');
    const teamIds = teamRows.filter((a) => a.visibility !== 'private').map((a) => a.id);
    const vocabulary = new VocabularyStore(this.db, this.store);
    const tasks = new TaskStore(this.db);
    await this.db.transaction(
      'rw',
      [
        this.db.teams,
        this.db.rooms,
        this.db.roomUpdates,
        this.db.syncState,
        this.db.documents,
        ...vocabulary.tables,
        ...tasks.tables,
      ],
      async () => {
        await this.store.put(privateRows.map((a) => ({ ...a, teamId: null })));
        if (removeTeamData) {
          await vocabulary.replace(team.teamId, { tagRenames: new Map(), units: {} });
          await this.store.remove(teamIds);
          await tasks.clearTeam(team.teamId);
          const roomIds = await this.db.rooms.where('teamId').equals(team.teamId).primaryKeys();
          await this.db.roomUpdates.where('room').anyOf(roomIds).delete();
          await this.db.rooms.bulkDelete(roomIds);
          await this.db.syncState.delete(team.teamId);
          const stillUsed = new Set(await this.db.annotations.orderBy('documentKey').uniqueKeys());
          const unused = (await this.db.documents.toCollection().primaryKeys()).filter((key) => !stillUsed.has(key));
          await this.db.documents.bulkDelete(unused);
        }
        await this.db.teams.delete(team.teamId);
      },
    );
    this.status.setJoined(false);
    background(this.pages.notifyAll());
    return { removed: removeTeamData ? teamIds.length : 0, keptPrivate: privateRows.length, tokenRevoked };
  }

  async preferences(): Promise<Preferences> {
    const row = await this.db.settings.get(PREFERENCES_KEY);
    const parsed = preferencesSchema.safeParse(row?.value ?? {});
    if (parsed.success) return parsed.data;
    // Defaults are used until the user saves them again.
    this.status.problem({ code: 'preferences_unreadable' });
    return preferencesSchema.parse({});
  }

  async updatePreferences(patch: Partial<Preferences>): Promise<Settings> {
    const next = preferencesSchema.parse({ ...(await this.preferences()), ...stripUndefined(patch) });
    await this.db.transaction('rw', this.db.settings, this.db.teams, async () => {
      await this.db.settings.put({ key: PREFERENCES_KEY, value: next });
      const team = await this.team();
      if (team && next.displayName && next.displayName !== team.displayName) {
        await this.db.teams.put({ ...team, displayName: next.displayName });
      }
    });
    return this.settings();
  }

  async settings(): Promise<Settings> {
    const team = await this.team();
    return { team: team ? publicTeam(team) : null, status: this.status.get(), preferences: await this.preferences() };
  }

  syncStatus(): SyncStatus {
    return this.status.get();
  }

  // --- annotations ---

  async list(documentKey: string): Promise<Annotation[]> {
    const { annotations, problems } = await this.queries.byDocument(documentKey);
    if (problems.length) background(this.repair(problems));
    return annotations;
  }

  tagLibrary(): Promise<TagRow[]> {
    return this.queries.tagLibrary();
  }

  async create(input: NewAnnotation, document: DocumentInfo): Promise<Annotation> {
    if (input.documentKey !== document.key) throw new PizhuError('page_mismatch');
    const annotation = await this.newAnnotation(input);
    const stored = await this.rememberDocument(document, true);
    await this.save(annotation, stored);
    // the first annotation of this version of the notice: keep its clause snapshot
    if (document.contentHash) background(this.versions.pageRead(document.key, document.contentHash));
    return annotation;
  }

  /**
   * Creates the user's annotation on a document this browser knows, not on the page in front of them (carrying
   * annotations over to a new version of a notice). The document is kept as stored; its text hash as first
   * annotated becomes the text as last read here, when it has none yet.
   */
  async annotateStored(input: NewAnnotation, documentKey: string, carriedFrom?: CarriedFrom): Promise<Annotation> {
    if (input.documentKey !== documentKey) throw new PizhuError('page_mismatch');
    const row = await this.db.documents.get(documentKey);
    if (!row) throw new PizhuError('document_unknown');
    const document = parseDocumentInfo(row);
    const annotation = await this.newAnnotation(input, carriedFrom);
    const stored =
      document.contentHash || !document.seenHash
        ? document
        : await this.store.putDocument({ ...document, contentHash: document.seenHash });
    await this.save(annotation, stored);
    return annotation;
  }

  /** A new annotation of the user's (not stored yet): author, team, visibility and colour as they apply. */
  private async newAnnotation(input: NewAnnotation, carriedFrom?: CarriedFrom): Promise<Annotation> {
    const team = await this.team();
    const preferences = await this.preferences();
    const author = team
      ? { id: team.memberId, name: team.displayName }
      : { id: await this.localAuthorId(), name: preferences.displayName ?? '我' };
    const now = this.now();
    const visibility = team ? (input.visibility ?? preferences.defaultVisibility) : 'private';
    return parseAnnotation({
      ...input,
      tags: input.tags ?? [],
      note: input.note ?? '',
      replyTo: input.replyTo ?? null,
      id: crypto.randomUUID(),
      teamId: team?.teamId ?? null,
      color: input.color ?? preferences.defaultColor,
      visibility,
      author,
      ...(carriedFrom ? { carriedFrom } : {}),
      createdAt: now,
      updatedAt: now,
      deleted: false,
    });
  }

  /** Opens the comparison page for a document, in a new tab. */
  async openComparison(documentKey: string): Promise<void> {
    await this.openPage(comparePageUrl({ doc: documentKey }));
  }

  async update(id: string, patch: AnnotationPatch): Promise<Annotation> {
    const current = await this.store.get(id);
    if (!current) throw new PizhuError('annotation_missing');
    const changes = stripUndefined(patch);
    if (current.visibility === 'team') {
      if (changes.visibility === 'private') throw new PizhuError('cannot_make_private');
      return this.changeInRoom(current, (latest) => ({ ...latest, ...changes }));
    }
    let next = parseAnnotation({ ...current, ...changes, updatedAt: this.nextUpdatedAt(current) });
    if (next.visibility === 'team') {
      const team = await this.team();
      if (!team) throw new PizhuError('join_to_share');
      next = { ...next, teamId: team.teamId };
    }
    await this.save(next);
    return next;
  }

  async setDeleted(id: string, deleted: boolean): Promise<Annotation> {
    const current = await this.store.get(id);
    if (!current) throw new PizhuError('annotation_missing');
    if (current.visibility === 'team') return this.changeInRoom(current, (latest) => ({ ...latest, deleted }));
    const next = { ...current, deleted, updatedAt: this.nextUpdatedAt(current) };
    await this.save(next);
    return next;
  }

  /**
   * Renames or merges tags. In a team this is the team's rename (team room `tagRenames`): every annotation,
   * colleagues' and later ones included, reads the new tag, and no record is rewritten. Without a team the
   * annotations are all this browser's own private ones, and their tags are rewritten.
   */
  async mergeTags(from: readonly string[], to: string): Promise<TagRenameResult> {
    // Refused here by code, for the asking page to word; planTagRename would refuse them in English.
    const target = normaliseTag(to);
    if (!target) throw new PizhuError('empty_tag');
    if (target.length > LIMITS.tagChars) throw new PizhuError('tag_too_long', { max: LIMITS.tagChars });
    const team = await this.team();
    if (team) return this.vocabulary.renameTags(team, from, to);
    const plan = planTagRename(new Map(), from, to, { by: 'local', at: this.now() });
    const sources = new Set(plan.renamed);
    if (!sources.size) return { renamed: [], to: plan.target };
    const rows = await this.db.annotations
      .where('tags')
      .anyOf([...sources])
      .distinct()
      .toArray();
    for (const row of rows) {
      const parsed = parseAnnotation(row);
      const tags = normaliseTags(parsed.tags.map((t) => (sources.has(t) ? plan.target : t)));
      await this.save({ ...parsed, tags, updatedAt: this.nextUpdatedAt(parsed) });
    }
    return { renamed: plan.renamed, to: plan.target };
  }

  /** Adds, renames, merges or deletes one of the team's units (editors and owners). */
  async changeUnits(request: UnitRequest): Promise<UnitResult> {
    const team = await this.team();
    if (!team) throw new PizhuError('not_joined');
    return this.vocabulary.changeUnits(team, request);
  }

  /**
   * Changes a team annotation as it is in its room now, not as the store last saw it: a colleague's edit that
   * arrived a moment ago (and is not projected yet) is the base, so only the fields this change touches are
   * written and nothing of theirs is reverted. Reading and writing the doc happen in one synchronous step.
   */
  private async changeInRoom(current: Annotation, change: (latest: Annotation) => Annotation): Promise<Annotation> {
    const team = await this.team();
    this.refuseViewer(team, current);
    const roomId = roomIdFor(current.teamId!, current.documentKey);
    return this.rooms.use(roomId, async (room) => {
      const latest = room.read(current.id) ?? current;
      const next = parseAnnotation({ ...change(latest), updatedAt: this.nextUpdatedAt(latest) });
      this.refuseOthersChange(team, latest, next);
      await room.write(next, team!.memberId);
      return next;
    });
  }

  /** Colleagues' annotations: an owner may delete one (or take that back); nobody else changes them. */
  private refuseOthersChange(team: TeamRow | undefined, before: Annotation, after: Annotation): void {
    if (!team || before.author.id === team.memberId) return;
    const onlyDeletion = (Object.keys(after) as (keyof Annotation)[]).every(
      (field) =>
        field === 'deleted' || field === 'updatedAt' || JSON.stringify(before[field]) === JSON.stringify(after[field]),
    );
    if (team.role === 'owner' && onlyDeletion) return;
    throw new PizhuError(team.role === 'owner' ? 'owner_delete_only' : 'author_only');
  }

  private nextUpdatedAt(annotation: Annotation): number {
    return Math.max(this.now(), annotation.updatedAt + 1);
  }

  private refuseViewer(team: TeamRow | undefined, annotation: Annotation): void {
    if (team?.teamId === annotation.teamId && team.role === 'viewer') {
      throw new PizhuError('viewer_cannot_edit', { team: team.teamName });
    }
  }

  // --- backup ---

  async exportBackup(): Promise<string> {
    return exportBackup(this.db);
  }

  async importBackup(json: string): Promise<ImportSummary> {
    return importBackup(json, {
      existing: (ids) => this.db.annotations.bulkGet(ids),
      rememberDocument: (document) => this.rememberDocument(document, false).then(() => undefined),
      save: (annotation) => this.save(annotation),
      team: () => this.team(),
    });
  }

  // --- writing ---

  /** Team annotations go through their room (which projects them into the store); private ones straight in. */
  private async save(annotation: Annotation, document?: DocumentInfo): Promise<void> {
    if (annotation.visibility === 'team') {
      if (!annotation.teamId) throw new PizhuError('annotation_no_team');
      const team = await this.team();
      this.refuseViewer(team, annotation);
      if (!team || team.teamId !== annotation.teamId) throw new PizhuError('annotation_other_team');
      const roomId = roomIdFor(annotation.teamId, annotation.documentKey);
      await this.rooms.use(roomId, (room) => room.write(annotation, team.memberId, document));
      return;
    }
    await this.store.put([annotation]);
    await this.pages.notify(annotation.documentKey);
  }

  /**
   * Stores what the page says about itself. The content hash recorded is the text's when first annotated; the
   * hash of the text as read now is kept as `seenHash`, so a notice edited since is flagged (documentChanged).
   */
  async rememberDocument(document: DocumentInfo, annotating: boolean): Promise<DocumentInfo> {
    return this.db.transaction('rw', this.store.tables, async () => {
      const existing = await this.db.documents.get(document.key);
      const annotated = annotating || (await this.db.annotations.where('documentKey').equals(document.key).count()) > 0;
      const contentHash = (annotated && existing?.contentHash) || document.contentHash || existing?.contentHash;
      const next = {
        ...existing,
        ...(stripUndefined(document) as DocumentInfo),
        ...(contentHash ? { contentHash } : {}),
        ...(document.contentHash ? { seenHash: document.contentHash } : {}),
        readAt: this.now(),
      };
      if (!annotated) delete next.contentHash;
      return this.store.putDocument(next);
    });
  }

  // --- pages being read (their ports: page-ports.ts) ---

  /** Records the hash of a document's text as read now, when the document is known. */
  async documentSeen(documentKey: string, contentHash: string): Promise<void> {
    const existing = await this.db.documents.get(documentKey);
    if (existing) await this.rememberDocument({ ...existing, contentHash }, false);
    await this.versions.pageRead(documentKey, contentHash);
  }

  private async onRoomChange(change: RoomChange): Promise<void> {
    this.status.storageRecovered();
    // A change of the team's renames may re-map the tags on any open page.
    if (isTeamRoomKey(change.documentKey)) await this.pages.notifyAll();
    else await this.pages.notify(change.documentKey);
    if (change.local) {
      await this.engine.refreshPending(parseRoomId(change.room)!.teamId);
      if (!this.realtime.isConnected(change.room)) this.engine.schedulePush();
    }
  }

  private onRoomProblem(problem: RoomProblem): void {
    console.warn(`[pizhu] room ${problem.room}:`, problem.error);
    if (problem.storage) this.status.storageFailed(problem.error);
    else this.status.problem(problem.error);
  }

  /**
   * Damaged rows are never passed on nor deleted. A team record is re-read from its room, which holds the
   * truth; a damaged private record cannot be rebuilt and is reported.
   */
  private async repair(problems: StoredProblem[]): Promise<void> {
    const team = await this.team();
    for (const problem of problems) {
      const row = (await this.db.annotations.get(problem.id)) as Partial<Annotation> | undefined;
      if (team && row?.visibility === 'team' && row.teamId === team.teamId && typeof row.documentKey === 'string') {
        try {
          await this.rooms.use(roomIdFor(team.teamId, row.documentKey), (room) => room.reproject());
          if ((await this.store.get(problem.id).catch(() => undefined)) !== undefined) continue;
        } catch {
          // fall through to reporting
        }
      }
      // Hidden, and kept as it was.
      this.status.problem({ code: 'annotation_damaged', params: { id: problem.id }, detail: problem.error });
    }
  }

  private async localAuthorId(): Promise<string> {
    const row = await this.db.settings.get('localAuthorId');
    if (typeof row?.value === 'string') return row.value;
    const id = crypto.randomUUID();
    await this.db.settings.put({ key: 'localAuthorId', value: id });
    return id;
  }
}

function publicTeam(team: TeamRow): PublicTeam {
  const { token: _secret, ...visible } = team;
  return visible;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
