/**
 * Placeholder until the lead's ExportButton lands on main (then main's version replaces this file): downloads
 * the page's annotations as Markdown, grouped by clause.
 */
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { t } from '../../lib/i18n.ts';

export function pageMarkdown(document: DocumentInfo | null, annotations: Annotation[]): string {
  const lines = [`# ${document?.title ?? ''}`, ''];
  if (document?.url) lines.push(document.url, '');
  for (const annotation of annotations.filter((a) => !a.replyTo)) {
    lines.push(`## ${annotation.clausePath.join('') || t('clause_none')}`, '', `> ${annotation.quote.replace(/\n/g, '\n> ')}`, '');
    if (annotation.tags.length) lines.push(annotation.tags.map((tag) => `#${tag}`).join(' '), '');
    if (annotation.note) lines.push(annotation.note, '');
    lines.push(`— ${annotation.author.name}`, '');
  }
  return lines.join('\n');
}

export function ExportButton({ annotations, document }: { annotations: Annotation[]; document: DocumentInfo | null }) {
  const download = () => {
    const blob = new Blob([pageMarkdown(document, annotations)], { type: 'text/markdown;charset=utf-8' });
    const link = window.document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${(document?.title ?? 'pizhu').slice(0, 60)}.md`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1_000);
  };
  return (
    <button type="button" data-export="md" onClick={download} disabled={!annotations.length}>
      {t('export_markdown')}
    </button>
  );
}
