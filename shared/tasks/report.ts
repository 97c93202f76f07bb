/**
 * The 落实情况 report for a period: how the tasks of a notice (or several) stand, per unit or per clause, with
 * the latest progress of each task and what is overdue. `buildProgressReport` turns rows into the report's
 * model (pure, shared by both renderers); `renderProgressReport` writes it as DOCX (GB/T 9704) or Markdown.
 *
 *   const file = await renderProgressReport({
 *     title: '2023年工作要点落实情况', unit: '市教育局办公室',
 *     period: { from: '2023-04-01', to: '2023-06-30' }, today: '2023-07-03', groupBy: 'unit',
 *     tasks: toTaskRows(sorted, { units }).map((row, i) => ({ ...row, progress: entriesOf(sorted[i]) })),
 *   }, { format: 'docx' });   // → { filename, mimeType, body }
 *
 * Statuses are read on `today`; "latest progress" is the newest entry on or before the period's end, marked when
 * it falls before the period (no news this period). Per unit, a task counts under each of its lead units (its
 * responsible units when it has none); per clause, under its top-level section.
 */
import { z } from 'zod';
import { formatDate, isoDateIn } from '../briefing/time.ts';
import { describeIssues, ValidationError } from '../model/annotation.ts';
import { daysBetween } from './dates.ts';
import type { DueDate } from './hints.ts';
import { type Language, taskLabels } from './labels.ts';
import {
  type DisplayStatus,
  displayStatus,
  dueDateSchema,
  isoDaySchema,
  type ProgressEntry,
  TASK_LIMITS,
  TASK_STATUSES,
  type Task,
  type TaskRow,
  toTaskRows,
  type Units,
} from './model.ts';
import { cleanLine, cleanText } from './text.ts';

export type ReportProgress = { at: string; by: string; text: string; link?: string };

/** A task as the report takes it: a table row, with what the report adds. */
export type ReportTask = TaskRow & {
  /** The notice's title, when the report covers several. */
  document?: string;
  /** The top-level section, e.g. 一、坚持和加强党对教育工作的全面领导 (default: the clause path's first label). */
  section?: string;
  /** The task's progress entries (any order); `latestProgress` of a TaskRow is used when there are none. */
  progress?: ReportProgress[];
};

export type ProgressReportInput = {
  title: string;
  /** Who reports: the closing line, e.g. 市教育局办公室. */
  unit?: string;
  period: { from: string; to: string };
  /** The day statuses are read on (overdue is measured against it). */
  today: string;
  groupBy: 'unit' | 'clause';
  language?: Language;
  tasks: ReportTask[];
};

export type ReportCounts = Record<DisplayStatus, number> & { total: number; reported: number };

export type ReportItem = {
  no: number;
  clausePath: string;
  document?: string;
  task: string;
  leadUnits: string[];
  units: string[];
  leader?: string;
  due: DueDate | null;
  requirement?: string;
  status: DisplayStatus;
  latest: (ReportProgress & { inPeriod: boolean }) | null;
  /** Days past the due date on `today`, for overdue tasks. */
  overdueDays: number | null;
};

export type ReportGroup = {
  title: string;
  /** The title carries the notice's own number (一、坚持……): renderers add none of theirs. */
  numbered: boolean;
  counts: ReportCounts;
  items: ReportItem[];
};

export type ProgressReport = {
  title: string;
  unit: string;
  language: Language;
  period: { from: string; to: string };
  today: string;
  groupBy: 'unit' | 'clause';
  counts: ReportCounts;
  groups: ReportGroup[];
  overdue: ReportItem[];
  labels: ReportLabels;
};

export const MAX_REPORT_TASKS = 20_000;
const MAX_PROGRESS_PER_TASK = 1_000;

const text = (max: number) => z.string().max(max);
const progressSchema = z.object({
  at: isoDaySchema,
  by: text(TASK_LIMITS.unitNameChars),
  text: text(TASK_LIMITS.progressChars),
  link: text(4_096).optional(),
});
const reportTaskSchema = z.object({
  no: z.number().int().nonnegative().max(10_000_000),
  clausePath: text(1_000),
  task: text(TASK_LIMITS.taskChars),
  leadUnits: z.array(text(TASK_LIMITS.unitNameChars)).max(TASK_LIMITS.unitsPerTask),
  units: z.array(text(TASK_LIMITS.unitNameChars)).max(TASK_LIMITS.unitsPerTask),
  leader: text(TASK_LIMITS.leaderChars).optional(),
  due: dueDateSchema.nullable().optional(),
  requirement: text(TASK_LIMITS.requirementChars).optional(),
  status: z.enum(TASK_STATUSES).optional(),
  document: text(1_000).optional(),
  section: text(1_000).optional(),
  progress: z.array(progressSchema).max(MAX_PROGRESS_PER_TASK).optional(),
  latestProgress: z.object({ at: isoDaySchema, by: text(100), text: text(TASK_LIMITS.progressChars) }).optional(),
});
const inputSchema = z
  .object({
    title: text(1_000),
    unit: text(200).optional(),
    period: z.object({ from: isoDaySchema, to: isoDaySchema }),
    today: isoDaySchema,
    groupBy: z.enum(['unit', 'clause']),
    language: z.enum(['zh', 'en']).optional(),
    tasks: z.array(z.unknown()).max(MAX_REPORT_TASKS),
  })
  .refine((input) => input.period.from <= input.period.to, {
    message: 'must not end before it starts',
    path: ['period'],
  });

/**
 * Report rows from the store's tasks (filtered and sorted as they should appear) and progress entries: unit
 * names after merges, entries dated in the reader's time zone, the notice's title and section where known.
 */
export function toReportTasks(
  tasks: readonly Task[],
  context: {
    units: Units;
    progress?: readonly ProgressEntry[];
    timeZone?: string;
    documentTitle?: (documentKey: string) => string | undefined;
    sectionTitle?: (task: Task) => string | undefined;
  },
): ReportTask[] {
  const timeZone = context.timeZone ?? 'Asia/Shanghai';
  const byTask = new Map<string, ReportProgress[]>();
  for (const entry of context.progress ?? []) {
    const list = byTask.get(entry.taskId) ?? [];
    const progress: ReportProgress = { at: isoDateIn(entry.at, timeZone), by: entry.by.name, text: entry.text };
    if (entry.link) progress.link = entry.link;
    list.push(progress);
    byTask.set(entry.taskId, list);
  }
  const live = tasks.filter((task) => !task.deleted);
  return toTaskRows(live, { units: context.units }).map((row, i) => {
    const task = live[i]!;
    const out: ReportTask = { ...row };
    const progress = byTask.get(task.id);
    if (progress) out.progress = progress;
    const document = context.documentTitle?.(task.documentKey);
    if (document) out.document = document;
    const section = context.sectionTitle?.(task);
    if (section) out.section = section;
    return out;
  });
}

export function buildProgressReport(input: ProgressReportInput): ProgressReport {
  const checked = inputSchema.safeParse(input);
  if (!checked.success) throw new ValidationError('progress report', describeIssues(checked.error));
  const tasks = checked.data.tasks.map((task, i) => {
    const result = reportTaskSchema.safeParse(task);
    if (!result.success) throw new ValidationError(`progress report task ${i + 1}`, describeIssues(result.error));
    return result.data;
  });
  const { period, today, groupBy } = checked.data;
  const language = checked.data.language ?? 'zh';
  const labels = reportLabels(language);
  const items = tasks.map((task) => ({ task, item: toItem(task, period, today) }));
  const groups = new Map<string, ReportGroup>();
  const several = new Set(tasks.map((t) => t.document ?? '')).size > 1;
  for (const { task, item } of items) {
    for (const title of groupTitles(task, groupBy, labels, several)) {
      let group = groups.get(title);
      if (!group) {
        group = { title, numbered: groupBy === 'clause' && TOP_LABEL.test(title), counts: emptyCounts(), items: [] };
        groups.set(title, group);
      }
      group.items.push(item);
      count(group.counts, item);
    }
  }
  const counts = emptyCounts();
  for (const { item } of items) count(counts, item);
  const overdue = items
    .map(({ item }) => item)
    .filter((item) => item.status === 'overdue')
    .sort((a, b) => (b.overdueDays ?? 0) - (a.overdueDays ?? 0) || a.no - b.no);
  return {
    title: cleanLine(checked.data.title),
    unit: cleanLine(checked.data.unit ?? ''),
    language,
    period,
    today,
    groupBy,
    counts,
    // Tasks without a unit or section come last, whatever order they came in.
    groups: [...groups.values()].sort((a, b) => Number(a.title === labels.noUnit) - Number(b.title === labels.noUnit)),
    overdue,
    labels,
  };
}

function toItem(
  task: z.infer<typeof reportTaskSchema>,
  period: { from: string; to: string },
  today: string,
): ReportItem {
  const due = task.due ? { text: cleanLine(task.due.text), date: task.due.date } : null;
  const status = displayStatus({ status: task.status ?? 'todo', due }, today);
  const item: ReportItem = {
    no: task.no,
    clausePath: cleanLine(task.clausePath),
    task: cleanText(task.task).trim(),
    leadUnits: task.leadUnits.map(cleanLine).filter(Boolean),
    units: task.units.map(cleanLine).filter(Boolean),
    due,
    status,
    latest: latestBy(task, period),
    overdueDays: status === 'overdue' && due?.date ? daysBetween(due.date, today) : null,
  };
  if (task.document) item.document = cleanLine(task.document);
  if (task.leader) item.leader = cleanLine(task.leader);
  if (task.requirement) item.requirement = cleanText(task.requirement).trim();
  return item;
}

/** The newest entry dated on or before the period's end (later entries did not exist yet for this period). */
function latestBy(task: z.infer<typeof reportTaskSchema>, period: { from: string; to: string }): ReportItem['latest'] {
  const entries: ReportProgress[] = task.progress?.length
    ? task.progress
    : task.latestProgress
      ? [task.latestProgress]
      : [];
  let latest: ReportProgress | null = null;
  for (const entry of entries) if (entry.at <= period.to && (!latest || entry.at >= latest.at)) latest = entry;
  if (!latest) return null;
  const out: NonNullable<ReportItem['latest']> = {
    at: latest.at,
    by: cleanLine(latest.by),
    text: cleanText(latest.text).trim(),
    inPeriod: latest.at >= period.from,
  };
  if (latest.link) out.link = latest.link;
  return out;
}

const TOP_LABEL =
  /^(第[一二三四五六七八九十百零〇\d]+[编章节条]|[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[)）]|\d+[.．、]|[IVXLC]+\.)/;

function groupTitles(
  task: z.infer<typeof reportTaskSchema>,
  groupBy: 'unit' | 'clause',
  labels: ReportLabels,
  severalDocuments: boolean,
): string[] {
  if (groupBy === 'unit') {
    const names = (task.leadUnits.length ? task.leadUnits : task.units).map(cleanLine).filter(Boolean);
    return names.length ? [...new Set(names)] : [labels.noUnit];
  }
  const path = cleanLine(task.clausePath);
  const section = cleanLine(task.section ?? '') || TOP_LABEL.exec(path)?.[1] || '';
  const title = section || labels.noSection;
  return [severalDocuments && task.document ? `${labels.documentTitle(cleanLine(task.document))} ${title}` : title];
}

function emptyCounts(): ReportCounts {
  return { total: 0, todo: 0, doing: 0, done: 0, overdue: 0, reported: 0 };
}

function count(counts: ReportCounts, item: ReportItem): void {
  counts.total++;
  counts[item.status]++;
  if (item.latest?.inPeriod) counts.reported++;
}

// --- words ---

export type ReportLabels = {
  status: (status: DisplayStatus) => string;
  date: (day: string) => string;
  periodLine: (from: string, to: string, today: string) => string;
  summary: (counts: ReportCounts) => string;
  summaryCaption: string;
  summaryHeaders: (groupBy: 'unit' | 'clause') => string[];
  groupHeading: (title: string, counts: ReportCounts) => string;
  meta: (item: ReportItem) => string;
  latest: (latest: NonNullable<ReportItem['latest']>) => string;
  requirement: string;
  noProgress: string;
  attachmentLink: string;
  overdueHeading: string;
  overdueHeaders: string[];
  noOverdue: string;
  noUnit: string;
  noSection: string;
  documentTitle: (title: string) => string;
  listSeparator: string;
  total: string;
};

export function reportLabels(language: Language): ReportLabels {
  const table = taskLabels(language);
  const date = (day: string) => formatDate(day, language);
  const list = (names: string[]) => names.join(table.listSeparator);
  if (language === 'en') {
    return {
      status: table.status,
      date,
      periodLine: (from, to, today) => `Period: ${date(from)} to ${date(to)} (status as of ${date(today)}).`,
      summary: (c) =>
        `${c.total} tasks: ${c.done} done, ${c.doing} in progress, ${c.todo} not started, ${c.overdue} overdue; progress reported on ${c.reported} in this period.`,
      summaryCaption: 'Summary',
      summaryHeaders: (groupBy) => [
        groupBy === 'unit' ? 'Lead unit' : 'Section',
        'Tasks',
        'Done',
        'In progress',
        'Not started',
        'Overdue',
        'Reported',
      ],
      groupHeading: (title, c) => `${title} (${c.total} tasks)`,
      meta: (item) =>
        [
          item.clausePath && `Clause ${item.clausePath}`,
          item.leadUnits.length && `lead: ${list(item.leadUnits)}`,
          item.units.length && `responsible: ${list(item.units)}`,
          item.leader && `leader: ${item.leader}`,
          `deadline: ${item.due?.text ?? '—'}`,
          `status: ${table.status(item.status)}${item.overdueDays ? ` (${item.overdueDays} days)` : ''}`,
        ]
          .filter(Boolean)
          .join('; '),
      latest: (l) => `Latest progress (${date(l.at)}, ${l.by}${l.inPeriod ? '' : ', before this period'}): `,
      requirement: 'Requirements: ',
      noProgress: 'No progress reported yet.',
      attachmentLink: 'attachment',
      overdueHeading: 'Overdue',
      overdueHeaders: ['No.', 'Clause', 'Task', 'Lead units', 'Deadline', 'Days overdue'],
      noOverdue: 'Nothing is overdue.',
      noUnit: 'No lead unit named',
      noSection: 'Other clauses',
      documentTitle: (title) => `“${title}”`,
      listSeparator: table.listSeparator,
      total: 'Total',
    };
  }
  return {
    status: table.status,
    date,
    periodLine: (from, to, today) => `统计时段：${date(from)}至${date(to)}（状态截至${date(today)}）。`,
    summary: (c) =>
      `共${c.total}项任务，已完成${c.done}项，推进中${c.doing}项，未开始${c.todo}项，已逾期${c.overdue}项；本期报送进展${c.reported}项。`,
    summaryCaption: '落实情况汇总',
    summaryHeaders: (groupBy) => [
      groupBy === 'unit' ? '牵头单位' : '条款',
      '任务数',
      '已完成',
      '推进中',
      '未开始',
      '已逾期',
      '本期报送',
    ],
    groupHeading: (title, c) => `${title}（${c.total}项）`,
    meta: (item) =>
      [
        item.clausePath && `条款：${item.clausePath}`,
        item.leadUnits.length && `牵头单位：${list(item.leadUnits)}`,
        item.units.length && `责任单位：${list(item.units)}`,
        item.leader && `分管领导：${item.leader}`,
        `完成时限：${item.due?.text ?? '未定'}`,
        `状态：${table.status(item.status)}${item.overdueDays ? `（逾期${item.overdueDays}天）` : ''}`,
      ]
        .filter(Boolean)
        .join('；'),
    latest: (l) => `最新进展（${date(l.at)}，${l.by}${l.inPeriod ? '' : '，本期前'}）：`,
    requirement: '工作要求：',
    noProgress: '暂无进展报送。',
    attachmentLink: '附件',
    overdueHeading: '逾期事项',
    overdueHeaders: ['序号', '条款', '工作任务', '牵头单位', '完成时限', '逾期天数'],
    noOverdue: '无逾期事项。',
    noUnit: '未明确牵头单位',
    noSection: '其他条款',
    documentTitle: (title) => `《${title}》`,
    listSeparator: table.listSeparator,
    total: '合计',
  };
}
