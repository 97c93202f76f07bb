/**
 * "比较版本…" in the side panel: keeps a clause snapshot of the page as read now (asked of its content script;
 * a page not annotated yet has none), then opens the comparison page for it in a new tab, where the other
 * version is picked.
 */
import { useState } from 'react';
import { browser } from 'wxt/browser';
import type { ClauseSnapshot } from '../../../shared/compare/index.ts';
import { ask } from '../../lib/ask.ts';
import { comparePageUrl } from '../../lib/compare-messages.ts';
import { errorText, t } from '../../lib/i18n.ts';
import type { TargetPage } from '../../lib/target-page.ts';
import { tellPage } from '../panel/page-link.ts';

type Taken = { documentKey: string; snapshot: ClauseSnapshot; bodyHash: string } | { error: string };

export function CompareButton({ page }: { page: TargetPage }) {
  const [error, setError] = useState<string | null>(null);

  const open = async () => {
    setError(null);
    try {
      // the page may be closed, or not one Pizhu runs on: the stored versions can still be compared
      const taken = await tellPage<Taken>(page, { type: 'page.takeSnapshot' }).catch(() => null);
      if (taken && 'snapshot' in taken && taken.documentKey === page.documentKey) {
        await ask({
          type: 'snapshot.keep',
          documentKey: page.documentKey,
          snapshot: taken.snapshot,
          bodyHash: taken.bodyHash,
        });
      }
      const path = comparePageUrl({ doc: page.documentKey }) as '/compare.html';
      await browser.tabs.create({ url: browser.runtime.getURL(path) });
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <span className="pz-compare-open">
      <button type="button" data-testid="compare-open" onClick={() => void open()} title={t('compare_open_help')}>
        {t('compare_open')}
      </button>
      {error && (
        <span className="pz-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
