/**
 * The way out to a briefing: "Markdown" exports this page at once (the quick path), "Briefing…" opens the
 * export dialog (scope, layout, header, format). Both build the briefing offline from the store and start from
 * the same scope (defaultScope): private notes only when the dialog's box is ticked.
 */
import { useState } from 'react';
import { defaultScope } from '../../../shared/briefing/index.ts';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { errorText, t } from '../../lib/i18n.ts';
import { exportBriefing, rememberedHeader, saveFile } from './briefing-export.ts';
import { ExportDialog, type ExportContext } from './ExportDialog.tsx';

export function ExportButton({
  annotations,
  document,
  context,
}: {
  annotations: Annotation[];
  document: DocumentInfo | null;
  /** Unset until the settings are known: whether the user is in a team decides the default scope. */
  context?: ExportContext;
}) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const quickMarkdown = async () => {
    if (!context) return;
    setError(null);
    try {
      const file = await exportBriefing({
        annotations,
        documents: document ? [document] : [],
        options: {
          ...defaultScope(context.teamId !== null),
          documents: document ? [document.key] : [],
          groupBy: 'document',
          ...rememberedHeader(context.teamId),
        },
        format: 'md',
        viewer: context.viewer,
        anchors: context.anchors,
      });
      saveFile(file);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <span className="pz-export">
      <button
        type="button"
        data-export="md"
        onClick={() => void quickMarkdown()}
        disabled={!annotations.length || !context}
        title={t('export_markdown_help')}
      >
        {t('export_markdown')}
      </button>
      {context && (
        <button type="button" className="pz-primary" data-export="dialog" onClick={() => setOpen(true)}>
          {t('export_open')}
        </button>
      )}
      {error && (
        <span className="pz-error" role="alert">
          {error}
        </span>
      )}
      {open && context && <ExportDialog context={context} onClose={() => setOpen(false)} />}
    </span>
  );
}
