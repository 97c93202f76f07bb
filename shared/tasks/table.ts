/**
 * The 任务分解表 as every format writes it: rows checked, columns chosen, each cell's text cleaned (XML-safe, no
 * bidirectional overrides) and worded in the table's language. The renderers only lay this out.
 */
import { z } from 'zod';
import { ValidationError, describeIssues } from '../model/annotation.ts';
import { type Language, TABLE_COLUMNS, type TableColumn, type TaskLabels, taskLabels } from './labels.ts';
import { displayStatus, dueDateSchema, isoDaySchema, TASK_LIMITS, TASK_STATUSES, type TaskRow } from './model.ts';
import { cleanLine, cleanText } from './text.ts';

export const TABLE_FORMATS = ['xlsx', 'docx', 'csv'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export type TaskTableOptions = {
  format: TableFormat;
  title: string;
  language?: Language;
  /** The day statuses are read on ('YYYY-MM-DD'): with it, a task past its date and not done reads 已逾期. */
  today?: string;
  /** The DOCX attachment label, e.g. 附件2 (default 附件 / Attachment). */
  attachmentLabel?: string;
};

/** More rows than this is not a table anyone prints; refuse rather than spend minutes on it. */
export const MAX_TABLE_ROWS = 20_000;

const name = z.string().max(TASK_LIMITS.unitNameChars);
const taskRowSchema = z.object({
  no: z.number().int().nonnegative().max(10_000_000),
  clausePath: z.string().max(1_000),
  task: z.string().max(TASK_LIMITS.taskChars),
  leadUnits: z.array(name).max(TASK_LIMITS.unitsPerTask),
  units: z.array(name).max(TASK_LIMITS.unitsPerTask),
  leader: z.string().max(TASK_LIMITS.leaderChars).optional(),
  due: dueDateSchema.nullable().optional(),
  requirement: z.string().max(TASK_LIMITS.requirementChars).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  latestProgress: z
    .object({
      at: z.string().max(40),
      by: z.string().max(TASK_LIMITS.unitNameChars),
      text: z.string().max(TASK_LIMITS.progressChars),
    })
    .optional(),
});

const optionsSchema = z.object({
  title: z.string().max(1_000),
  language: z.enum(['zh', 'en']).optional(),
  today: isoDaySchema.optional(),
  attachmentLabel: z.string().max(40).optional(),
});

export type PreparedRow = {
  no: number;
  /** Cleaned text of every column, as a CSV or a DOCX shows it. */
  text: Record<TableColumn, string>;
  /** The deadline's day when it has one (an XLSX date cell); the phrase as written is text.due. */
  dueDate: string | null;
};

export type PreparedTable = {
  title: string;
  language: Language;
  labels: TaskLabels;
  attachmentLabel: string;
  columns: TableColumn[];
  rows: PreparedRow[];
};

export function prepareTable(rows: readonly TaskRow[], options: TaskTableOptions): PreparedTable {
  if (!Array.isArray(rows)) throw new ValidationError('task table', ['rows: expected an array']);
  if (rows.length > MAX_TABLE_ROWS) {
    throw new ValidationError('task table', [`rows: at most ${MAX_TABLE_ROWS} rows (got ${rows.length})`]);
  }
  const checkedOptions = optionsSchema.safeParse(options);
  if (!checkedOptions.success) throw new ValidationError('task table options', describeIssues(checkedOptions.error));
  const language = checkedOptions.data.language ?? 'zh';
  const labels = taskLabels(language);
  const checked = rows.map((row, i) => {
    const result = taskRowSchema.safeParse(row);
    if (!result.success) throw new ValidationError(`task table row ${i + 1}`, describeIssues(result.error));
    return result.data;
  });
  const hasProgress = checked.some((row) => row.latestProgress);
  const columns = TABLE_COLUMNS.filter((column) => column !== 'latestProgress' || hasProgress);
  const join = (names: readonly string[]) => names.map(cleanLine).filter(Boolean).join(labels.listSeparator);
  const prepared = checked.map((row): PreparedRow => {
    const status = row.status
      ? labels.status(
          checkedOptions.data.today
            ? displayStatus({ status: row.status, due: row.due ?? null }, checkedOptions.data.today)
            : row.status,
        )
      : '';
    const progress = row.latestProgress;
    return {
      no: row.no,
      dueDate: row.due?.date ?? null,
      text: {
        no: String(row.no),
        clause: cleanLine(row.clausePath),
        task: cleanText(row.task).trim(),
        leadUnits: join(row.leadUnits),
        units: join(row.units),
        leader: cleanLine(row.leader ?? ''),
        due: cleanLine(row.due?.text ?? ''),
        requirement: cleanText(row.requirement ?? '').trim(),
        status,
        latestProgress: progress
          ? `${cleanLine(progress.at)} ${cleanLine(progress.by)}${labels.colon}${cleanText(progress.text).trim()}`
          : '',
      },
    };
  });
  return {
    title: cleanLine(checkedOptions.data.title),
    language,
    labels,
    attachmentLabel: cleanLine(checkedOptions.data.attachmentLabel ?? '') || labels.attachment,
    columns,
    rows: prepared,
  };
}
