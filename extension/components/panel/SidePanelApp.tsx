/** The side panel: this page's annotations grouped by clause, and the way out to a briefing. */
import { useEffect, useState } from 'react';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { t } from '../../lib/i18n.ts';
import { PizhuDatabase } from '../../lib/store/db.ts';
import { useLiveQuery } from '../../lib/store/live.ts';
import { targetPage, type TargetPage } from '../../lib/target-page.ts';
import { ExportButton } from './ExportButton.tsx';

const db = new PizhuDatabase();

function groupByClause(annotations: Annotation[]): [string, Annotation[]][] {
  const groups = new Map<string, Annotation[]>();
  for (const annotation of annotations) {
    const label = annotation.clausePath.join('');
    groups.set(label, [...(groups.get(label) ?? []), annotation]);
  }
  return [...groups];
}

export function SidePanelApp() {
  const [page, setPage] = useState<TargetPage | null | undefined>(undefined);
  useEffect(() => void targetPage().then(setPage), []);
  const annotations = useLiveQuery(
    async () =>
      page
        ? (await db.annotations.where('documentKey').equals(page.documentKey).toArray()).filter((a) => !a.deleted)
        : [],
    [page?.documentKey],
    [] as Annotation[],
  );
  const document = useLiveQuery(
    async () => (page ? ((await db.documents.get(page.documentKey)) ?? null) : null),
    [page?.documentKey],
    null,
  );

  return (
    <div>
      <header className="pz-header">
        <strong>{t('extName')}</strong>
        <span className="pz-spacer" />
        {page && <ExportButton annotations={annotations} document={document} />}
      </header>
      <main className="pz-page">
        {page === null && <p className="pz-muted">{t('panel_no_page')}</p>}
        {page && (
          <>
            <h1>{document?.title ?? page.url}</h1>
            {annotations.length === 0 && <p className="pz-muted">{t('panel_empty')}</p>}
            {groupByClause(annotations).map(([label, items]) => (
              <section key={label} className="pz-clause-group">
                <div className="pz-clause-label">{label || t('clause_none')}</div>
                {items.map((annotation) => (
                  <article key={annotation.id} className="pz-item" data-annotation-id={annotation.id}>
                    <blockquote>{annotation.quote}</blockquote>
                    {annotation.tags.map((tag) => (
                      <span key={tag} className="pz-chip">
                        {tag}
                      </span>
                    ))}
                    {annotation.note && <p>{annotation.note}</p>}
                    <div className="pz-muted">{annotation.author.name}</div>
                  </article>
                ))}
              </section>
            ))}
          </>
        )}
      </main>
    </div>
  );
}
