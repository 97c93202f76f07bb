/**
 * The background's one job: answer the other parts' requests against the store, and keep the rooms of the
 * pages being read connected. Requests arrive already validated (see router.ts).
 */
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { parseAnnotation } from '../../../shared/model/annotation.ts';
import { normaliseTags } from '../../../shared/model/tags.ts';
import { roomIdFor } from '../../../shared/model/room.ts';
import {
  preferencesSchema,
  type AnnotationPatch,
  type NewAnnotation,
  type Peer,
  type PagePortOut,
  type Preferences,
  type SettingsView,
  type SyncStatus,
  type TagUsage,
} from '../messages.ts';
import type { PizhuDatabase, TeamRow } from '../store/db.ts';
import { ApiClient, normaliseServerUrl } from '../sync/api-client.ts';
import { RoomConnection, type ConnectionState } from '../sync/connection.ts';
import { type RoomChange, RoomRegistry } from '../sync/rooms.ts';

export type PagePort = {
  post(message: PagePortOut): void;
};

/** How long a room stays connected after its last page closed (a reload should not drop presence). */
const DISCONNECT_GRACE_MS = 15_000;
const PEER_COLORS = ['#c2410c', '#0369a1', '#15803d', '#7e22ce', '#be123c', '#4d7c0f', '#a16207'];

export class PizhuService {
  private readonly rooms: RoomRegistry;
  private readonly connections = new Map<string, RoomConnection>();
  private readonly pages = new Map<PagePort, string>();
  private readonly disconnectTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private status: SyncStatus = { state: 'not-joined' };
  private preferencesWrite: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: PizhuDatabase) {
    this.rooms = new RoomRegistry(db, (change) => void this.onRoomChange(change));
  }

  // --- team and settings ---

  async team(): Promise<TeamRow | undefined> {
    return this.db.teams.toCollection().first();
  }

  async join(serverUrlInput: string, inviteCode: string, displayName: string): Promise<TeamRow> {
    const serverUrl = normaliseServerUrl(serverUrlInput);
    if (!inviteCode.trim()) throw new Error('Enter the invite code your team owner gave you');
    if (!displayName.trim()) throw new Error('Enter the name your colleagues will see');
    const joined = await new ApiClient(serverUrl).join(inviteCode.trim(), displayName.trim());
    const row: TeamRow = {
      teamId: joined.teamId,
      teamName: joined.teamName ?? joined.teamId,
      serverUrl,
      memberId: joined.memberId,
      displayName: displayName.trim(),
      role: joined.role,
      token: joined.token,
      joinedAt: Date.now(),
    };
    await this.db.transaction('rw', this.db.teams, async () => {
      await this.db.teams.clear();
      await this.db.teams.put(row);
    });
    this.setStatus({ state: 'offline' });
    for (const documentKey of new Set(this.pages.values())) void this.connectRoom(documentKey);
    return row;
  }

  async settings(): Promise<SettingsView> {
    const team = await this.team();
    const preferences = await this.preferences();
    if (!team) return { team: null, status: this.status, preferences };
    const { token: _secret, ...visible } = team;
    return { team: visible, status: this.status, preferences };
  }

  // Minimal preferences and tag usage, added by the UI branch for its screens; the store owner may move them.
  async preferences(): Promise<Preferences> {
    const row = await this.db.settings.get('preferences');
    const parsed = preferencesSchema.safeParse(row?.value ?? {});
    return parsed.success ? parsed.data : preferencesSchema.parse({});
  }

  /** Read-modify-write, one at a time: two quick changes (a colour, then a name) must not lose either. */
  updatePreferences(patch: Partial<Preferences>): Promise<Preferences> {
    const run = this.preferencesWrite.then(async () => {
      const next = preferencesSchema.parse({ ...(await this.preferences()), ...patch });
      await this.db.settings.put({ key: 'preferences', value: next });
      return next;
    });
    this.preferencesWrite = run.catch(() => undefined);
    return run;
  }

  async tagUsage(): Promise<TagUsage[]> {
    const usage = new Map<string, TagUsage>();
    await this.db.annotations.each((annotation) => {
      if (annotation.deleted) return;
      for (const tag of annotation.tags) {
        const entry = usage.get(tag) ?? { tag, count: 0, usedAt: 0 };
        entry.count++;
        entry.usedAt = Math.max(entry.usedAt, annotation.updatedAt);
        usage.set(tag, entry);
      }
    });
    return [...usage.values()].sort((a, b) => b.count - a.count);
  }

  /** Renames (one tag) or merges (several) tags on every live annotation that carries them. */
  async mergeTags(fromRaw: string[], toRaw: string): Promise<{ changed: number }> {
    const from = new Set(normaliseTags(fromRaw));
    const [to] = normaliseTags([toRaw]);
    if (!to) throw new Error('The new tag name is empty');
    const carriers = await this.db.annotations.where('tags').anyOf([...from]).distinct().toArray();
    let changed = 0;
    for (const annotation of carriers) {
      if (annotation.deleted) continue;
      await this.update(annotation.id, { tags: normaliseTags(annotation.tags.map((tag) => (from.has(tag) ? to : tag))) });
      changed++;
    }
    return { changed };
  }

  syncStatus(): SyncStatus {
    return this.status;
  }

  // --- annotations ---

  async list(documentKey: string): Promise<Annotation[]> {
    const rows = await this.db.annotations.where('documentKey').equals(documentKey).toArray();
    return rows.filter((a) => !a.deleted).sort((a, b) => a.createdAt - b.createdAt);
  }

  async create(input: NewAnnotation, document: DocumentInfo): Promise<Annotation> {
    const team = await this.team();
    const author = team
      ? { id: team.memberId, name: team.displayName }
      : { id: await this.localAuthorId(), name: (await this.localName()) ?? '我' };
    const now = Date.now();
    const visibility = team ? (input.visibility ?? 'team') : 'private';
    const annotation = parseAnnotation({
      ...input,
      id: crypto.randomUUID(),
      teamId: team?.teamId ?? null,
      color: input.color ?? 'yellow',
      visibility,
      author,
      createdAt: now,
      updatedAt: now,
      deleted: false,
    });
    await this.db.documents.put({ ...document, readAt: now });
    await this.save(annotation, document);
    return annotation;
  }

  async update(id: string, patch: AnnotationPatch): Promise<Annotation> {
    const current = await this.db.annotations.get(id);
    if (!current) throw new Error('This annotation no longer exists');
    const next = parseAnnotation({ ...current, ...patch, updatedAt: Date.now() });
    if (current.visibility === 'team' && next.visibility === 'private') {
      throw new Error('A shared annotation cannot be made private again; delete it instead');
    }
    await this.save(next);
    return next;
  }

  async setDeleted(id: string, deleted: boolean): Promise<void> {
    const current = await this.db.annotations.get(id);
    if (!current) throw new Error('This annotation no longer exists');
    await this.save({ ...current, deleted, updatedAt: Date.now() });
  }

  /** Team annotations go through their room (which projects them into the store); private ones straight in. */
  private async save(annotation: Annotation, document?: DocumentInfo): Promise<void> {
    if (annotation.visibility === 'team' && annotation.teamId) {
      const room = await this.rooms.open(roomIdFor(annotation.teamId, annotation.documentKey));
      room.write(annotation, document);
      await room.flushed();
    } else {
      await this.db.annotations.put(annotation);
      await this.notifyPages(annotation.documentKey);
    }
  }

  // --- pages being read ---

  async openPage(port: PagePort, documentKey: string, document: DocumentInfo): Promise<void> {
    this.pages.set(port, documentKey);
    const existing = await this.db.documents.get(document.key);
    await this.db.documents.put({ ...existing, ...document, readAt: Date.now() });
    port.post({ type: 'status', status: this.status });
    await this.connectRoom(documentKey);
    port.post({ type: 'annotations', documentKey, annotations: await this.list(documentKey) });
  }

  closePage(port: PagePort): void {
    const documentKey = this.pages.get(port);
    this.pages.delete(port);
    if (!documentKey || [...this.pages.values()].includes(documentKey)) return;
    void this.team().then((team) => {
      if (!team) return;
      const room = roomIdFor(team.teamId, documentKey);
      this.disconnectTimers.set(
        room,
        setTimeout(() => {
          this.disconnectTimers.delete(room);
          this.connections.get(room)?.close();
          this.connections.delete(room);
        }, DISCONNECT_GRACE_MS),
      );
    });
  }

  private async connectRoom(documentKey: string): Promise<void> {
    const team = await this.team();
    if (!team) return;
    const roomId = roomIdFor(team.teamId, documentKey);
    const timer = this.disconnectTimers.get(roomId);
    if (timer) clearTimeout(timer);
    this.disconnectTimers.delete(roomId);
    if (this.connections.has(roomId)) return;
    const room = await this.rooms.open(roomId);
    const connection = new RoomConnection(roomId, room.doc, new ApiClient(team.serverUrl, team.token), (state, message) =>
      this.onConnectionState(state, message),
    );
    this.connections.set(roomId, connection);
    connection.awareness.setLocalStateField('user', {
      id: team.memberId,
      name: team.displayName,
      color: colorFor(team.memberId),
    });
    connection.awareness.on('change', () => this.postPresence(documentKey, connection));
    connection.connect();
  }

  private onConnectionState(state: ConnectionState, message?: string): void {
    this.setStatus(message ? { state, message } : { state });
  }

  private setStatus(status: SyncStatus): void {
    this.status = status;
    for (const port of this.pages.keys()) port.post({ type: 'status', status });
  }

  private postPresence(documentKey: string, connection: RoomConnection): void {
    const peers: Peer[] = [];
    for (const [clientId, state] of connection.awareness.getStates()) {
      const user = (state as { user?: { id?: unknown; name?: unknown; color?: unknown } }).user;
      if (clientId === connection.awareness.clientID || typeof user?.name !== 'string') continue;
      peers.push({
        id: typeof user.id === 'string' ? user.id : String(clientId),
        name: user.name.slice(0, 100),
        color: typeof user.color === 'string' ? user.color.slice(0, 20) : undefined,
      });
    }
    for (const [port, key] of this.pages) if (key === documentKey) port.post({ type: 'presence', peers });
  }

  private async onRoomChange(change: RoomChange): Promise<void> {
    await this.notifyPages(change.documentKey);
  }

  private async notifyPages(documentKey: string): Promise<void> {
    const ports = [...this.pages].filter(([, key]) => key === documentKey).map(([port]) => port);
    if (!ports.length) return;
    const annotations = await this.list(documentKey);
    for (const port of ports) port.post({ type: 'annotations', documentKey, annotations });
  }

  private async localAuthorId(): Promise<string> {
    const row = await this.db.settings.get('localAuthorId');
    if (typeof row?.value === 'string') return row.value;
    const id = crypto.randomUUID();
    await this.db.settings.put({ key: 'localAuthorId', value: id });
    return id;
  }

  private async localName(): Promise<string | undefined> {
    const chosen = (await this.preferences()).displayName;
    if (chosen) return chosen;
    const row = await this.db.settings.get('displayName');
    return typeof row?.value === 'string' ? row.value : undefined;
  }
}

function colorFor(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return PEER_COLORS[hash % PEER_COLORS.length]!;
}
