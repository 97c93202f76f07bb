/**
 * The side panel's 任务 tab: this notice's tasks in clause order, and the team's tasks across notices filtered by
 * unit, status, due date and leader, with what is overdue or due within seven days on top. Each task opens to its
 * progress (落实情况). Exports: the 任务分解表 (XLSX, DOCX, CSV) and the 落实情况 report for a period (DOCX,
 * Markdown), from what the tab shows. Everything is read through the store's task queries, live.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useMemo, useState } from 'react';
import type { DocumentInfo } from '../../../../shared/model/annotation.ts';
import {
  DISPLAY_STATUSES,
  type LiveUnit,
  resolveUnit,
  type Task,
  type TaskFilter,
  todayIn,
  type Units,
} from '../../../../shared/tasks/index.ts';
import { ask } from '../../../lib/ask.ts';
import { t } from '../../../lib/i18n.ts';
import { type StoreQueries, TASKS_PAGE, taskKey } from '../../../lib/store/queries.ts';
import type { TargetPage } from '../../../lib/target-page.ts';
import { noticeYear } from '../../../lib/task-input.ts';
import type { TaskContext } from '../../../lib/tasks-messages.ts';
import { readerTimeZone } from '../../../lib/reader-time.ts';
import { PeriodFields } from '../../common/DateField.tsx';
import { FilterSelect, taskStatusChoices } from '../../common/Select.tsx';
import { TaskExportBar } from './TaskExportBar.tsx';
import './tasks.css';
import { TaskItem, type TaskPermissions } from './TaskItem.tsx';

type View = 'notice' | 'team';

export function TasksTab({
  queries,
  page,
  document,
  teamId,
}: {
  queries: StoreQueries;
  page: TargetPage | null | undefined;
  document: DocumentInfo | null;
  teamId: string | null;
}) {
  const [view, setView] = useState<View>('notice');
  const context = useTaskContext(teamId);
  const zone = useMemo(readerTimeZone, []);
  const today = todayIn(Date.now(), zone);
  // Every unit record of the team (the store's vocabulary), to tell whose unit a task is.
  const units = useLiveQuery(() => (teamId ? queries.unitMap() : null), [queries, teamId], null);

  if (!teamId) {
    return (
      <div className="pz-empty" data-testid="tasks-not-joined">
        <p>{t('task_join_first')}</p>
      </div>
    );
  }
  const permissions = permissionsOf(context, units ?? {});
  const shared = { queries, teamId, today, timeZone: zone, permissions };

  return (
    <div className="pz-tasks-tab">
      <div className="pz-segmented" role="radiogroup" aria-label={t('task_views')}>
        {(['notice', 'team'] as const).map((id) => (
          // biome-ignore lint/a11y/useSemanticElements: a segmented control of two views
          <button
            key={id}
            type="button"
            role="radio"
            aria-checked={view === id}
            className={view === id ? 'pz-active' : undefined}
            data-view={id}
            onClick={() => setView(id)}
          >
            {t(id === 'notice' ? 'task_view_notice' : 'task_view_team')}
          </button>
        ))}
      </div>
      {context?.role === 'viewer' && (
        <p className="pz-muted pz-small" data-testid="tasks-viewer">
          {context.unit ? t('task_viewer_unit', context.unit.name) : t('task_viewer_read_only')}
        </p>
      )}
      {view === 'notice' ? (
        page ? (
          <NoticeView {...shared} documentKey={page.documentKey} document={document} />
        ) : (
          <p className="pz-muted">{t('panel_no_page')}</p>
        )
      ) : (
        <TeamView {...shared} />
      )}
    </div>
  );
}

type Shared = {
  queries: StoreQueries;
  teamId: string;
  today: string;
  timeZone: string;
  permissions: TaskPermissions;
};

function NoticeView({
  queries,
  teamId,
  today,
  timeZone,
  permissions,
  documentKey,
  document,
}: Shared & { documentKey: string; document: DocumentInfo | null }) {
  const data = useLiveQuery(() => queries.tasks.notice(teamId, documentKey), [queries, teamId, documentKey], null);
  if (!data) return <p className="pz-muted">{t('loading')}</p>;
  const year = document ? noticeYear(document) : undefined;
  const title = document?.title ?? '';
  return (
    <div data-testid="notice-tasks">
      <TaskExportBar
        queries={queries}
        teamId={teamId}
        filter={{ document: documentKey }}
        today={today}
        timeZone={timeZone}
        titles={{ table: t('task_table_title', title), report: t('task_report_title', title) }}
        disabled={data.tasks.length === 0}
      />
      {data.tasks.length === 0 ? (
        <div className="pz-empty" data-testid="no-tasks">
          <p>{t('task_none_here')}</p>
          <ol className="pz-steps">
            <li>{t('task_how_clause')}</li>
            <li>{t('task_how_section')}</li>
          </ol>
        </div>
      ) : (
        <p className="pz-muted pz-small" data-testid="task-count">
          {t('task_count', String(data.tasks.length))}
        </p>
      )}
      {data.tasks.map((task) => (
        <TaskItem
          key={task.id}
          task={task}
          units={data.units}
          latest={data.latest.get(task.id)}
          today={today}
          timeZone={timeZone}
          teamId={teamId}
          queries={queries}
          permissions={permissions}
          year={year}
        />
      ))}
    </div>
  );
}

function TeamView({ queries, teamId, today, timeZone, permissions }: Shared) {
  const [filter, setFilter] = useState<TaskFilter>({});
  const [limit, setLimit] = useState(TASKS_PAGE);
  // The unit filter offers the team's live units (renamed and merged ones followed).
  const units = useLiveQuery(() => queries.units(), [queries], []);
  const data = useLiveQuery(
    () => queries.tasks.team(teamId, filter, today, limit),
    [queries, teamId, filter, today, limit],
    null,
  );
  const change = (next: TaskFilter) => {
    setFilter(next);
    setLimit(TASKS_PAGE);
  };
  const item = (task: Task, showDocument: boolean) => (
    <TaskItem
      key={taskKey(task)}
      task={task}
      units={data!.units}
      latest={data!.latest.get(taskKey(task))}
      today={today}
      timeZone={timeZone}
      teamId={teamId}
      queries={queries}
      permissions={permissions}
      year={noticeYearOf(data!.documents.get(task.documentKey))}
      documentTitle={showDocument ? (data!.documents.get(task.documentKey)?.title ?? task.documentKey) : undefined}
    />
  );
  return (
    <div data-testid="team-tasks">
      <TaskFilters units={units} filter={filter} onChange={change} />
      <TaskExportBar
        queries={queries}
        teamId={teamId}
        filter={filter}
        today={today}
        timeZone={timeZone}
        titles={{ table: t('task_table_title', '').trim(), report: t('task_report_title', '').trim() }}
        disabled={!data || data.urgent.length + data.tasks.length === 0}
      />
      {!data ? (
        <p className="pz-muted">{t('loading')}</p>
      ) : (
        <>
          {data.urgent.length > 0 && (
            <section className="pz-task-urgent" aria-labelledby="urgent-title" data-testid="urgent-tasks">
              <h2 id="urgent-title">{t('task_urgent', String(data.urgent.length))}</h2>
              {data.urgent.map((task) => item(task, true))}
            </section>
          )}
          {data.urgent.length + data.tasks.length === 0 && <p className="pz-muted">{t('task_no_match')}</p>}
          {groupByDocument(data.tasks).map(([documentKey, tasks]) => (
            <section key={documentKey} className="pz-task-document">
              <h2 className="pz-doc-title">{data.documents.get(documentKey)?.title ?? documentKey}</h2>
              {tasks.map((task) => item(task, false))}
            </section>
          ))}
          {data.more && (
            <button type="button" className="pz-more-button" onClick={() => setLimit(limit + TASKS_PAGE)}>
              {t('task_more')}
            </button>
          )}
        </>
      )}
    </div>
  );
}

function TaskFilters({
  units,
  filter,
  onChange,
}: {
  units: readonly LiveUnit[];
  filter: TaskFilter;
  onChange: (filter: TaskFilter) => void;
}) {
  const set = (patch: Partial<TaskFilter>) => {
    const next: TaskFilter = { ...filter, ...patch };
    for (const key of Object.keys(next) as (keyof TaskFilter)[]) if (next[key] === undefined) delete next[key];
    onChange(next);
  };
  return (
    <fieldset className="pz-task-filters">
      <legend className="pz-visually-hidden">{t('task_filters')}</legend>
      <label>
        {t('task_filter_unit')}
        <select name="unit" value={filter.unit ?? ''} onChange={(e) => set({ unit: e.target.value || undefined })}>
          <option value="">{t('task_filter_any')}</option>
          {units.map((unit) => (
            <option key={unit.id} value={unit.id}>
              {unit.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('task_status')}
        <FilterSelect
          name="status"
          choices={taskStatusChoices(DISPLAY_STATUSES)}
          value={filter.status?.[0] ?? null}
          allLabel={t('task_filter_any')}
          onChange={(status) => set({ status: status ? [status] : undefined })}
        />
      </label>
      <PeriodFields
        className="pz-task-date"
        names={{ from: 'dueAfter', to: 'dueBefore' }}
        labels={{ from: t('task_filter_due_after'), to: t('task_filter_due_before') }}
        value={{ from: filter.dueAfter ?? '', to: filter.dueBefore ?? '' }}
        onChange={({ from, to }) => set({ dueAfter: from || undefined, dueBefore: to || undefined })}
      />
      <label>
        {t('task_leader')}
        <input
          name="leader"
          value={filter.leader ?? ''}
          onChange={(e) => set({ leader: e.target.value.trim() ? e.target.value.slice(0, 100) : undefined })}
        />
      </label>
    </fieldset>
  );
}

/** Tasks (in document and clause order) by document, in that order. */
function groupByDocument(tasks: readonly Task[]): [string, Task[]][] {
  const groups = new Map<string, Task[]>();
  for (const task of tasks) {
    const list = groups.get(task.documentKey) ?? [];
    list.push(task);
    groups.set(task.documentKey, list);
  }
  return [...groups];
}

function noticeYearOf(document: DocumentInfo | null | undefined): number | undefined {
  return document ? noticeYear(document) : undefined;
}

/** The member's role and unit, read again from the server when the tab opens (the background caches it). */
function useTaskContext(teamId: string | null): TaskContext | null {
  const [context, setContext] = useState<TaskContext | null>(null);
  useEffect(() => {
    if (!teamId) return;
    let live = true;
    ask({ type: 'tasks.context' })
      .then((value) => live && setContext(value))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [teamId]);
  return context;
}

/** Editors and owners edit; they and members of a task's units (viewers too) report progress. */
function permissionsOf(context: TaskContext | null, units: Units): TaskPermissions {
  const canEdit = context?.canCreate ?? false;
  const own = context?.unit?.id;
  const target = (id: string) => resolveUnit(units, id)?.id ?? id;
  return {
    canEdit,
    canReport: (task) =>
      canEdit || (own !== undefined && [...task.leadUnits, ...task.units].some((id) => target(id) === target(own))),
  };
}
