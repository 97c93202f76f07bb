/**
 * Choosing what to compare: the versions of the document the page was opened for (one is the base, the page as
 * read last by default), then the other version: this document's others first, documents with a similar title
 * or the same issuer next, then any stored version (newest first, or found by title). Every list is one of the
 * store's indexed, paged queries (queries.versions).
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { currentLanguage, t } from '../../lib/i18n.ts';
import { type StoreQueries, VERSIONS_PAGE, type VersionSummary } from '../../lib/store/queries.ts';
import { inVersionOrder, type VersionPair } from './comparison-model.ts';

export function VersionPicker({
  queries,
  documentKey,
  onPick,
}: {
  queries: StoreQueries;
  documentKey: string | null;
  onPick: (pair: VersionPair) => void;
}) {
  const [chosenBase, setChosenBase] = useState<VersionSummary | null>(null);
  const [text, setText] = useState('');
  const [limit, setLimit] = useState(VERSIONS_PAGE);
  const own = useLiveQuery(() => (documentKey ? queries.versions.of(documentKey) : []), [queries, documentKey], null);
  const base = chosenBase ?? own?.find((v) => v.current) ?? own?.[0] ?? null;
  const similar = useLiveQuery(
    () => (base ? queries.versions.similar({ key: base.documentKey, title: base.title, issuer: base.issuer }) : []),
    [queries, base?.documentKey, base?.title, base?.issuer],
    [],
  );
  const others = useLiveQuery(
    () => (text.trim() ? queries.versions.find(text, limit) : queries.versions.recent(limit)),
    [queries, text, limit],
    null,
  );

  const pick = (other: VersionSummary) => {
    if (!base) {
      setChosenBase(other);
      return;
    }
    const [before, after] = inVersionOrder(base, other);
    onPick({ before: refOf(before), after: refOf(after) });
  };
  const isBase = (v: VersionSummary) =>
    base !== null && v.documentKey === base.documentKey && v.contentHash === base.contentHash;
  const ownOthers = (own ?? []).filter((v) => !isBase(v));
  const similarKeys = new Set(similar.map((v) => v.documentKey));
  // "as read now" tells this notice's versions apart; on other notices it says nothing useful
  const otherNotices = (list: VersionSummary[]) =>
    list.map((v) => (v.documentKey === documentKey ? v : { ...v, current: false }));
  const rest = (others ?? []).filter((v) => !isBase(v) && !similarKeys.has(v.documentKey));

  return (
    <main className="pz-picker" data-testid="version-picker">
      <h1>{t('compare_pick_title')}</h1>
      {base ? (
        <section aria-labelledby="picker-base">
          <h2 id="picker-base">{t('compare_pick_base')}</h2>
          <VersionItem version={base} />
          {chosenBase && (
            <button type="button" className="pz-link" onClick={() => setChosenBase(null)}>
              {t('compare_pick_other_base')}
            </button>
          )}
        </section>
      ) : (
        <p className="pz-muted" data-testid="picker-no-base">
          {documentKey && own?.length === 0 ? t('compare_no_snapshot') : t('compare_pick_first')}
        </p>
      )}

      {ownOthers.length > 0 && (
        <VersionList
          id="picker-own"
          title={t('compare_pick_own')}
          versions={ownOthers}
          onPick={pick}
          action={base ? t('compare_with') : t('compare_as_base')}
        />
      )}
      {similar.length > 0 && (
        <VersionList
          id="picker-similar"
          title={t('compare_pick_similar')}
          versions={otherNotices(similar)}
          onPick={pick}
          action={base ? t('compare_with') : t('compare_as_base')}
        />
      )}

      <section aria-labelledby="picker-all">
        <h2 id="picker-all">{t('compare_pick_all')}</h2>
        <input
          type="search"
          className="pz-search"
          placeholder={t('compare_search_placeholder')}
          aria-label={t('compare_search_placeholder')}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setLimit(VERSIONS_PAGE);
          }}
        />
        {others === null ? (
          <p className="pz-muted">{t('loading')}</p>
        ) : rest.length === 0 ? (
          <p className="pz-muted">{t('compare_no_versions')}</p>
        ) : (
          <VersionList
            id="picker-rest"
            versions={otherNotices(rest)}
            onPick={pick}
            action={base ? t('compare_with') : t('compare_as_base')}
          />
        )}
        {others && others.length >= limit && (
          <button type="button" className="pz-more" onClick={() => setLimit(limit + VERSIONS_PAGE)}>
            {t('compare_more')}
          </button>
        )}
      </section>
    </main>
  );
}

function refOf(version: VersionSummary) {
  return { documentKey: version.documentKey, contentHash: version.contentHash };
}

function VersionList({
  id,
  title,
  versions,
  onPick,
  action,
}: {
  id: string;
  title?: string;
  versions: VersionSummary[];
  onPick: (version: VersionSummary) => void;
  action: string;
}) {
  const list = (
    <ul className="pz-version-list" data-testid={id}>
      {versions.map((version) => (
        <li key={`${version.documentKey}.${version.contentHash}`}>
          <VersionItem version={version} />
          <button type="button" data-pick={version.contentHash} onClick={() => onPick(version)}>
            {action}
          </button>
        </li>
      ))}
    </ul>
  );
  if (!title) return list;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {list}
    </section>
  );
}

function VersionItem({ version }: { version: VersionSummary }) {
  const details = [version.issuer, version.docNumber, version.publishedAt].filter(Boolean).join(' · ');
  return (
    <div className="pz-version">
      <strong className="pz-version-title">{version.title || version.url || t('compare_untitled')}</strong>
      {details && <span className="pz-muted pz-small">{details}</span>}
      {version.url && <span className="pz-muted pz-small pz-version-url">{version.url}</span>}
      <span className="pz-muted pz-small">
        {t('compare_version_facts', [
          String(version.clauses),
          new Date(version.storedAt).toLocaleDateString(currentLanguage() === 'en' ? 'en' : 'zh-CN'),
        ])}
        {version.current && ` · ${t('compare_version_current')}`}
      </span>
    </div>
  );
}
