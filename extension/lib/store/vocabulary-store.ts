/**
 * The one writer of the team's vocabulary (tagRenames, units): the team room's projection (sync/team-room.ts)
 * hands it what the room holds after each commit, in the commit's IndexedDB transaction. The rows are replaced
 * by what the room says (so a damaged row mends itself), and when the renames change how a tag reads, the
 * records carrying it are re-derived through AnnotationStore.retag in the same transaction: the library, the
 * search index and the counts never read a tag one way while the renames say another.
 */
import { type TagRenames, tagResolver, tagsRemapped } from '../../../shared/model/tag-renames.ts';
import type { TeamVocabulary } from '../../../shared/model/team-room.ts';
import type { AnnotationStore } from './annotation-store.ts';
import type { PizhuDatabase } from './db.ts';
import type { TagRenameRow, UnitRow } from './schema.ts';
import { renamesOf } from './vocabulary.ts';

export type VocabularyChange = {
  /** Tags (as written) that read differently now. */
  remapped: string[];
  /** Records re-derived because of them. */
  retagged: number;
  /** Whether any unit row changed. */
  units: boolean;
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class VocabularyStore {
  constructor(
    private readonly db: PizhuDatabase,
    private readonly annotations: AnnotationStore,
  ) {}

  /** The tables a replacement touches (callers include them in their transaction). */
  get tables() {
    return [this.db.tagRenames, this.db.units, ...this.annotations.tables];
  }

  /** Makes the stored vocabulary of `teamId` what its room holds (an empty one: the team's data is removed). */
  replace(teamId: string, vocabulary: TeamVocabulary): Promise<VocabularyChange> {
    return this.db.transaction('rw', this.tables, async () => {
      const remapped = await this.replaceRenames(teamId, vocabulary.tagRenames);
      return { ...remapped, units: await this.replaceUnits(teamId, vocabulary.units) };
    });
  }

  private async replaceRenames(
    teamId: string,
    renames: TeamVocabulary['tagRenames'],
  ): Promise<Omit<VocabularyChange, 'units'>> {
    const rows = await this.db.tagRenames.toArray();
    const before: TagRenames = renamesOf(rows);
    const stale = rows
      .filter((row) => row.teamId === teamId && !renames.has(row.tag))
      .map((row) => row.tag)
      .concat(rows.filter((row) => !before.has(row.tag)).map((row) => row.tag));
    const byTag = new Map(rows.map((row) => [row.tag, row]));
    const puts: TagRenameRow[] = [];
    for (const [tag, rename] of renames) {
      const row: TagRenameRow = { tag, teamId, to: rename.to, by: rename.by, at: rename.at };
      if (!same(byTag.get(tag), row)) puts.push(row);
    }
    if (!stale.length && !puts.length) return { remapped: [], retagged: 0 };
    if (stale.length) await this.db.tagRenames.bulkDelete(stale);
    if (puts.length) await this.db.tagRenames.bulkPut(puts);
    const after = renamesOf(await this.db.tagRenames.toArray());
    const remapped = tagsRemapped(before, after);
    const retagged = await this.annotations.retag(remapped, tagResolver(before), tagResolver(after));
    return { remapped, retagged };
  }

  private async replaceUnits(teamId: string, units: TeamVocabulary['units']): Promise<boolean> {
    const rows = await this.db.units.where('teamId').equals(teamId).toArray();
    const stale = rows.filter((row) => !Object.hasOwn(units, row.id)).map((row) => row.id);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const puts: UnitRow[] = [];
    for (const [id, unit] of Object.entries(units)) {
      const row: UnitRow = { ...unit, id, teamId };
      if (!same(byId.get(id), row)) puts.push(row);
    }
    if (stale.length) await this.db.units.bulkDelete(stale);
    if (puts.length) await this.db.units.bulkPut(puts);
    return stale.length > 0 || puts.length > 0;
  }
}
