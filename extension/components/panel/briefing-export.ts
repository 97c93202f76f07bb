/**
 * Exports a briefing from the local store, offline: the same builder and renderers as the server's
 * /briefing endpoint (shared/briefing). The header and closing-block fields are remembered per team in this
 * extension's localStorage, so the next briefing starts with the same unit, masthead and distribution.
 */
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import {
  buildBriefing,
  HEADER_FIELDS,
  renderBriefing,
  type BriefingFormat,
  type BriefingOptionsInput,
} from '../../../shared/briefing/index.ts';
import type { AnchorStatus } from '../../lib/messages.ts';

export type ExportRequest = {
  annotations: readonly Annotation[];
  documents: readonly DocumentInfo[];
  options: BriefingOptionsInput;
  format: BriefingFormat;
  viewer: { id: string; name?: string } | null;
  anchors?: Readonly<Record<string, AnchorStatus>>;
};

export type ExportedFile = { filename: string; blob: Blob };

export async function exportBriefing(request: ExportRequest): Promise<ExportedFile> {
  const anchoring: Record<string, 'anchored' | 'orphan'> = {};
  for (const [id, status] of Object.entries(request.anchors ?? {})) {
    if (status === 'orphan' || status === 'ambiguous') anchoring[id] = 'orphan';
    else if (status !== 'pending') anchoring[id] = 'anchored';
  }
  const briefing = buildBriefing({
    annotations: request.annotations,
    documents: request.documents,
    options: request.options,
    now: Date.now(),
    viewer: request.viewer,
    anchoring,
  });
  const file = await renderBriefing(briefing, request.format);
  const body = typeof file.body === 'string' ? file.body : new Uint8Array(file.body);
  return { filename: file.filename, blob: new Blob([body], { type: file.mimeType }) };
}

/**
 * Opens a printable HTML briefing in a new tab (the official prints it to PDF from there). The object URL is
 * kept for a while so a reload of that tab still works.
 */
export function openFile(file: ExportedFile): void {
  const url = URL.createObjectURL(file.blob);
  window.open(url, '_blank');
  setTimeout(() => URL.revokeObjectURL(url), 10 * 60_000);
}

/** Saves a file through the browser's downloads (an <a download> click; no extra permission needed). */
export function saveFile(file: ExportedFile): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(file.blob);
  link.download = file.filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export type HeaderFields = Partial<Pick<BriefingOptionsInput, (typeof HEADER_FIELDS)[number]>>;

const storageKey = (teamId: string | null) => `pizhu.briefingHeader.${teamId ?? 'local'}`;

export function rememberedHeader(teamId: string | null, storage: Storage = localStorage): HeaderFields {
  try {
    const raw = JSON.parse(storage.getItem(storageKey(teamId)) ?? '{}') as Record<string, unknown>;
    const fields: HeaderFields = {};
    for (const name of HEADER_FIELDS) {
      const value = raw[name];
      if (name === 'copies' ? typeof value === 'number' : typeof value === 'string')
        (fields as Record<string, unknown>)[name] = value;
    }
    return fields;
  } catch {
    return {};
  }
}

export function rememberHeader(
  teamId: string | null,
  options: BriefingOptionsInput,
  storage: Storage = localStorage,
): void {
  const fields: Record<string, unknown> = {};
  for (const name of HEADER_FIELDS)
    if (options[name] !== undefined && options[name] !== '') fields[name] = options[name];
  storage.setItem(storageKey(teamId), JSON.stringify(fields));
}
