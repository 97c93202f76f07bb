/** Exports this page's annotations as a Markdown briefing, straight from the local store (works offline). */
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { buildBriefing, renderBriefing } from '../../../shared/briefing/index.ts';
import { t } from '../../lib/i18n.ts';

export function downloadFile(filename: string, mimeType: string, body: string | Uint8Array): void {
  const blob = new Blob([body as BlobPart], { type: mimeType });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportButton({ annotations, document }: { annotations: Annotation[]; document: DocumentInfo | null }) {
  const exportMarkdown = async () => {
    const briefing = buildBriefing({
      annotations,
      documents: document ? [document] : [],
      options: { documents: document ? [document.key] : [], groupBy: 'document' },
      now: Date.now(),
    });
    const file = await renderBriefing(briefing, 'md');
    downloadFile(file.filename, file.mimeType, file.body);
  };
  return (
    <button type="button" data-export="md" disabled={annotations.length === 0} onClick={() => void exportMarkdown()}>
      {t('export_markdown')}
    </button>
  );
}
