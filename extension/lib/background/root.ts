/**
 * The background's root: builds the store, the rooms and their sync, and the services with one concern each,
 * wires them together, and answers every request of the contract (messages.ts) with one of them. Requests arrive
 * already validated (router.ts).
 *
 * Nothing essential lives only in memory: the team, the cursor, room states and unsent changes are in
 * IndexedDB; what the services hold are caches of the open pages and connections, rebuilt as pages reconnect.
 */
import type { Handlers } from '../messages.ts';
import { AnnotationStore } from '../store/annotation-store.ts';
import { PizhuDatabase } from '../store/db.ts';
import { StoreQueries } from '../store/queries.ts';
import { CatchUp } from '../sync/catch-up.ts';
import type { WebSocketFactory } from '../sync/connection.ts';
import { Realtime } from '../sync/realtime.ts';
import { RoomRegistry } from '../sync/rooms.ts';
import { SyncStatusTracker } from '../sync/status.ts';
import { SyncEngine } from '../sync/sync-engine.ts';
import { Annotations } from './annotations.ts';
import { background } from './background-task.ts';
import { Backup } from './backup.ts';
import { compareHandlers, Versions } from './compare.ts';
import { Membership } from './membership.ts';
import { PagePorts } from './page-ports.ts';
import { SyncControl } from './sync-control.ts';
import { Tags } from './tags.ts';
import { TaskService, taskHandlers } from './tasks.ts';
import { TeamVocabulary } from './team-vocabulary.ts';

export type BackgroundOptions = {
  WebSocketImpl?: WebSocketFactory;
  now?: () => number;
  /** How long rooms and connections linger unused (tests shorten it). */
  graceMs?: number;
  /** Opens one of the extension's pages in a new tab (the background gives it the browser's tabs). */
  openPage?: (path: string) => Promise<void>;
};

export class Background {
  readonly store: AnnotationStore;
  readonly queries: StoreQueries;
  readonly rooms: RoomRegistry;
  readonly status = new SyncStatusTracker();
  readonly engine: SyncEngine;
  readonly realtime: Realtime;
  /** The team and the user's preferences. */
  readonly membership: Membership;
  readonly annotations: Annotations;
  /** The tag library, tag renames and the team's units. */
  readonly tags: Tags;
  readonly sync: SyncControl;
  readonly backup: Backup;
  /** The pages being read (content scripts' ports). */
  readonly pages: PagePorts;
  /** Tag renames and units, written into the team room. */
  readonly vocabulary: TeamVocabulary;
  /** Versions of notices: clause snapshots and carrying annotations over (compare.ts). */
  readonly versions: Versions;
  /** Tasks on clauses and their progress (tasks.ts). */
  readonly tasks: TaskService;
  /** Every request's handler, checked against the contract's answer types. */
  readonly handlers: Handlers;

  constructor(db: PizhuDatabase = new PizhuDatabase(), options: BackgroundOptions = {}) {
    const now = options.now ?? Date.now;
    const openPage = options.openPage ?? (() => Promise.reject(new Error('Opening a page is not available here')));
    this.store = new AnnotationStore(db);
    this.queries = new StoreQueries(db);
    this.rooms = new RoomRegistry(
      db,
      this.store,
      {
        onChange: (change) => background(this.sync.roomChanged(change)),
        onProblem: (problem) => this.sync.roomProblem(problem),
      },
      options.graceMs,
    );
    this.engine = new SyncEngine(db, new CatchUp(db, this.rooms), this.status, undefined, now);
    this.vocabulary = new TeamVocabulary(this.rooms, now);
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
    const shared = { db, store: this.store, rooms: this.rooms, status: this.status, now };
    this.membership = new Membership({
      ...shared,
      engine: this.engine,
      realtime: this.realtime,
      pages: () => this.pages,
    });
    this.sync = new SyncControl({
      ...shared,
      engine: this.engine,
      realtime: () => this.realtime,
      pages: () => this.pages,
      membership: this.membership,
      projectStaleRooms: (roomIds) => this.tasks.projectStaleRooms(roomIds),
    });
    this.annotations = new Annotations({
      ...shared,
      queries: this.queries,
      membership: this.membership,
      notifyPages: (documentKey) => this.pages.notify(documentKey),
      versionRead: (documentKey, contentHash) => this.versions.pageRead(documentKey, contentHash),
    });
    this.tags = new Tags({
      ...shared,
      queries: this.queries,
      vocabulary: this.vocabulary,
      membership: this.membership,
      annotations: this.annotations,
    });
    this.backup = new Backup(db, {
      existing: (ids) => db.annotations.bulkGet(ids),
      rememberDocument: (document) => this.annotations.rememberDocument(document, false).then(() => undefined),
      save: (annotation) => this.annotations.save(annotation),
      team: () => this.membership.team(),
    });
    this.pages = new PagePorts({
      annotations: (documentKey) => this.annotations.list(documentKey),
      rememberDocument: (document) => this.annotations.rememberDocument(document, false),
      documentSeen: (documentKey, contentHash) => this.annotations.documentSeen(documentKey, contentHash),
      keepSnapshot: (documentKey, snapshot, bodyHash) => this.versions.keep(documentKey, snapshot, bodyHash),
      team: () => this.membership.team(),
      realtime: this.realtime,
      status: this.status,
    });
    this.versions = new Versions({
      db,
      store: this.store,
      rooms: this.rooms,
      team: () => this.membership.team(),
      askPages: (documentKey) => this.pages.wantSnapshot(documentKey),
      annotateStored: (input, documentKey, carriedFrom) =>
        this.annotations.annotateStored(input, documentKey, carriedFrom),
    });
    this.tasks = new TaskService({
      rooms: this.rooms,
      vocabulary: this.vocabulary,
      team: () => this.membership.team(),
      saveTeam: async (team) => void (await db.teams.put(team)),
      rememberDocument: (document) => this.annotations.rememberDocument(document, false),
      storedDocument: (documentKey) => this.annotations.storedDocument(documentKey),
      now,
      randomId: () => crypto.randomUUID(),
    });
    this.handlers = this.route(openPage);
  }

  private route(openPage: (path: string) => Promise<void>): Handlers {
    const { annotations, backup, membership, sync, tags, tasks, versions } = this;
    return {
      'annotations.list': (r) => annotations.list(r.documentKey),
      'annotation.create': (r) => annotations.create(r.annotation, r.document),
      'annotation.update': (r) => annotations.update(r.id, r.patch),
      'annotation.delete': (r) => annotations.setDeleted(r.id, true),
      'annotation.restore': (r) => annotations.setDeleted(r.id, false),
      'settings.get': () => membership.settings(),
      'settings.update': (r) => membership.updatePreferences(r.patch),
      'team.join': (r) => membership.join(r.serverUrl, r.inviteCode, r.displayName),
      'team.leave': (r) => membership.leave(r.removeTeamData),
      'sync.status': () => sync.status(),
      'sync.now': () => sync.syncNow(),
      'tags.rename': (r) => tags.merge([r.from], r.to),
      'tags.merge': (r) => tags.merge(r.from, r.to),
      'tags.list': () => tags.library(),
      'units.change': (r) => tags.changeUnits(r.change),
      'backup.export': () => backup.export(),
      'backup.import': (r) => backup.import(r.json),
      ...compareHandlers(versions, openPage),
      ...taskHandlers(tasks),
    };
  }
}
