/** Who "me" is in the store: the team member id when in a team, and the local author id used before joining. */
import type { Annotation } from '../../../shared/model/annotation.ts';
import type { SettingsView } from '../../lib/messages.ts';
import type { PizhuDatabase } from '../../lib/store/db.ts';

export async function myAuthorIds(db: PizhuDatabase, settings: SettingsView | null): Promise<Set<string>> {
  const ids = new Set<string>();
  if (settings?.team) ids.add(settings.team.memberId);
  const local = await db.settings.get('localAuthorId');
  if (typeof local?.value === 'string') ids.add(local.value);
  return ids;
}

export function isMine(annotation: Pick<Annotation, 'author'>, mine: ReadonlySet<string>): boolean {
  return mine.has(annotation.author.id);
}
