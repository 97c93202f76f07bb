/**
 * The side panel: a header (sync status, team, account), "this page" (the page's annotations) and the team
 * library, and the way out to a briefing. It reads through the store's query module (live: Dexie's liveQuery
 * re-runs a query when what it read changes) and writes through the background.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import { t } from '../../lib/i18n.ts';
import { type StoreQueries, storeQueries } from '../../lib/store/queries.ts';
import { onTargetChange, targetPage, type TargetPage } from '../../lib/target-page.ts';
import { AuthorBadge } from '../common/Author.tsx';
import { SyncBadge } from '../common/SyncBadge.tsx';
import { SyncNotice, useReconnectOnOpen } from '../common/SyncNotice.tsx';
import { useSettings } from '../common/useSettings.ts';
import { ExportButton } from './ExportButton.tsx';
import type { ExportContext } from './ExportDialog.tsx';
import { PageAnnotations } from './PageAnnotations.tsx';
import { TasksTab } from './tasks/TasksTab.tsx';
import { TeamLibrary } from './TeamLibrary.tsx';
import { usePageReport } from './usePageReport.ts';

type Tab = 'page' | 'library' | 'tasks';
const TABS: Tab[] = ['page', 'library', 'tasks'];

export function SidePanelApp({ queries = storeQueries() }: { queries?: StoreQueries }) {
  const { settings, reload } = useSettings(2_000);
  useReconnectOnOpen(settings?.status, reload);
  const [page, setPage] = useState<TargetPage | null | undefined>(undefined);
  const [tab, setTab] = useState<Tab>('page');

  useEffect(() => {
    const load = () => void targetPage().then(setPage);
    load();
    return onTargetChange(load);
  }, []);

  const pageData = useLiveQuery(
    () => (page ? queries.page(page.documentKey) : null),
    [queries, page?.documentKey],
    null,
  );
  const annotations = pageData?.annotations ?? NONE;
  const document = pageData?.document ?? null;
  const report = usePageReport(page, annotations);
  const localAuthor = useLiveQuery(() => queries.localAuthorId(), [queries], null);
  const viewer = settings?.team
    ? { id: settings.team.memberId, name: settings.team.displayName }
    : localAuthor
      ? { id: localAuthor, name: settings?.preferences.displayName }
      : null;
  const exportContext: ExportContext = {
    documentKey: page?.documentKey ?? null,
    load: (options) => queries.briefingSource(options, viewer?.id ?? null),
    listDocuments: (limit) => queries.recentDocuments(limit),
    teamId: settings?.team?.teamId ?? null,
    viewer,
    anchors: report?.anchors,
  };

  return (
    <div className="pz-panel">
      <header className="pz-header">
        <img src="/icon/32.png" alt="" width={20} height={20} />
        <strong>{t('extName')}</strong>
        <SyncBadge status={settings?.status} />
        <span className="pz-spacer" />
        {settings?.team ? (
          <span
            className="pz-account"
            title={`${settings.team.teamName} · ${settings.team.displayName}`}
            data-testid="account"
          >
            <span className="pz-team-name">{settings.team.teamName}</span>
            <AuthorBadge id={settings.team.memberId} name={settings.team.displayName} size={22} />
          </span>
        ) : (
          settings && (
            <button type="button" className="pz-link" onClick={() => void browser.runtime.openOptionsPage()}>
              {t('panel_join_team')}
            </button>
          )
        )}
      </header>

      <div className="pz-tabs" role="tablist" aria-label={t('panel_views')}>
        <TabButton id="page" current={tab} onSelect={setTab} label={t('panel_tab_page')} />
        <TabButton id="library" current={tab} onSelect={setTab} label={t('panel_tab_library')} />
        <TabButton id="tasks" current={tab} onSelect={setTab} label={t('panel_tab_tasks')} />
        <span className="pz-spacer" />
        <ExportButton
          annotations={tab === 'page' ? annotations : NONE}
          document={tab === 'page' ? document : null}
          context={settings ? exportContext : undefined}
        />
      </div>

      <SyncNotice status={settings?.status} onReconnected={reload} />

      <main className="pz-panel-body" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'page' &&
          (page === undefined ? (
            <p className="pz-muted">{t('loading')}</p>
          ) : page === null ? (
            <div className="pz-empty" data-testid="no-page">
              <p>{t('panel_no_page')}</p>
            </div>
          ) : (
            <PageAnnotations
              page={page}
              document={document}
              annotations={annotations}
              report={report}
              team={settings?.team ?? null}
            />
          ))}
        {tab === 'library' && <TeamLibrary queries={queries} role={settings?.team?.role ?? null} />}
        {tab === 'tasks' && (
          <TasksTab queries={queries} page={page} document={document} teamId={settings?.team?.teamId ?? null} />
        )}
      </main>
    </div>
  );
}

function TabButton({
  id,
  current,
  onSelect,
  label,
}: {
  id: Tab;
  current: Tab;
  onSelect: (tab: Tab) => void;
  label: string;
}) {
  return (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      aria-selected={current === id}
      aria-controls={`panel-${id}`}
      tabIndex={current === id ? 0 : -1}
      className={`pz-tab${current === id ? ' pz-active' : ''}`}
      onClick={() => onSelect(id)}
      onKeyDown={(e) => {
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          const step = e.key === 'ArrowRight' ? 1 : TABS.length - 1;
          const next = TABS[(TABS.indexOf(id) + step) % TABS.length]!;
          onSelect(next);
          (e.currentTarget.parentElement?.querySelector(`#tab-${next}`) as HTMLElement | null)?.focus();
        }
      }}
    >
      {label}
    </button>
  );
}

/** One empty list, so "no annotations" does not change identity at every render. */
const NONE: never[] = [];
