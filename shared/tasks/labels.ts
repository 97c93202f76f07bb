/** Every fixed word of the task table and the progress report, in Chinese (公文 usage) and English. */
import type { DisplayStatus } from './model.ts';

export type Language = 'zh' | 'en';

export const TABLE_COLUMNS = [
  'no',
  'clause',
  'task',
  'leadUnits',
  'units',
  'leader',
  'due',
  'requirement',
  'status',
  'latestProgress',
] as const;
export type TableColumn = (typeof TABLE_COLUMNS)[number];
/** Columns of numbers, dates and short words: centred in every table format. */
export const CENTRED_COLUMNS: ReadonlySet<TableColumn> = new Set(['no', 'clause', 'leader', 'due', 'status']);

const COLUMN_NAMES: Record<Language, Record<TableColumn, string>> = {
  zh: {
    no: '序号',
    clause: '条款',
    task: '工作任务',
    leadUnits: '牵头单位',
    units: '责任单位',
    leader: '分管领导',
    due: '完成时限',
    requirement: '工作要求',
    status: '状态',
    latestProgress: '最新进展',
  },
  en: {
    no: 'No.',
    clause: 'Clause',
    task: 'Task',
    leadUnits: 'Lead units',
    units: 'Responsible units',
    leader: 'Leader in charge',
    due: 'Deadline',
    requirement: 'Requirements',
    status: 'Status',
    latestProgress: 'Latest progress',
  },
};

const STATUS_NAMES: Record<Language, Record<DisplayStatus, string>> = {
  zh: { todo: '未开始', doing: '推进中', done: '已完成', overdue: '已逾期' },
  en: { todo: 'Not started', doing: 'In progress', done: 'Done', overdue: 'Overdue' },
};

export type TaskLabels = {
  column: (column: TableColumn) => string;
  status: (status: DisplayStatus) => string;
  /** Between names in one cell: 、 or a comma. */
  listSeparator: string;
  /** The label top left of an attachment: 附件 / Attachment. */
  attachment: string;
  sheetName: string;
  colon: string;
};

export function taskLabels(language: Language): TaskLabels {
  const zh = language === 'zh';
  return {
    column: (column) => COLUMN_NAMES[language][column],
    status: (status) => STATUS_NAMES[language][status],
    listSeparator: zh ? '、' : ', ',
    attachment: zh ? '附件' : 'Attachment',
    sheetName: zh ? '任务分解表' : 'Tasks',
    colon: zh ? '：' : ': ',
  };
}
