/**
 * The "this page" tab: the page's annotations in document order under their clause label paths, filters and
 * search, click to scroll the page to a highlight and flash it, and orphans (text no longer found) apart, each
 * offering to re-attach to a new selection in the page.
 */
import { useMemo, useState } from 'react';
import { browser } from 'wxt/browser';
import { type Annotation, type DocumentInfo, documentChanged } from '../../../shared/model/annotation.ts';
import { errorText, t } from '../../lib/i18n.ts';
import type { PageReport, ReattachResult, SettingsView } from '../../lib/messages.ts';
import type { TargetPage } from '../../lib/target-page.ts';
import { Notice } from '../common/Notice.tsx';
import { CompareButton } from '../compare/CompareButton.tsx';
import { AnnotationItem } from './AnnotationItem.tsx';
import { FilterBar } from './FilterBar.tsx';
import { facets, isFiltering, NO_FILTERS, pageView, type Filters } from './filtering.ts';
import { tellPage } from './page-link.ts';

export function PageAnnotations({
  page,
  document,
  annotations,
  report,
  team,
}: {
  page: TargetPage;
  document: DocumentInfo | null;
  annotations: Annotation[];
  report: PageReport | null;
  /** In a team: the empty state shows the membership and says colleagues' annotations come here, instead of asking to join. */
  team: SettingsView['team'];
}) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const view = useMemo(
    () => pageView(annotations, filters, report?.anchors, report?.order, report?.clausePaths),
    [annotations, filters, report],
  );
  const { tags, authors } = useMemo(() => facets(annotations), [annotations]);

  const goTo = (annotation: Annotation) => {
    setMessage(null);
    tellPage(page, { type: 'page.scrollTo', id: annotation.id }).catch(() =>
      setMessage({ kind: 'error', text: t('panel_page_not_open') }),
    );
  };

  const reattach = async (annotation: Annotation) => {
    setMessage(null);
    try {
      const result = await tellPage<ReattachResult>(page, { type: 'page.reattach', id: annotation.id });
      if (result?.ok) setMessage({ kind: 'success', text: t('panel_reattached') });
      else
        setMessage({
          kind: 'error',
          text: !result
            ? t('panel_page_not_open')
            : result.reason === 'no-selection'
              ? t('panel_reattach_select_first')
              : errorText(result.error),
        });
    } catch {
      setMessage({ kind: 'error', text: t('panel_page_not_open') });
    }
  };

  return (
    <div className="pz-page-tab">
      <h1 className="pz-doc-title">{document?.title || page.url}</h1>
      {(document?.issuer || document?.docNumber || document?.publishedAt) && (
        <p className="pz-doc-meta">
          {[document.issuer, document.docNumber, document.publishedAt].filter(Boolean).join(' · ')}
        </p>
      )}
      {document && documentChanged(document) && (
        <p className="pz-doc-changed" role="status" data-testid="document-changed">
          {t('panel_document_changed')}
        </p>
      )}
      <CompareButton page={page} />

      {view.total === 0 ? (
        <div className="pz-empty" data-testid="empty-page">
          <p>{t('panel_empty')}</p>
          <ol className="pz-steps">
            <li>{t('panel_empty_step_select')}</li>
            <li>{t('panel_empty_step_clause')}</li>
            <li>{t(team ? 'panel_empty_step_team_joined' : 'panel_empty_step_team')}</li>
          </ol>
          {team && (
            <p className="pz-muted pz-small" data-testid="empty-membership">
              {t('panel_empty_membership', [team.teamName, t(`role_${team.role}`), team.serverUrl])}{' '}
              <button type="button" className="pz-link" onClick={() => void browser.runtime.openOptionsPage()}>
                {t('panel_manage_team')}
              </button>
            </p>
          )}
        </div>
      ) : (
        <>
          <FilterBar filters={filters} onChange={setFilters} tags={tags} authors={authors} />
          <p className="pz-muted pz-small" aria-live="polite" data-testid="shown-count">
            {isFiltering(filters)
              ? t('panel_shown_of', [String(view.shown), String(view.total)])
              : t(view.total === 1 ? 'panel_count_one' : 'panel_count', String(view.total))}
          </p>
        </>
      )}

      {message && <Notice kind={message.kind}>{message.text}</Notice>}

      {view.total > 0 && view.shown === 0 && <p className="pz-muted">{t('panel_no_match')}</p>}

      {view.groups.map((group) => (
        <section key={group.items[0]!.id} className="pz-clause-group" aria-label={group.label || t('clause_none')}>
          <h2 className="pz-clause-label">{group.label || t('clause_none')}</h2>
          {group.items.map((annotation) => (
            <AnnotationItem
              key={annotation.id}
              annotation={annotation}
              replies={view.repliesOf.get(annotation.id)}
              anchor={report?.anchors[annotation.id]}
              onOpen={goTo}
            />
          ))}
        </section>
      ))}

      {view.orphans.length > 0 && (
        <section className="pz-orphans" aria-labelledby="orphans-title" data-testid="orphans">
          <h2 id="orphans-title">{t('panel_orphans', String(view.orphans.length))}</h2>
          <p className="pz-muted pz-small">{t('panel_orphans_help')}</p>
          {view.orphans.map((annotation) => (
            <AnnotationItem key={annotation.id} annotation={annotation} replies={view.repliesOf.get(annotation.id)}>
              <button type="button" className="pz-reattach" onClick={() => void reattach(annotation)}>
                {t('panel_reattach')}
              </button>
            </AnnotationItem>
          ))}
        </section>
      )}
    </div>
  );
}
