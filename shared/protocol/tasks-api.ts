/**
 * The server's task endpoints (part of the HTTP contract in api.ts), members only, answered from the query index:
 *
 * GET /api/teams/<teamId>/tasks?document=&unit=&status=&dueBefore=&dueAfter=&leader=&limit=&cursor=&today=&timeZone=
 *   `unit` is a unit id or a unit's name (merged units count as the unit they were merged into); `status` a
 *   comma-separated list (or repeated) of todo, doing, done, overdue; `dueBefore` / `dueAfter` inclusive days
 *   (tasks without a dated deadline are left out); `leader` one name; `today` the day statuses are read on
 *   (default: today in `timeZone`, default Asia/Shanghai). Overdue and due within seven days first, then in
 *   document and clause order; `nextCursor` continues the list.
 * GET /api/teams/<teamId>/tasks/export?format=xlsx|docx|csv&document=&title=&language=zh|en (and the filters above)
 *   the 任务分解表 of the matching tasks (at most MAX_TABLE_ROWS), rendered by shared/tasks.
 */
import { z } from 'zod';
import { idSchema } from '../model/annotation.ts';
import { DISPLAY_STATUSES, progressEntrySchema, taskRecordSchema } from '../tasks/model.ts';

export const TASK_PAGE_DEFAULT = 100;
export const TASK_PAGE_MAX = 500;

export const taskViewSchema = taskRecordSchema.extend({
  documentKey: idSchema,
  /** The status as shown on the day the list was read: overdue (已逾期) when past due and not done. */
  displayStatus: z.enum(DISPLAY_STATUSES),
  /** Unit names after merges, in the order of the ids. */
  leadUnitNames: z.array(z.string()),
  unitNames: z.array(z.string()),
  latestProgress: progressEntrySchema.nullable(),
});
export type TaskView = z.infer<typeof taskViewSchema>;

export const taskListResponseSchema = z.object({
  tasks: z.array(taskViewSchema),
  nextCursor: z.string().nullable(),
  /** The day statuses were read on. */
  today: z.string(),
});
export type TaskListResponse = z.infer<typeof taskListResponseSchema>;
