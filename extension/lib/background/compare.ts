/**
 * Versions of notices and carrying the team's work over to a new one (issue 20), the background's part:
 * - keeping clause snapshots: when an annotated notice is read and this browser holds no snapshot of its text as
 *   read now (first annotated, or its text changed since), the pages showing it are asked for one; what a page
 *   sends is untrusted and validated (parseSnapshot: every hash checked) before it is stored, and then shared
 *   in the page's team room when the notice has team annotations (private ones never reveal a page to the
 *   team), so a colleague can compare after the old page is gone, offline too;
 * - carrying annotations over: each becomes a new annotation of the user's, anchored in the new version's clause
 *   (the comparison page describes it, with the anchoring library), linked to the one it came from.
 */
import { type ClauseSnapshot, parseSnapshot } from '../../../shared/compare/index.ts';
import type { Annotation, CarriedFrom } from '../../../shared/model/annotation.ts';
import { MAX_SNAPSHOTS_PER_ROOM, roomIdFor } from '../../../shared/model/room.ts';
import type { CarryItem, CarryResult } from '../compare-messages.ts';
import type { NewAnnotation } from '../messages.ts';
import type { AnnotationStore } from '../store/annotation-store.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { TeamRow } from '../store/schema.ts';
import { SnapshotStore } from '../store/snapshots.ts';
import type { RoomRegistry } from '../sync/rooms.ts';
import { errorMessage } from '../errors.ts';

export type VersionsNeeds = {
  db: PizhuDatabase;
  store: AnnotationStore;
  rooms: RoomRegistry;
  team(): Promise<TeamRow | undefined>;
  /** Asks the pages showing a document for a snapshot of their text (they answer with `page.snapshot`). */
  askPages(documentKey: string): void;
  /** Creates the user's annotation on a stored document (the service's one way of making annotations). */
  annotateStored(input: NewAnnotation, documentKey: string, carriedFrom: CarriedFrom): Promise<Annotation>;
};

export type KeptVersion = { contentHash: string; shared: boolean };

export class Versions {
  private readonly snapshots: SnapshotStore;
  /** Versions known to be in their room (`<room>#<contentHash>`), so annotating again costs no room visit. */
  private readonly inRoom = new Set<string>();

  constructor(private readonly needs: VersionsNeeds) {
    this.snapshots = new SnapshotStore(needs.db);
  }

  /**
   * A page showing this document read its text (hash `bodyHash`), or the user annotated it: ask for a snapshot
   * when the notice is annotated and this version is not stored yet; share a stored one with the team.
   */
  async pageRead(documentKey: string, bodyHash: string): Promise<void> {
    if (!(await this.needs.db.annotations.where('documentKey').equals(documentKey).count())) return;
    const versions = await this.snapshots.versionsOf(documentKey);
    const known = versions.find((v) => v.bodyHash === bodyHash);
    if (known) {
      const team = await this.needs.team();
      if (team && this.inRoom.has(`${roomIdFor(team.teamId, documentKey)}#${known.contentHash}`)) return;
      const stored = await this.stored(documentKey, known.contentHash);
      if (stored) await this.share(documentKey, stored);
      return;
    }
    // a page whose text differs at every visit (a live feed) would add a version each time
    if (versions.filter((v) => v.bodyHash).length >= MAX_SNAPSHOTS_PER_ROOM) return;
    this.needs.askPages(documentKey);
  }

  /** Stores a snapshot a page (or an extension page) sent of a document; throws for an invalid one. */
  async keep(documentKey: string, raw: unknown, bodyHash?: string): Promise<KeptVersion> {
    const snapshot = parseSnapshot(raw);
    await this.snapshots.keep(documentKey, snapshot, bodyHash);
    return { contentHash: snapshot.contentHash, shared: await this.share(documentKey, snapshot) };
  }

  /**
   * Carries annotations over to the new version, one new annotation each (the user's, with the tags, note and
   * colour of the one it came from), anchored where the comparison page described them. Replies stay behind;
   * an annotation already carried to that document is skipped, so "carry all" twice adds nothing.
   */
  async carry(items: readonly CarryItem[]): Promise<CarryResult> {
    const result: CarryResult = { carried: [], skipped: [], failed: [] };
    const carriedBefore = new Map<string, Set<string>>();
    for (const item of items) {
      try {
        const source = await this.needs.store.get(item.from);
        if (!source || source.deleted) throw new Error('This annotation no longer exists');
        if (source.replyTo) throw new Error('A reply is not carried over on its own');
        let links = carriedBefore.get(item.documentKey);
        if (!links) carriedBefore.set(item.documentKey, (links = await this.carriedInto(item.documentKey)));
        if (links.has(source.id)) {
          result.skipped.push(source.id);
          continue;
        }
        const carried = await this.needs.annotateStored(
          {
            documentKey: item.documentKey,
            selectors: item.selectors,
            clausePath: item.clausePath,
            quote: item.quote,
            tags: source.tags,
            note: source.note,
            color: source.color,
            visibility: source.visibility,
            replyTo: null,
          },
          item.documentKey,
          { id: source.id, documentKey: source.documentKey },
        );
        links.add(source.id);
        result.carried.push(carried);
      } catch (error) {
        result.failed.push({ id: item.from, error: errorMessage(error) });
      }
    }
    return result;
  }

  /** Ids of the annotations that live annotations of this document were carried from. */
  private async carriedInto(documentKey: string): Promise<Set<string>> {
    const rows = await this.needs.db.annotations.where('documentKey').equals(documentKey).toArray();
    return new Set(rows.filter((a) => !a.deleted && a.carriedFrom).map((a) => a.carriedFrom!.id));
  }

  private async stored(documentKey: string, contentHash: string): Promise<ClauseSnapshot | null> {
    try {
      return parseSnapshot(await this.snapshots.snapshot(documentKey, contentHash));
    } catch {
      return null;
    }
  }

  /**
   * Puts a snapshot in the document's team room when the user may write there and the notice has team
   * annotations. Returns whether the room holds it.
   */
  private async share(documentKey: string, snapshot: ClauseSnapshot): Promise<boolean> {
    const team = await this.needs.team();
    if (!team || team.role === 'viewer') return false;
    const shared = await this.needs.db.annotations
      .where('documentKey')
      .equals(documentKey)
      .filter((a) => a.teamId === team.teamId && a.visibility === 'team')
      .count();
    if (!shared) return false;
    const roomId = roomIdFor(team.teamId, documentKey);
    const written = await this.needs.rooms.use(roomId, (room) => room.writeSnapshot(snapshot));
    if (written === 'full') return false;
    this.inRoom.add(`${roomId}#${snapshot.contentHash}`);
    return true;
  }
}
