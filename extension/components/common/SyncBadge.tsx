/** Sync state as a coloured dot and a word, for the side panel and popup headers; why, on hover. */
import { errorText, syncStateLabel } from '../../lib/i18n.ts';
import type { SyncStatus } from '../../lib/messages.ts';

export function SyncBadge({ status }: { status: SyncStatus | undefined }) {
  const state = status?.state ?? 'offline';
  const label = syncStateLabel(state);
  return (
    <span
      className={`pz-sync pz-sync-${state}`}
      title={status?.error ? errorText(status.error) : label}
      data-sync-state={state}
    >
      <span className="pz-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
