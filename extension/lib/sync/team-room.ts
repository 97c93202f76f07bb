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
import type { RoomProjection } from './projection.ts';

/** Keys of the team room's maps a transaction touched, as `tagRenames/<tag>` and `units/<id>`. */
type TeamWork = Set<string>;

export class TeamRoomProjection implements RoomProjection<TeamWork> {
  private readonly vocabulary: VocabularyStore;
  private touched: TeamWork = new Set();
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
    for (const [name, map] of [
      ['tagRenames', tagRenamesMap(doc)],
      ['units', unitsMap(doc)],
    ] as const) {
      map.observe((event) => {
        for (const key of event.keysChanged) this.touched.add(`${name}/${key}`);
      });
    }
  }

  take(): TeamWork {
    const work = this.touched;
    this.touched = new Set();
    return work;
  }

  all(): TeamWork {
    const doc = this.doc!;
    return new Set([
      'all',
      ...[...tagRenamesMap(doc).keys()].map((key) => `tagRenames/${key}`),
      ...[...unitsMap(doc).keys()].map((key) => `units/${key}`),
    ]);
  }

  join(a: TeamWork, b: TeamWork): TeamWork {
    return new Set([...a, ...b]);
  }

  async project(work: TeamWork): Promise<string[]> {
    if (!work.size) return [];
    await this.vocabulary.replace(this.teamId, readTeamVocabulary(this.doc!));
    return [...work];
  }
}
