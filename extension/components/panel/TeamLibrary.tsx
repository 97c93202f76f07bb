/**
 * The team library: every document annotated (title, issuer, date, counts), every tag with counts, and the
 * shared tagged-clauses view: every clause with a chosen tag across all documents. Tags can be renamed and merged.
 */
import { useMemo, useState } from 'react';
import { browser } from 'wxt/browser';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { t } from '../../lib/i18n.ts';
import { AnnotationItem } from './AnnotationItem.tsx';
import { clausesWithTag, highlightLink, summariseDocuments, tagCounts } from './library.ts';
import { TagManager } from './TagManager.tsx';
import { clauseLabel } from './filtering.ts';

export function TeamLibrary({ annotations, documents }: { annotations: Annotation[]; documents: DocumentInfo[] }) {
  const [tag, setTag] = useState<string | null>(null);
  const summaries = useMemo(() => summariseDocuments(documents, annotations), [documents, annotations]);
  const tags = useMemo(() => tagCounts(annotations), [annotations]);
  const tagged = useMemo(() => (tag ? clausesWithTag(tag, annotations, documents) : []), [tag, annotations, documents]);

  const open = (url: string) => void browser.tabs.create({ url });

  if (!summaries.length) {
    return (
      <div className="pz-empty" data-testid="empty-library">
        <p>{t('library_empty')}</p>
      </div>
    );
  }

  if (tag) {
    return (
      <div className="pz-library" data-testid="tagged-clauses">
        <button type="button" className="pz-link" onClick={() => setTag(null)}>
          ← {t('library_back')}
        </button>
        <h1>{t('library_tagged_title', tag)}</h1>
        {tagged.map((group) => (
          <section key={group.documentKey} className="pz-clause-group">
            <h2 className="pz-doc-group-title">{group.document?.title ?? group.documentKey}</h2>
            {group.items.map((annotation) => (
              <div key={annotation.id}>
                <div className="pz-clause-label">{clauseLabel(annotation.clausePath) || t('clause_none')}</div>
                <AnnotationItem
                  annotation={annotation}
                  onOpen={group.document ? () => open(highlightLink(group.document!.url, annotation.id)) : undefined}
                />
              </div>
            ))}
          </section>
        ))}
      </div>
    );
  }

  return (
    <div className="pz-library">
      <section aria-labelledby="library-docs">
        <h2 id="library-docs">{t('library_documents', String(summaries.length))}</h2>
        <ul className="pz-doc-list">
          {summaries.map((doc) => (
            <li key={doc.key} data-document-key={doc.key}>
              <button type="button" className="pz-doc-open" onClick={() => open(doc.url)}>
                <span className="pz-doc-name">{doc.title || doc.url}</span>
                <span className="pz-doc-meta">
                  {[doc.issuer, doc.docNumber, doc.publishedAt].filter(Boolean).join(' · ')}
                </span>
                <span className="pz-doc-counts">
                  {t(doc.annotations === 1 ? 'library_doc_counts_one' : 'library_doc_counts', [
                    String(doc.annotations),
                    String(doc.tags),
                  ])}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="library-tags">
        <h2 id="library-tags">{t('library_tags', String(tags.length))}</h2>
        {tags.length === 0 ? (
          <p className="pz-muted">{t('library_no_tags')}</p>
        ) : (
          <TagManager tags={tags} onOpenTag={setTag} />
        )}
      </section>
    </div>
  );
}
