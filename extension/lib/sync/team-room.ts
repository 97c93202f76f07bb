/**
 * The team room `<teamId>._team` in the browser: synced like a page room (stored updates, realtime while pages
 * are open, bulk catch-up), projected into the store's vocabulary tables. Its maps are small (a team's renames
 * and units), so each commit that touched them replaces the team's rows with what the room holds, which also
 * mends a damaged row; VocabularyStore re-derives the records whose tags now read differently.
 */
import type { Table } from 'dexie';
import type * as Y from 'yjs';
import { readTeamVocabulary, tagRenamesMap, unitsMap } from '../../../shared/model/team-room.ts';
import type { AnnotationStore } from '../store/annotation-store.ts';
import type { PizhuDatabase } from '../store/db.ts';
import { VocabularyStore } from '../store/vocabulary-store.ts';
import { type RoomProjection, TouchedKeys } from './projection.ts';

/** Keys of the team room's maps a transaction touched, as `tagRenames/<tag>` and `units/<id>`. */
type TeamWork = Set<string>;

export class TeamRoomProjection implements RoomProjection<TeamWork> {
  private readonly vocabulary: VocabularyStore;
  private readonly touched = new TouchedKeys();
  private doc: Y.Doc | null = null;

  constructor(
    private readonly teamId: string,
    db: PizhuDatabase,
    store: AnnotationStore,
  ) {
    this.vocabulary = new VocabularyStore(db, store);
  }

  get tables(): readonly Table[] {
    return this.vocabulary.tables;
  }

  observe(doc: Y.Doc): void {
    this.doc = doc;
    this.touched.observe([
      ['tagRenames/', tagRenamesMap(doc)],
      ['units/', unitsMap(doc)],
    ]);
  }

  take(): TeamWork {
    return this.touched.take();
  }

  all(): TeamWork {
    return new Set(['all', ...this.touched.all()]);
  }

  join(a: TeamWork, b: TeamWork): TeamWork {
    return TouchedKeys.join(a, b);
  }

  async project(work: TeamWork): Promise<string[]> {
    if (!work.size) return [];
    await this.vocabulary.replace(this.teamId, readTeamVocabulary(this.doc!));
    return [...work];
  }
}
