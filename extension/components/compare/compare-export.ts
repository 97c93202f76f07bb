/**
 * Files from the comparison page, offline: the 新旧对照表 (shared/compare's renderers: DOCX in the briefing's
 * landscape layout, Markdown) and a briefing of the new version that opens with what changed (the summary
 * paragraph as the briefing's `changeSummary`), both saved through the browser's downloads like a briefing.
 */
import { type BriefingOptionsInput, defaultScope, parseBriefingOptions } from '../../../shared/briefing/index.ts';
import { type ComparisonExport, type ComparisonFormat, renderComparison } from '../../../shared/compare/index.ts';
import type { SettingsView } from '../../lib/messages.ts';
import type { StoreQueries } from '../../lib/store/queries.ts';
import { exportBriefing, rememberedHeader, saveFile } from '../panel/briefing-export.ts';

export async function exportComparison(input: ComparisonExport, format: ComparisonFormat): Promise<void> {
  const file = await renderComparison(input, format);
  const body = typeof file.body === 'string' ? file.body : new Uint8Array(file.body);
  saveFile({ filename: file.filename, blob: new Blob([body], { type: file.mimeType }) });
}

/**
 * The new version's briefing (DOCX, the export dialog's default scope and remembered header) with the
 * comparison's summary after its lead.
 */
export async function exportBriefingWithChanges(request: {
  queries: StoreQueries;
  settings: SettingsView;
  documentKey: string;
  summary: string;
}): Promise<void> {
  const { queries, settings, documentKey, summary } = request;
  const team = settings.team;
  const localId = team ? null : await queries.localAuthorId();
  const viewer = team
    ? { id: team.memberId, name: team.displayName }
    : localId
      ? { id: localId, name: settings.preferences.displayName }
      : null;
  const options: BriefingOptionsInput = {
    ...defaultScope(team !== null),
    documents: [documentKey],
    groupBy: 'document',
    changeSummary: summary,
    ...rememberedHeader(team?.teamId ?? null),
  };
  const source = await queries.briefingSource(parseBriefingOptions(options), viewer?.id ?? null);
  saveFile(await exportBriefing({ ...source, options, format: 'docx', viewer }));
}
