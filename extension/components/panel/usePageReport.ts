/** The page's anchoring report (which annotations are found, in what order), refreshed while the panel is open. */
import { useEffect, useState } from 'react';
import type { PageReport } from '../../lib/messages.ts';
import type { TargetPage } from '../../lib/target-page.ts';
import { readReport } from './page-link.ts';

const REFRESH_MS = 1_500;

export function usePageReport(page: TargetPage | null | undefined, changeKey: unknown): PageReport | null {
  const [report, setReport] = useState<PageReport | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: changeKey is the signal to read the report again
  useEffect(() => {
    if (!page) {
      setReport(null);
      return;
    }
    let stopped = false;
    const refresh = () =>
      void readReport(page).then((next) => {
        if (!stopped) setReport(next);
      });
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [page, changeKey]);
  return report;
}
