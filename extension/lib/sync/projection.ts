/**
 * What a room's content becomes in the store. Every transaction on a room is committed in one IndexedDB
 * transaction with its projection (rooms.ts); a projection says which tables it writes, notes what each
 * transaction touched, and writes the projection of that. A page room projects annotations and the page's
 * metadata (PageProjection, rooms.ts) and its tasks (TasksProjection, tasks-projection.ts), the team room its
 * vocabulary (TeamRoomProjection, team-room.ts).
 */
import type { Table } from 'dexie';
import type * as Y from 'yjs';

export interface RoomProjection<Work = unknown> {
  /** Tables the projection reads and writes, joined into each commit's transaction. */
  readonly tables: readonly Table[];
  /** Called once the stored updates are loaded: from now on, note what the doc's transactions touch. */
  observe(doc: Y.Doc): void;
  /** What the transactions since the last call touched (called as each update happens). */
  take(): Work;
  /** Everything the doc holds (a room loaded from an older store, a repair). */
  all(): Work;
  /** One piece of work covering both (a failed commit's work goes again with the next). */
  join(a: Work, b: Work): Work;
  /**
   * Writes the projection of `work` inside the commit's transaction, reading the doc as it is now. Returns what
   * changed (annotation ids in a page room, entry keys in the team room); the room's hooks hear of it.
   */
  project(work: Work, local: boolean): Promise<string[]>;
}

/**
 * Two projections of one room as one (a page room: its annotations, metadata and snapshots, and its tasks): each
 * notes what the room's transactions touch and writes its part in the same commit. What changed is the first's.
 */
export function bothProjections<A, B>(first: RoomProjection<A>, second: RoomProjection<B>): RoomProjection<[A, B]> {
  return {
    get tables() {
      return [...first.tables, ...second.tables];
    },
    observe(doc) {
      first.observe(doc);
      second.observe(doc);
    },
    take: () => [first.take(), second.take()],
    all: () => [first.all(), second.all()],
    join: (a, b) => [first.join(a[0], b[0]), second.join(a[1], b[1])],
    // Both start at once, in the commit transaction's zone (they write different tables): awaiting one before
    // starting the other adds native async steps with no IndexedDB request between them, and Dexie then loses
    // the transaction (PrematureCommitError) when the first wrote nothing.
    project([a, b], local) {
      return Promise.all([first.project(a, local), second.project(b, local)]).then(([changed]) => changed);
    },
  };
}

/** A room's maps a projection follows, each with the prefix that names it in the work's keys. */
export type PrefixedMaps = readonly (readonly [prefix: string, map: Y.Map<unknown>])[];

/** The keys of a room's maps that transactions touched, as `<prefix><key>`: the work of a keyed projection. */
export class TouchedKeys {
  private touched = new Set<string>();
  private maps: PrefixedMaps = [];

  /** From now on, notes every key of these maps that a transaction changes. */
  observe(maps: PrefixedMaps): void {
    this.maps = maps;
    for (const [prefix, map] of maps) {
      map.observe((event) => {
        for (const key of event.keysChanged) this.touched.add(prefix + key);
      });
    }
  }

  /** The keys touched since the last call. */
  take(): Set<string> {
    const work = this.touched;
    this.touched = new Set();
    return work;
  }

  /** Every key the maps hold now. */
  all(): Set<string> {
    return new Set(this.maps.flatMap(([prefix, map]) => [...map.keys()].map((key) => prefix + key)));
  }

  static join(a: Set<string>, b: Set<string>): Set<string> {
    return new Set([...a, ...b]);
  }
}
