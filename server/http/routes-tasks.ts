/**
 * The team's tasks from the query index (shared/protocol/tasks-api.ts): the list the 任务 tab shows, filtered and
 * paged, and the 任务分解表 as XLSX, DOCX or CSV rendered by shared/tasks, the renderers the extension uses.
 * Mounted under /api/teams, behind the membership check of app.ts (every member reads, viewers included).
 */
import { Hono } from 'hono';
import { ValidationError } from '../../shared/model/index.ts';
import { TASK_PAGE_DEFAULT, TASK_PAGE_MAX, type TaskView } from '../../shared/protocol/tasks-api.ts';
import {
  compareInClauseOrder,
  type DocumentProgressEntry,
  displayStatus,
  findUnitByName,
  isIsoDay,
  latestProgressByDocumentTask,
  MAX_TABLE_ROWS,
  parseTaskQuery,
  renderTaskTable,
  TABLE_FORMATS,
  TABLE_MIME_TYPES,
  type TableFormat,
  type Task,
  type TaskFilter,
  type TaskRow,
  taskFileName,
  todayIn,
  toTaskRows,
  type Units,
  unitIdForName,
  unitNames,
  unitResolver,
} from '../../shared/tasks/index.ts';
import type { TaskQueries } from '../index-db/tasks-index.ts';
import type { AppEnv, ServerContext } from './context.ts';
import { badRequest } from './errors.ts';
import { contentDisposition } from './routes-briefing.ts';

const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

type TaskRequest = { filter: TaskFilter; today: string; timeZone: string };

function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The filter of a request; `unit` may name a unit (its id is looked up, merges followed by the index). */
function parseTaskRequest(params: URLSearchParams, units: Units, now: number): TaskRequest {
  const unit = params.get('unit');
  if (unit !== null && !Object.hasOwn(units, unit)) {
    const byName = findUnitByName(units, unit);
    const query = new URLSearchParams(params);
    query.set('unit', byName?.id ?? (/^[A-Za-z0-9_-]{1,64}$/.test(unit) ? unit : unitIdForName(unit)));
    params = query;
  }
  const parsed = parseTaskQuery(params);
  if (!parsed.ok) throw badRequest(parsed.error);
  const timeZone = params.get('timeZone') ?? DEFAULT_TIME_ZONE;
  if (timeZone.length > 64 || !knownTimeZone(timeZone)) throw badRequest('timeZone is not a known time zone');
  const today = params.get('today') ?? todayIn(now, timeZone);
  if (!isIsoDay(today)) throw badRequest('today must be a calendar date YYYY-MM-DD');
  return { filter: parsed.value, today, timeZone };
}

function pageSize(raw: string | null): number {
  if (raw === null) return TASK_PAGE_DEFAULT;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > TASK_PAGE_MAX) {
    throw badRequest(`limit must be a whole number from 1 to ${TASK_PAGE_MAX}`);
  }
  return value;
}

export function taskRoutes(ctx: ServerContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const queries = ctx.tasks;

  app.get('/:teamId/tasks', async (c) => {
    const teamId = c.req.param('teamId');
    const params = new URL(c.req.url).searchParams;
    const units = await queries.units(teamId);
    const { filter, today } = parseTaskRequest(params, units, Date.now());
    const cursor = params.get('cursor') ?? undefined;
    if (cursor !== undefined && cursor.length > 1_000) throw badRequest('invalid cursor');
    let page: Awaited<ReturnType<typeof queries.list>>;
    try {
      page = await queries.list(teamId, { ...filter, today, limit: pageSize(params.get('limit')), cursor });
    } catch (error) {
      if (error instanceof RangeError) throw badRequest(error.message);
      throw error;
    }
    const latest = latestProgressByDocumentTask(await queries.progressOf(teamId, page.tasks));
    const resolve = unitResolver(units);
    const tasks: TaskView[] = page.tasks.map((task) => ({
      ...task,
      displayStatus: displayStatus(task, page.today),
      leadUnitNames: unitNames(resolve, task.leadUnits),
      unitNames: unitNames(resolve, task.units),
      latestProgress: latest.get(`${task.documentKey}/${task.id}`) ?? null,
    }));
    return c.json({ tasks, nextCursor: page.nextCursor, today: page.today });
  });

  app.get('/:teamId/tasks/export', async (c) => {
    const teamId = c.req.param('teamId');
    const params = new URL(c.req.url).searchParams;
    const format = params.get('format') ?? 'xlsx';
    if (!(TABLE_FORMATS as readonly string[]).includes(format)) throw badRequest('format must be xlsx, docx or csv');
    const language = params.get('language') ?? 'zh';
    if (language !== 'zh' && language !== 'en') throw badRequest('language must be zh or en');
    const units = await queries.units(teamId);
    const { filter, today, timeZone } = parseTaskRequest(params, units, Date.now());
    const listed = await allTasks(queries, teamId, filter, today);
    const title = (params.get('title') ?? '').trim() || (await defaultTitle(ctx, teamId, filter, language));
    const progress = await queries.progressOf(teamId, listed);
    let body: Uint8Array;
    try {
      body = await renderTaskTable(rowsOf(listed, progress, units, timeZone), {
        format: format as TableFormat,
        title,
        language,
        today,
      });
    } catch (error) {
      if (error instanceof ValidationError) throw badRequest(error.message);
      throw error;
    }
    c.header('content-type', TABLE_MIME_TYPES[format as TableFormat]);
    c.header('content-disposition', contentDisposition(taskFileName(title, format as TableFormat)));
    c.header('cache-control', 'no-store');
    return c.body(body as Uint8Array<ArrayBuffer>);
  });

  return app;
}

/** Every task the filter matches, in clause order (a 任务分解表 follows the notice), at most MAX_TABLE_ROWS. */
async function allTasks(queries: TaskQueries, teamId: string, filter: TaskFilter, today: string): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = await queries.list(teamId, { ...filter, today, limit: TASK_PAGE_MAX, cursor });
    tasks.push(...page.tasks);
    cursor = page.nextCursor ?? undefined;
    if (tasks.length > MAX_TABLE_ROWS) throw badRequest(`More than ${MAX_TABLE_ROWS} tasks: narrow the filter`);
  } while (cursor);
  return tasks.sort(compareInClauseOrder());
}

/** Rows numbered in order, each task with the progress of its own document's room. */
function rowsOf(
  tasks: readonly Task[],
  progress: readonly DocumentProgressEntry[],
  units: Units,
  timeZone: string,
): TaskRow[] {
  const latest = latestProgressByDocumentTask(progress);
  return tasks.map((task, i) => {
    const entry = latest.get(`${task.documentKey}/${task.id}`);
    const [row] = toTaskRows([task], { units, progress: entry ? [entry] : [], timeZone });
    return { ...row!, no: i + 1 };
  });
}

async function defaultTitle(ctx: ServerContext, teamId: string, filter: TaskFilter, language: 'zh' | 'en') {
  const suffix = language === 'zh' ? '任务分解表' : 'Task breakdown';
  if (filter.document === undefined) return suffix;
  const documents = await ctx.index.documents(teamId);
  const title = documents.find((d) => d.documentKey === filter.document)?.document?.title;
  if (!title) return suffix;
  return language === 'zh' ? `${title}${suffix}` : `${title}: ${suffix}`;
}
