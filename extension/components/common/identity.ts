/** Who "me" is in the store: the team member id when in a team, and the local author id used before joining. */
import type { SettingsView } from '../../lib/messages.ts';
import type { StoreQueries } from '../../lib/store/queries.ts';

export async function myAuthorIds(queries: StoreQueries, settings: SettingsView | null): Promise<Set<string>> {
  const ids = new Set<string>();
  if (settings?.team) ids.add(settings.team.memberId);
  const local = await queries.localAuthorId();
  if (local) ids.add(local);
  return ids;
}
