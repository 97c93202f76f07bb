/**
 * The comparison page (compare.html): two versions of a notice side by side, clause by clause (issue 20).
 * Its address names the document it was opened for (`doc`), and the two versions once chosen (`before`,
 * `after`: `<documentKey>.<contentHash>`); without them it starts with the picker. Everything is read from the
 * store's clause snapshots, so it works offline and after the old page is gone.
 */
import { useEffect, useState } from 'react';
import { t } from '../../lib/i18n.ts';
import { type StoreQueries, storeQueries } from '../../lib/store/queries.ts';
import { parseVersionParam, type VersionPair, versionParam } from './comparison-model.ts';
import { Comparison } from './Comparison.tsx';
import { VersionPicker } from './VersionPicker.tsx';

export function CompareApp({ queries = storeQueries() }: { queries?: StoreQueries }) {
  const [documentKey] = useState(() => new URLSearchParams(location.search).get('doc'));
  const [pair, setPair] = useState<VersionPair | null>(() => {
    const query = new URLSearchParams(location.search);
    const before = parseVersionParam(query.get('before'));
    const after = parseVersionParam(query.get('after'));
    return before && after ? { before, after } : null;
  });

  useEffect(() => {
    document.title = `${t('compare_title')} · ${t('extName')}`;
  }, []);

  const show = (next: VersionPair | null) => {
    setPair(next);
    const query = new URLSearchParams();
    if (documentKey) query.set('doc', documentKey);
    if (next) {
      query.set('before', versionParam(next.before));
      query.set('after', versionParam(next.after));
    }
    history.replaceState(null, '', `?${query}`);
  };

  return (
    <div className="pz-compare">
      <header className="pz-header">
        <img src="/icon/32.png" alt="" width={20} height={20} />
        <strong>{t('extName')}</strong>
        <span className="pz-compare-heading">{t('compare_title')}</span>
      </header>
      {pair ? (
        <Comparison
          queries={queries}
          pair={pair}
          onSwap={() => show({ before: pair.after, after: pair.before })}
          onChoose={() => show(null)}
        />
      ) : (
        <VersionPicker queries={queries} documentKey={documentKey} onPick={show} />
      )}
    </div>
  );
}
