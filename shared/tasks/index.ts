/**
 * Tasks on clauses (任务分解) and their follow-up (落实台账), for the extension and the server alike.
 *
 *   extractTaskHints(clause.text, { year })            → suggested 牵头单位 / 责任单位 / 分管领导 / 完成时限
 *   parseTaskRecord(value), parseProgressEntry(value)    → what a room may hold (model.ts)
 *   filterTasks(...), sortTasks(...), displayStatus(...) → the 任务 tab and GET /api/teams/<id>/tasks
 *   renameUnit / mergeUnits / addUnit / deleteUnit       → changes to write into the team room's `units` map
 *   writeTask / readRoomTasks / taskChangesOfTransaction → the rooms' `tasks`, `progress` and `units` maps (room.ts)
 *   carryTask(source, from, target)                     → the task carried to a new version's clause (carry.ts)
 *   renderTaskTable(toTaskRows(tasks, { units }), { format: 'xlsx' | 'docx' | 'csv', title })
 *   renderProgressReport({ ...period, tasks: toReportTasks(tasks, { units, progress }) }, { format: 'docx' | 'md' })
 *
 * Nothing here loads exceljs or docx until a table or report in those formats is rendered (render.ts imports
 * them on demand), so a page that only lists tasks does not carry them.
 */
export { type CarryTarget, carriedFromKey, carriedTaskSources, carryTask } from './carry.ts';
export { addDays, daysBetween, isIsoDay } from './dates.ts';
export { parseDue } from './due.ts';
export { type DueDate, extractTaskHints, type HintContext, type TaskHints } from './hints.ts';
export { type Language, TABLE_COLUMNS, type TableColumn, taskLabels } from './labels.ts';
export * from './model.ts';
export * from './room.ts';
export {
  REPORT_FORMATS,
  type RenderedReport,
  type ReportFormat,
  renderProgressReport,
  renderTaskTable,
  TABLE_MIME_TYPES,
  taskFileName,
} from './render.ts';
export {
  buildProgressReport,
  MAX_REPORT_TASKS,
  type ProgressReport,
  type ProgressReportInput,
  type ReportCounts,
  type ReportGroup,
  type ReportItem,
  type ReportProgress,
  type ReportTask,
  reportLabels,
  toReportTasks,
} from './report.ts';
export { MAX_TABLE_ROWS, TABLE_FORMATS, type TableFormat, type TaskTableOptions } from './table.ts';
