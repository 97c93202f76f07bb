/**
 * Local backup: everything (annotations, deleted ones included, and documents) as W3C Web Annotation JSON, and
 * importing such a file back. Importing the same file twice changes nothing the second time.
 */
import { useRef, useState } from 'react';
import { ask } from '../../lib/ask.ts';
import type { ImportProblem, ImportSummary } from '../../lib/messages.ts';
import { errorText, t } from '../../lib/i18n.ts';
import { saveFile } from '../panel/briefing-export.ts';
import { Notice } from '../common/Notice.tsx';

type BackupState =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'error'; message: string }
  | { kind: 'exported' }
  | { kind: 'imported'; summary: ImportSummary };

export function Backup() {
  const [state, setState] = useState<BackupState>({ kind: 'idle' });
  const fileInput = useRef<HTMLInputElement>(null);

  const run = async (task: () => Promise<BackupState>) => {
    setState({ kind: 'busy' });
    try {
      setState(await task());
    } catch (error) {
      setState({ kind: 'error', message: errorText(error) });
    }
  };

  const exportAll = () =>
    run(async () => {
      const json = await ask({ type: 'backup.export' });
      const date = new Date().toISOString().slice(0, 10);
      saveFile({ filename: `pizhu-backup-${date}.jsonld`, blob: new Blob([json], { type: 'application/ld+json' }) });
      return { kind: 'exported' };
    });

  const importFile = (file: File) =>
    run(async () => ({
      kind: 'imported',
      summary: await ask({ type: 'backup.import', json: await file.text() }),
    }));

  return (
    <section aria-labelledby="backup-title" className="pz-card-section">
      <h2 id="backup-title">{t('options_backup')}</h2>
      <p className="pz-muted pz-small">{t('options_backup_help')}</p>
      <div className="pz-row">
        <button
          type="button"
          data-testid="backup-export"
          disabled={state.kind === 'busy'}
          onClick={() => void exportAll()}
        >
          {t('options_backup_export')}
        </button>
        <button type="button" disabled={state.kind === 'busy'} onClick={() => fileInput.current?.click()}>
          {t('options_backup_import')}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,.jsonld,application/json,application/ld+json"
          data-testid="backup-file"
          aria-label={t('options_backup_import')}
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFile(file);
          }}
        />
      </div>
      <div aria-live="polite">
        {state.kind === 'error' && <Notice kind="error">{state.message}</Notice>}
        {state.kind === 'exported' && <p className="pz-success">{t('options_backup_exported')}</p>}
        {state.kind === 'imported' && (
          <div data-testid="backup-result">
            <p className="pz-success">
              {t('options_backup_imported', [String(state.summary.imported), String(state.summary.unchanged)])}
            </p>
            {state.summary.errors.length > 0 && (
              <details>
                <summary className="pz-error">
                  {t('options_backup_errors', String(state.summary.errors.length))}
                </summary>
                <ul>
                  {state.summary.errors.slice(0, 50).map((problem, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the list is replaced whole, never reordered
                    <li key={i}>{problemText(problem)}</li>
                  ))}
                </ul>
              </details>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

/** "批注 #2 (urn:…)：内容不符合要求：…", in the UI language. */
function problemText({ kind, position, id, error }: ImportProblem): string {
  const which = [position === null ? '' : `#${position}`, id ? `(${id})` : ''].filter(Boolean).join(' ');
  return t('options_backup_problem', [t(`options_backup_kind_${kind}`), which, errorText(error)]);
}
