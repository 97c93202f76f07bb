/**
 * The 新旧对照表 as a file, from the comparison page and offline: shared/compare's renderers (DOCX in the
 * briefing's landscape layout, Markdown), saved through the browser's downloads like a briefing.
 */
import { type ComparisonExport, type ComparisonFormat, renderComparison } from '../../../shared/compare/index.ts';
import { saveFile } from '../panel/briefing-export.ts';

export async function exportComparison(input: ComparisonExport, format: ComparisonFormat): Promise<void> {
  const file = await renderComparison(input, format);
  const body = typeof file.body === 'string' ? file.body : new Uint8Array(file.body);
  saveFile({ filename: file.filename, blob: new Blob([body], { type: file.mimeType }) });
}
