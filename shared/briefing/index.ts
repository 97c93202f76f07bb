/**
 * Briefing export: a team's annotations become a document an official can hand in.
 *
 *   const options = parseBriefingOptions(dialogValues);            // or parseBriefingQuery(url.searchParams)
 *   const briefing = buildBriefing({ annotations, documents, options, now: Date.now(), viewer, anchoring });
 *   const file = await renderBriefing(briefing, 'docx');          // 'docx' | 'md' | 'html' | 'json'
 *   // file.filename, file.mimeType, file.body (Uint8Array for docx, string otherwise)
 *
 * The same code runs in the extension (offline, from the local store) and on the server
 * (GET /api/teams/<teamId>/briefing?format=...). Options are documented in options.ts; the selection and
 * grouping rules in model.ts. Invalid options throw a ValidationError (shared/model/annotation.ts) whose
 * `issues` list what is wrong; an empty selection is not an error but a briefing that says so.
 */
import type { Briefing } from './model.ts';
import { BRIEFING_FORMATS, type BriefingFormat } from './options.ts';
import { renderHtml } from './render-html.ts';
import { renderJson } from './render-json.ts';
import { renderMarkdown } from './render-markdown.ts';

export { clauseComparator, parseLabel } from './clause-order.ts';
export type {
  AnchorStatus,
  Briefing,
  BriefingEntry,
  BriefingGroup,
  BriefingInput,
  BriefingNote,
  BriefingSource,
  SummaryRow,
} from './model.ts';
export { buildBriefing } from './model.ts';
export {
  BRIEFING_FORMATS,
  type BriefingFormat,
  type BriefingOptions,
  type BriefingOptionsInput,
  briefingOptionsSchema,
  defaultScope,
  GROUPINGS,
  HEADER_FIELDS,
  includesPrivate,
  ORDERS,
  parseBriefingOptions,
  parseBriefingQuery,
} from './options.ts';

export type RenderedBriefing = {
  filename: string;
  mimeType: string;
  body: string | Uint8Array;
};

export const MIME_TYPES: Record<BriefingFormat, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8',
};

/** Renders a built briefing in one format. */
export async function renderBriefing(briefing: Briefing, format: BriefingFormat): Promise<RenderedBriefing> {
  if (!(BRIEFING_FORMATS as readonly string[]).includes(format))
    throw new Error(`Unknown briefing format "${String(format).slice(0, 20)}"`);
  const filename = `${briefingFileStem(briefing)}.${format}`;
  // The docx package is large: load it only when a DOCX is asked for (the extension's bundle splits it off).
  const body =
    format === 'docx'
      ? await (await import('./render-docx.ts')).renderDocx(briefing)
      : format === 'md'
        ? renderMarkdown(briefing)
        : format === 'html'
          ? renderHtml(briefing)
          : renderJson(briefing);
  return { filename, mimeType: MIME_TYPES[format], body };
}

/** "工作简报-第3期-2024-03-07": masthead, issue and date, without characters file systems refuse. */
export function briefingFileStem(b: Briefing): string {
  const parts = [b.header.masthead, b.header.issue, b.header.isoDate].filter(Boolean);
  const stem = parts
    .join('-')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in file names
    .replace(/[\\/:*?"<>|\u0000-\u001F\u007F]+/g, '_')
    .replace(/\s+/g, '_')
    .replace(/^[-.\s_]+/, '');
  return [...stem].slice(0, 80).join('') || 'briefing';
}
