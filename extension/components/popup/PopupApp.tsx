/**
 * The toolbar popup: switch Pizhu on or off for this site, this page's counts, the sync status (with "Reconnect
 * now" while cut off from the server), and the way to the side panel. Access is asked per site; "only this time"
 * runs Pizhu once on this tab through activeTab, asking nothing.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useCallback, useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { errorText, t } from '../../lib/i18n.ts';
import type { PageReport, TabMessage } from '../../lib/messages.ts';
import { openSidePanel } from '../../lib/side-panel.ts';
import { disableSite, enableSite, requestSiteAccess, siteState, startInTab, type SiteState } from '../../lib/site.ts';
import { type StoreQueries, storeQueries } from '../../lib/store/queries.ts';
import { targetPage, type TargetPage } from '../../lib/target-page.ts';
import { AuthorBadge } from '../common/Author.tsx';
import { Notice } from '../common/Notice.tsx';
import { myAuthorIds } from '../common/identity.ts';
import { SyncBadge } from '../common/SyncBadge.tsx';
import { SyncNotice, useReconnectOnOpen } from '../common/SyncNotice.tsx';
import { useSettings } from '../common/useSettings.ts';

export function PopupApp({ queries = storeQueries() }: { queries?: StoreQueries }) {
  const { settings, reload } = useSettings();
  useReconnectOnOpen(settings?.status, reload);
  const [page, setPage] = useState<TargetPage | null | undefined>(undefined);
  const [site, setSite] = useState<SiteState | null>(null);
  const [report, setReport] = useState<PageReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => void targetPage().then(setPage), []);

  const refreshSite = useCallback(async () => {
    if (!page || !settings) return;
    setSite(await siteState(page.url, settings.preferences));
    if (page.tabId !== undefined) {
      const message: TabMessage = { type: 'page.report' };
      setReport(((await browser.tabs.sendMessage(page.tabId, message).catch(() => null)) as PageReport | null) ?? null);
    }
  }, [page, settings]);
  useEffect(() => void refreshSite(), [refreshSite]);

  const counts = useLiveQuery(
    async () => (page ? queries.pageCounts(page.documentKey, await myAuthorIds(queries, settings)) : null),
    [queries, page?.documentKey, settings?.team?.memberId],
    null,
  );

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    }
    reload();
    setBusy(false);
  };

  const turnOn = () => {
    if (!site || !settings) return;
    // The permission prompt must be the first thing this click does.
    const granted = site.granted ? Promise.resolve(true) : requestSiteAccess(site.pattern);
    void run(async () => {
      if (await granted) await enableSite(site, settings.preferences, page?.tabId);
      else setError(t('popup_access_refused', site.origin));
    });
  };
  const turnOff = () => {
    if (!site || !settings) return;
    void run(() => disableSite(site, settings.preferences, page?.tabId));
  };
  const runOnce = () => {
    if (page?.tabId === undefined) return;
    void run(() => startInTab(page.tabId!));
  };
  const openPanel = () => {
    void openSidePanel(page?.windowId)
      .then(() => window.close())
      .catch((e: unknown) => setError(errorText(e)));
  };

  const orphans = report ? Object.values(report.anchors).filter((s) => s === 'orphan').length : 0;

  return (
    <main className="pz-popup">
      <header className="pz-popup-header">
        <img src="/icon/32.png" alt="" width={20} height={20} />
        <strong>{t('extName')}</strong>
        <span className="pz-spacer" />
        <SyncBadge status={settings?.status} />
        {settings?.team && (
          <span title={`${settings.team.teamName} · ${settings.team.displayName}`} data-testid="account">
            <AuthorBadge id={settings.team.memberId} name={settings.team.displayName} size={20} />
          </span>
        )}
      </header>
      <SyncNotice status={settings?.status} onReconnected={reload} />

      {page === null || (page && !site && settings) ? (
        <p className="pz-muted" data-testid="popup-unsupported">
          {t('popup_unsupported_page')}
        </p>
      ) : null}

      {site && (
        <section className="pz-site" aria-labelledby="site-title">
          <div className="pz-site-row">
            <span id="site-title" className="pz-site-name">
              {new URL(site.origin).host}
            </span>
            <button
              type="button"
              role="switch"
              className="pz-switch"
              aria-checked={site.on}
              aria-label={t('popup_switch_label', new URL(site.origin).host)}
              disabled={busy}
              onClick={site.on ? turnOff : turnOn}
            >
              <span className="pz-switch-knob" aria-hidden="true" />
            </button>
          </div>
          <p className="pz-muted pz-small" data-testid="site-state">
            {site.on ? t('popup_site_on') : site.granted ? t('popup_site_off') : t('popup_site_needs_access')}
          </p>
          {!site.on && !report && page?.tabId !== undefined && (
            <button type="button" className="pz-link" onClick={runOnce} disabled={busy}>
              {t('popup_run_once')}
            </button>
          )}
        </section>
      )}

      {site && counts && (
        <section className="pz-counts" aria-label={t('popup_counts_label')}>
          <div>
            <span className="pz-count" data-testid="count-total">
              {counts.total}
            </span>
            {t('popup_count_total')}
          </div>
          <div>
            <span className="pz-count" data-testid="count-mine">
              {counts.mine}
            </span>
            {t('popup_count_mine')}
          </div>
          <div>
            <span className="pz-count" data-testid="count-team">
              {counts.total - counts.mine}
            </span>
            {t('popup_count_colleagues')}
          </div>
          {orphans > 0 && (
            <div>
              <span className="pz-count pz-warn">{orphans}</span>
              {t('popup_count_orphans')}
            </div>
          )}
        </section>
      )}

      {error && <Notice kind="error">{error}</Notice>}

      <footer className="pz-popup-actions">
        <button type="button" className="pz-primary" onClick={openPanel}>
          {t('popup_open_panel')}
        </button>
        <button type="button" onClick={() => void browser.runtime.openOptionsPage()}>
          {t('popup_settings')}
        </button>
      </footer>
      {settings && !settings.team && <p className="pz-muted pz-small">{t('popup_not_in_team')}</p>}
    </main>
  );
}
