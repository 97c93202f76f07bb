/**
 * The 任务分解表 and the 落实情况 report from the local store, offline, with shared/tasks' renderers (the same as
 * the server's /tasks/export). exceljs and docx are loaded only when such a file is made (render.ts imports them
 * on demand, so the side panel's own code does not carry them).
 */
import {
  type Language,
  type ProgressEntry,
  renderProgressReport,
  renderTaskTable,
  TABLE_MIME_TYPES,
  type TableFormat,
  type Task,
  type TaskRow,
  taskFileName,
  toReportTasks,
  toTaskRows,
  type ReportTask,
} from '../../../../shared/tasks/index.ts';
import type { TaskExport } from '../../../lib/store/queries.ts';
import type { ExportedFile } from '../briefing-export.ts';

export type TableRequest = { format: TableFormat; title: string; language: Language; today: string; timeZone: string };

export type ReportRequest = {
  format: 'docx' | 'md';
  title: string;
  unit?: string;
  period: { from: string; to: string };
  groupBy: 'unit' | 'clause';
  language: Language;
  today: string;
  timeZone: string;
};

/** Tasks by document, in the order given, each with its own document's progress (ids are unique per room). */
function byDocument(source: TaskExport): { tasks: Task[]; progress: ProgressEntry[] }[] {
  const groups = new Map<string, { tasks: Task[]; progress: ProgressEntry[] }>();
  for (const task of source.tasks) {
    let group = groups.get(task.documentKey);
    if (!group) groups.set(task.documentKey, (group = { tasks: [], progress: [] }));
    group.tasks.push(task);
  }
  for (const { documentKey, ...entry } of source.progress) groups.get(documentKey)?.progress.push(entry);
  return [...groups.values()];
}

export function tableRows(source: TaskExport, timeZone: string): TaskRow[] {
  const rows = byDocument(source).flatMap((group) =>
    toTaskRows(group.tasks, { units: source.units, progress: group.progress, timeZone }),
  );
  return rows.map((row, i) => ({ ...row, no: i + 1 }));
}

export async function exportTaskTable(source: TaskExport, request: TableRequest): Promise<ExportedFile> {
  const body = await renderTaskTable(tableRows(source, request.timeZone), {
    format: request.format,
    title: request.title,
    language: request.language,
    today: request.today,
  });
  return {
    filename: taskFileName(request.title, request.format),
    blob: new Blob([new Uint8Array(body)], { type: TABLE_MIME_TYPES[request.format] }),
  };
}

export function reportTasks(source: TaskExport, timeZone: string): ReportTask[] {
  const several = new Set(source.tasks.map((t) => t.documentKey)).size > 1;
  const title = (key: string) => (several ? (source.documents.get(key)?.title ?? undefined) : undefined);
  const tasks = byDocument(source).flatMap((group) =>
    toReportTasks(group.tasks, { units: source.units, progress: group.progress, timeZone, documentTitle: title }),
  );
  return tasks.map((task, i) => ({ ...task, no: i + 1 }));
}

export async function exportProgressReport(source: TaskExport, request: ReportRequest): Promise<ExportedFile> {
  const file = await renderProgressReport(
    {
      title: request.title,
      unit: request.unit,
      period: request.period,
      today: request.today,
      groupBy: request.groupBy,
      language: request.language,
      tasks: reportTasks(source, request.timeZone),
    },
    { format: request.format },
  );
  const body = typeof file.body === 'string' ? file.body : new Uint8Array(file.body);
  return { filename: file.filename, blob: new Blob([body], { type: file.mimeType }) };
}
