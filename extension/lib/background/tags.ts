/**
 * The tag library and the team's vocabulary as the user changes it: renaming and merging tags, and the team's
 * units (written into the team room by team-vocabulary.ts).
 */
import { parseAnnotation } from '../../../shared/model/annotation.ts';
import { planTagRename } from '../../../shared/model/tag-renames.ts';
import { normaliseTags } from '../../../shared/model/tags.ts';
import { PizhuError } from '../errors.ts';
import type { TagRenameResult, TagUsage, UnitRequest, UnitResult } from '../messages.ts';
import type { PizhuDatabase } from '../store/db.ts';
import type { StoreQueries } from '../store/queries.ts';
import type { Annotations } from './annotations.ts';
import type { Membership } from './membership.ts';
import type { TeamVocabulary } from './team-vocabulary.ts';

export type TagsNeeds = {
  db: PizhuDatabase;
  queries: StoreQueries;
  vocabulary: TeamVocabulary;
  membership: Pick<Membership, 'team'>;
  annotations: Pick<Annotations, 'rewrite'>;
  now: () => number;
};

export class Tags {
  constructor(private readonly needs: TagsNeeds) {}

  library(): Promise<TagUsage[]> {
    return this.needs.queries.tagLibrary();
  }

  /**
   * Renames or merges tags. In a team this is the team's rename (team room `tagRenames`): every annotation,
   * colleagues' and later ones included, reads the new tag, and no record is rewritten. Without a team the
   * annotations are all this browser's own private ones, and their tags are rewritten. planTagRename refuses an
   * empty or over-long target (TagRenameError, which crosses to the page by its code).
   */
  async merge(from: readonly string[], to: string): Promise<TagRenameResult> {
    const team = await this.needs.membership.team();
    if (team) return this.needs.vocabulary.renameTags(team, from, to);
    const plan = planTagRename(new Map(), from, to, { by: 'local', at: this.needs.now() });
    const sources = new Set(plan.renamed);
    if (!sources.size) return { renamed: [], to: plan.target };
    const rows = await this.needs.db.annotations
      .where('tags')
      .anyOf([...sources])
      .distinct()
      .toArray();
    for (const row of rows) {
      const parsed = parseAnnotation(row);
      const tags = normaliseTags(parsed.tags.map((t) => (sources.has(t) ? plan.target : t)));
      await this.needs.annotations.rewrite(parsed, { tags });
    }
    return { renamed: plan.renamed, to: plan.target };
  }

  /** Adds, renames, merges or deletes one of the team's units (editors and owners). */
  async changeUnits(request: UnitRequest): Promise<UnitResult> {
    const team = await this.needs.membership.team();
    if (!team) throw new PizhuError('not_joined');
    return this.needs.vocabulary.changeUnits(team, request);
  }
}
