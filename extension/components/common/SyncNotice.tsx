/**
 * While the server cannot be reached (or refused this browser): why, how many changes wait to be sent, and
 * "Reconnect now", which retries every connection and the catch-up at once instead of waiting out the backoff.
 * Shown in the side panel and the popup, under the sync status.
 */
import { useEffect, useRef, useState } from 'react';
import { ask } from '../../lib/ask.ts';
import { errorText, syncStateLabel, t } from '../../lib/i18n.ts';
import type { SyncStatus } from '../../lib/messages.ts';

const cutOff = (status: SyncStatus | undefined) => status?.state === 'offline' || status?.state === 'error';

export function SyncNotice({ status, onReconnected }: { status: SyncStatus | undefined; onReconnected: () => void }) {
  const [busy, setBusy] = useState(false);
  if (!status || !cutOff(status)) return null;
  const unsent = status.unsent ?? 0;
  const reconnect = () => {
    setBusy(true);
    void ask({ type: 'sync.now' })
      .catch(() => undefined)
      .finally(() => {
        setBusy(false);
        onReconnected();
      });
  };
  return (
    <div className="pz-sync-notice" role="status" data-testid="sync-notice">
      <span className="pz-sync-reason">{status.error ? errorText(status.error) : syncStateLabel(status.state)}</span>
      {unsent > 0 && (
        <span className="pz-unsent" data-testid="sync-unsent" data-count={unsent}>
          {unsent === 1 ? t('sync_unsent_one') : t('sync_unsent', String(unsent))}
        </span>
      )}
      <button type="button" className="pz-link" data-testid="reconnect" disabled={busy} onClick={reconnect}>
        {t('sync_reconnect')}
      </button>
    </div>
  );
}

/** Opening the panel or popup while cut off is a reason to try the server again now, once per opening. */
export function useReconnectOnOpen(status: SyncStatus | undefined, onReconnected: () => void): void {
  const tried = useRef(false);
  useEffect(() => {
    if (tried.current || !status) return;
    tried.current = true;
    if (cutOff(status))
      void ask({ type: 'sync.now' })
        .catch(() => undefined)
        .finally(onReconnected);
  }, [status, onReconnected]);
}
