/**
 * The team library: a search over every stored annotation (quotes, notes, tags and document titles; the team's
 * and the user's own) with filters by tag, author, document and date, results grouped by document in clause
 * order, each opening its notice at the annotation; and, with nothing asked, the documents annotated (most
 * recent first, page by page), the tags with their counts (open one for its clauses, rename, merge) and, in a
 * team, the team's units. Viewers read the tags and units but do not change them.
 * Everything is read through the store's indexed, paged queries.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import { browser } from 'wxt/browser';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { deepLinkFor } from '../../../shared/model/deep-link.ts';
import type { Role } from '../../../shared/protocol/api.ts';
import { t } from '../../lib/i18n.ts';
import {
  type AnnotationFilter,
  type FoundAnnotations,
  isFilterActive,
  LIBRARY_PAGE,
  type Library,
  MAX_QUERY_CHARS,
  MAX_RESULTS,
  RESULTS_PAGE,
  type StoreQueries,
} from '../../lib/store/queries.ts';
import { PeriodFields } from '../common/DateField.tsx';
import { FilterSelect } from '../common/Select.tsx';
import { AnnotationItem } from './AnnotationItem.tsx';
import { clauseLabel } from './filtering.ts';
import { Marked } from './Marked.tsx';
import { TagManager } from './TagManager.tsx';
import { UnitManager } from './UnitManager.tsx';

/** How long typing pauses before the search runs. */
const TYPING_PAUSE_MS = 250;
const NO_FILTER: AnnotationFilter = {};

const openUrl = (url: string) => void browser.tabs.create({ url });

/** `role`: the user's role in the team, or null outside a team (no team units then). */
export function TeamLibrary({ queries, role }: { queries: StoreQueries; role: Role | null }) {
  const [typed, setTyped] = useState('');
  const [filter, setFilter] = useState<AnnotationFilter>(NO_FILTER);
  const [documentLimit, setDocumentLimit] = useState(LIBRARY_PAGE);
  const [resultLimit, setResultLimit] = useState(RESULTS_PAGE);

  const change = (next: AnnotationFilter) => {
    setFilter(next);
    setResultLimit(RESULTS_PAGE);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: `change` only sets state
  useEffect(() => {
    if ((filter.text ?? '') === typed) return;
    const timer = setTimeout(() => change({ ...filter, text: typed }), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [typed, filter]);

  const library = useLiveQuery(() => queries.library(documentLimit), [queries, documentLimit], null);
  const active = isFilterActive(filter);
  const found = useLiveQuery(
    () => (active ? queries.find(filter, resultLimit) : null),
    [queries, filter, resultLimit, active],
    null,
  );

  if (!library) return <p className="pz-muted">{t('loading')}</p>;
  const canEdit = role !== 'viewer';
  const units = role && <UnitManager queries={queries} canEdit={canEdit} />;
  if (library.totalDocuments === 0) {
    return (
      <>
        <div className="pz-empty" data-testid="empty-library">
          <p>{t('library_empty')}</p>
        </div>
        {units}
      </>
    );
  }

  const clear = () => {
    setTyped('');
    change(NO_FILTER);
  };

  return (
    <div className="pz-library">
      <LibraryFilters
        library={library}
        typed={typed}
        onType={setTyped}
        filter={filter}
        onChange={change}
        onClear={clear}
      />
      {active ? (
        <Results
          filter={filter}
          found={found}
          onBack={clear}
          onMore={resultLimit < MAX_RESULTS ? () => setResultLimit(resultLimit + RESULTS_PAGE) : undefined}
        />
      ) : (
        <Overview
          library={library}
          canEdit={canEdit}
          onMore={() => setDocumentLimit(documentLimit + LIBRARY_PAGE)}
          onOpenTag={(tag) => {
            setTyped('');
            change({ tag });
          }}
        />
      )}
      {!active && units}
    </div>
  );
}

function LibraryFilters({
  library,
  typed,
  onType,
  filter,
  onChange,
  onClear,
}: {
  library: Library;
  typed: string;
  onType: (text: string) => void;
  filter: AnnotationFilter;
  onChange: (filter: AnnotationFilter) => void;
  onClear: () => void;
}) {
  const set = (patch: AnnotationFilter) => onChange({ ...filter, ...patch });
  const tagMissing = Boolean(filter.tag) && !library.tags.some((row) => row.tag === filter.tag);
  return (
    // biome-ignore lint/a11y/useSemanticElements: the search landmark around the search box and its filters
    <div className="pz-filters" role="search" aria-label={t('panel_filters')}>
      <input
        type="search"
        name="librarySearch"
        maxLength={MAX_QUERY_CHARS}
        className="pz-search"
        aria-label={t('library_search')}
        placeholder={t('library_search')}
        value={typed}
        onChange={(e) => onType(e.target.value)}
      />
      <div className="pz-row">
        <FilterSelect
          aria-label={t('panel_filter_tag')}
          name="libraryTag"
          allLabel={t('panel_all_tags')}
          choices={[
            ...(tagMissing ? [{ value: filter.tag!, label: filter.tag! }] : []),
            ...library.tags.map((row) => ({ value: row.tag, label: `${row.tag} (${row.count})` })),
          ]}
          value={filter.tag ?? null}
          onChange={(tag) => set({ tag })}
        />
        <FilterSelect
          aria-label={t('panel_filter_author')}
          name="libraryAuthor"
          allLabel={t('panel_all_authors')}
          choices={library.authors.map((author) => ({ value: author.id, label: author.name }))}
          value={filter.authorId ?? null}
          onChange={(authorId) => set({ authorId })}
        />
        <FilterSelect
          aria-label={t('library_filter_document')}
          name="libraryDocument"
          allLabel={t('library_all_documents')}
          choices={library.documents.map((summary) => ({
            value: summary.key,
            label: summary.document?.title || summary.document?.canonicalUrl || summary.key,
          }))}
          value={filter.documentKey ?? null}
          onChange={(documentKey) => set({ documentKey })}
        />
      </div>
      <div className="pz-row">
        <PeriodFields
          className="pz-inline-label"
          names={{ from: 'libraryFrom', to: 'libraryTo' }}
          labels={{ from: t('export_from'), to: t('export_to') }}
          value={{ from: filter.from ?? '', to: filter.to ?? '' }}
          onChange={({ from, to }) => set({ from: from || null, to: to || null })}
        />
        {(isFilterActive(filter) || typed) && (
          <button type="button" className="pz-link" onClick={onClear}>
            {t('panel_clear_filters')}
          </button>
        )}
      </div>
    </div>
  );
}

function Results({
  filter,
  found,
  onBack,
  onMore,
}: {
  filter: AnnotationFilter;
  found: FoundAnnotations | null;
  onBack: () => void;
  onMore?: () => void;
}) {
  const tagOnly = Boolean(filter.tag) && !isFilterActive({ ...filter, tag: null });
  const open = (document: DocumentInfo, annotation: Annotation) => openUrl(deepLinkFor(document.url, annotation));
  return (
    <div className="pz-library-results" data-testid="library-results">
      <button type="button" className="pz-link" onClick={onBack}>
        ← {t('library_back')}
      </button>
      {tagOnly && <h1>{t('library_tagged_title', filter.tag!)}</h1>}
      {!found ? (
        <p className="pz-muted">{t('loading')}</p>
      ) : (
        <>
          <p className="pz-muted pz-small" aria-live="polite" data-testid="results-count">
            {found.total === 0
              ? t('library_no_results')
              : t(found.totalExact ? 'library_results' : 'library_results_about', String(found.total))}
          </p>
          {found.groups.map((group) => (
            <section key={group.documentKey} className="pz-clause-group" data-document-key={group.documentKey}>
              <h2 className="pz-doc-group-title">
                <Marked
                  text={group.document?.title || group.document?.canonicalUrl || group.documentKey}
                  terms={found.terms}
                />
              </h2>
              {group.items.map((annotation) => (
                <div key={annotation.id}>
                  <div className="pz-clause-label">{clauseLabel(annotation.clausePath) || t('clause_none')}</div>
                  <AnnotationItem
                    annotation={annotation}
                    terms={found.terms}
                    onOpen={group.document ? () => open(group.document!, annotation) : undefined}
                  />
                </div>
              ))}
            </section>
          ))}
          {onMore && found.shown < found.total && (
            <button type="button" className="pz-more" onClick={onMore}>
              {t('library_more_results')}
            </button>
          )}
        </>
      )}
    </div>
  );
}

function Overview({
  library,
  canEdit,
  onMore,
  onOpenTag,
}: {
  library: Library;
  canEdit: boolean;
  onMore: () => void;
  onOpenTag: (tag: string) => void;
}) {
  return (
    <>
      <section aria-labelledby="library-docs">
        <h2 id="library-docs">{t('library_documents', String(library.totalDocuments))}</h2>
        <ul className="pz-doc-list">
          {library.documents.map((summary) => (
            <li key={summary.key} data-document-key={summary.key}>
              <button
                type="button"
                className="pz-doc-open"
                disabled={!summary.document}
                onClick={() => summary.document && openUrl(summary.document.url)}
              >
                <span className="pz-doc-name">{summary.document?.title || summary.document?.url || summary.key}</span>
                {summary.document && (
                  <span className="pz-doc-meta">
                    {[summary.document.issuer, summary.document.docNumber, summary.document.publishedAt]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                )}
                <span className="pz-doc-counts">
                  {t(summary.annotations === 1 ? 'library_doc_counts_one' : 'library_doc_counts', [
                    String(summary.annotations),
                    String(summary.tags),
                  ])}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {library.documents.length < library.totalDocuments && (
          <button type="button" className="pz-more" onClick={onMore}>
            {t('library_more_documents')}
          </button>
        )}
      </section>
      <section aria-labelledby="library-tags">
        <h2 id="library-tags">{t('library_tags', String(library.totalTags))}</h2>
        {library.tags.length === 0 ? (
          <p className="pz-muted">{t('library_no_tags')}</p>
        ) : (
          <>
            <TagManager tags={library.tags} canEdit={canEdit} onOpenTag={onOpenTag} />
            {library.tags.length < library.totalTags && (
              <p className="pz-muted pz-small">{t('library_tags_most_used', String(library.tags.length))}</p>
            )}
          </>
        )}
      </section>
    </>
  );
}
