/**
 * Exports of the task table. The XLSX and DOCX writers (exceljs, docx) are loaded only when such a file is
 * asked for, so a page that imports shared/tasks does not carry them: the bundler splits them off.
 */
import type { TaskRow } from './model.ts';
import { renderCsv } from './render-csv.ts';
import { renderReportMarkdown } from './render-report-md.ts';
import { buildProgressReport, type ProgressReportInput } from './report.ts';
import { prepareTable, type TableFormat, type TaskTableOptions } from './table.ts';

export const TABLE_MIME_TYPES: Record<TableFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  csv: 'text/csv; charset=utf-8',
};

/** The 任务分解表 as XLSX, DOCX (GB/T 9704 attachment) or CSV. Invalid rows or options throw a ValidationError. */
export async function renderTaskTable(rows: TaskRow[], options: TaskTableOptions): Promise<Uint8Array> {
  const table = prepareTable(rows, options);
  switch (options.format) {
    case 'xlsx':
      return (await import('./render-xlsx.ts')).renderXlsx(table);
    case 'docx':
      return (await import('./render-table-docx.ts')).renderTableDocx(table);
    case 'csv':
      return renderCsv(table);
    default:
      throw new Error(`Unknown task table format "${String(options.format).slice(0, 20)}"`);
  }
}

export const REPORT_FORMATS = ['docx', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export type RenderedReport = { filename: string; mimeType: string; body: Uint8Array | string };

const REPORT_MIME_TYPES: Record<ReportFormat, string> = {
  docx: TABLE_MIME_TYPES.docx,
  md: 'text/markdown; charset=utf-8',
};

/**
 * The 落实情况 report (report.ts) as DOCX (a Uint8Array) or Markdown (a string). Invalid input throws a
 * ValidationError.
 */
export async function renderProgressReport(
  input: ProgressReportInput,
  options: { format: ReportFormat },
): Promise<RenderedReport> {
  if (!(REPORT_FORMATS as readonly string[]).includes(options.format)) {
    throw new Error(`Unknown report format "${String(options.format).slice(0, 20)}"`);
  }
  const report = buildProgressReport(input);
  const body =
    options.format === 'docx'
      ? await (await import('./render-report-docx.ts')).renderReportDocx(report)
      : renderReportMarkdown(report);
  return { filename: taskFileName(report.title, options.format), mimeType: REPORT_MIME_TYPES[options.format], body };
}

/** "2023年工作要点任务分解表.xlsx", without characters file systems refuse. */
export function taskFileName(title: string, format: TableFormat | 'md'): string {
  const stem = title
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in file names
    .replace(/[\\/:*?"<>|\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069\s]+/g, '_')
    .replace(/^[-.\s_]+/, '');
  return `${[...stem].slice(0, 80).join('') || 'tasks'}.${format}`;
}
