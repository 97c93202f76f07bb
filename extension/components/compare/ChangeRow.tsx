/**
 * One clause change. Side by side on a wide window: the old clause (label path, text with deleted words
 * marked, its annotations and tasks), the change's badge, the new clause (inserted words marked, its annotations
 * and tasks). Inline on a narrow one: the badge and label path(s), one text with the deleted and inserted words
 * in place, then the old side's annotations and tasks and the new side's. All text is rendered as text.
 */
import { memo } from 'react';
import {
  type ClauseChange,
  type ClauseEdit,
  inlineEdits,
  type Segment,
  sideBySide,
} from '../../../shared/compare/index.ts';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { carriedFromKey, displayStatus, type Task, type Units, unitNames } from '../../../shared/tasks/index.ts';
import { t } from '../../lib/i18n.ts';
import { AuthorBadge } from '../common/Author.tsx';
import { TagChips } from '../common/TagChips.tsx';

const STATUS_KEYS = {
  added: 'compare_status_added',
  modified: 'compare_status_modified',
  removed: 'compare_status_removed',
  unchanged: 'compare_status_unchanged',
} as const;

export type RowLayout = 'columns' | 'inline';

type RowProps = {
  change: ClauseChange;
  /** Highlights on the old clause, and on the new one. */
  before: readonly Annotation[];
  after: readonly Annotation[];
  /** Replies by the highlight they answer, old side and new side. */
  replies: readonly [ReadonlyMap<string, Annotation[]>, ReadonlyMap<string, Annotation[]>];
  /** Ids of old highlights already carried over. */
  carried: ReadonlySet<string>;
  /** Carries an old highlight over to the new clause; null when it cannot be (no new clause, a viewer). */
  onCarry: ((annotation: Annotation) => void) | null;
  /** Tasks on the old clause, and on the new one. */
  tasks: readonly [readonly Task[], readonly Task[]];
  taskView: TaskView;
  /** Carries an old task over to the new clause; null when it cannot be (no new clause, a viewer, no team). */
  onCarryTask: ((task: Task) => void) | null;
};

/** What every row's tasks are shown with: the team's units, today (for 已逾期), and the tasks carried already. */
export type TaskView = { units: Units; today: string; carried: ReadonlySet<string> };

export const ChangeRow = memo(function ChangeRow({ layout, ...row }: RowProps & { layout: RowLayout }) {
  return layout === 'inline' ? <InlineRow {...row} /> : <ColumnsRow {...row} />;
});

function ColumnsRow(row: RowProps) {
  const { change } = row;
  const segments =
    change.status === 'modified' && change.before && change.after
      ? sideBySide(change.before.text, change.after.text, change.edits)
      : null;
  return (
    <li
      className={`pz-change pz-change-${change.status}`}
      data-status={change.status}
      data-before={change.before?.path}
      data-after={change.after?.path}
    >
      <ColumnSide side="old" row={row} segments={segments?.before} />
      <Badge change={change} />
      <ColumnSide side="new" row={row} segments={segments?.after} />
    </li>
  );
}

function InlineRow({ change, before, after, replies, carried, onCarry, tasks, taskView, onCarryTask }: RowProps) {
  const paths =
    change.before && change.after && change.renumbered
      ? `${change.before.path} → ${change.after.path}`
      : (change.after ?? change.before)!.path;
  const edits: ClauseEdit[] =
    change.status === 'modified' && change.before && change.after
      ? inlineEdits(change.before.text, change.after.text, change.edits)
      : // an added or removed clause reads plainly (its badge says which), as in the columns
        [{ op: 'equal', text: (change.after ?? change.before)!.text }];
  return (
    <li
      className={`pz-change pz-change-inline pz-change-${change.status}`}
      data-status={change.status}
      data-before={change.before?.path}
      data-after={change.after?.path}
    >
      <div className="pz-inline-head">
        <Badge change={change} />
        <span className="pz-path">{paths}</span>
      </div>
      <p className="pz-clause-text">
        {edits.map((edit, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: edits are a fixed sequence of the clause's text
          <EditText key={i} edit={edit} />
        ))}
      </p>
      {(before.length > 0 || tasks[0].length > 0) && (
        <div className="pz-side pz-side-old">
          <span className="pz-muted pz-small">{t('compare_old')}</span>
          <Annotations items={before} replies={replies[0]} carried={carried} onCarry={change.after ? onCarry : null} />
          <ClauseTasks items={tasks[0]} view={taskView} onCarry={change.after ? onCarryTask : null} />
        </div>
      )}
      {(after.length > 0 || tasks[1].length > 0) && (
        <div className="pz-side pz-side-new">
          <span className="pz-muted pz-small">{t('compare_new')}</span>
          <Annotations items={after} replies={replies[1]} carried={carried} onCarry={null} />
          <ClauseTasks items={tasks[1]} view={taskView} onCarry={null} />
        </div>
      )}
    </li>
  );
}

/** One column of a side-by-side row: the clause with its changed words marked, then its highlights and tasks. */
function ColumnSide({ side, row, segments }: { side: 'old' | 'new'; row: RowProps; segments: Segment[] | undefined }) {
  const old = side === 'old';
  const clause = old ? row.change.before : row.change.after;
  return (
    <div className={`pz-side pz-side-${side}`}>
      {clause ? (
        <>
          <div className="pz-path">{clause.path}</div>
          <p className="pz-clause-text">
            <Text segments={segments} text={clause.text} mark={old ? 'del' : 'ins'} />
          </p>
          <Annotations
            items={old ? row.before : row.after}
            replies={row.replies[old ? 0 : 1]}
            carried={row.carried}
            // only an old highlight is carried, and only to a new clause
            onCarry={old && row.change.after ? row.onCarry : null}
          />
          <ClauseTasks
            items={row.tasks[old ? 0 : 1]}
            view={row.taskView}
            onCarry={old && row.change.after ? row.onCarryTask : null}
          />
        </>
      ) : (
        <p className="pz-muted pz-none">{t('compare_side_none')}</p>
      )}
    </div>
  );
}

function EditText({ edit }: { edit: ClauseEdit }) {
  if (edit.op === 'insert') return <ins>{edit.text}</ins>;
  if (edit.op === 'delete') return <del>{edit.text}</del>;
  return <span>{edit.text}</span>;
}

function Badge({ change }: { change: ClauseChange }) {
  return (
    <div className="pz-change-badge">
      <span className={`pz-badge-${change.status}`}>{t(STATUS_KEYS[change.status])}</span>
      {change.renumbered && <span className="pz-muted pz-small">{t('compare_renumbered')}</span>}
    </div>
  );
}

function Text({ segments, text, mark }: { segments?: Segment[]; text: string; mark: 'del' | 'ins' }) {
  if (!segments) return <>{text}</>;
  const Mark = mark;
  return (
    <>
      {segments.map((segment, i) =>
        // biome-ignore lint/suspicious/noArrayIndexKey: segments are a fixed sequence of the clause's text
        segment.changed ? <Mark key={i}>{segment.text}</Mark> : <span key={i}>{segment.text}</span>,
      )}
    </>
  );
}

function Annotations({
  items,
  replies,
  carried,
  onCarry,
}: {
  items: readonly Annotation[];
  replies: ReadonlyMap<string, Annotation[]>;
  carried: ReadonlySet<string>;
  onCarry: ((annotation: Annotation) => void) | null;
}) {
  if (!items.length) return null;
  return (
    <ul className="pz-compare-annotations">
      {items.map((annotation) => {
        const answers = replies.get(annotation.id) ?? [];
        return (
          <li key={annotation.id} data-annotation-id={annotation.id} className={`pz-color-${annotation.color}`}>
            <div className="pz-item-meta">
              <AuthorBadge id={annotation.author.id} name={annotation.author.name} size={18} />
              <span>{annotation.author.name}</span>
              {annotation.carriedFrom && <span className="pz-chip pz-carried-from">{t('compare_carried_from')}</span>}
            </div>
            <q className="pz-quote">{annotation.quote}</q>
            {annotation.tags.length > 0 && (
              <span className="pz-tags-line">
                <TagChips tags={annotation.tags} />
              </span>
            )}
            {annotation.note && <p className="pz-note-text">{annotation.note}</p>}
            {answers.length > 0 && <p className="pz-muted pz-small">{t('compare_replies', String(answers.length))}</p>}
            <CarryControl
              carried={carried.has(annotation.id)}
              onCarry={onCarry && (() => onCarry(annotation))}
              target={{ 'data-carry': annotation.id }}
            />
          </li>
        );
      })}
    </ul>
  );
}

/** A clause's tasks: status, wording, units and deadline, where each came from, and "沿用到新版" for old ones. */
function ClauseTasks({
  items,
  view,
  onCarry,
}: {
  items: readonly Task[];
  view: TaskView;
  onCarry: ((task: Task) => void) | null;
}) {
  if (!items.length) return null;
  return (
    <ul className="pz-compare-tasks" aria-label={t('compare_tasks')}>
      {items.map((task) => {
        const status = displayStatus(task, view.today);
        const lead = unitNames(view.units, task.leadUnits);
        const others = unitNames(view.units, task.units);
        return (
          <li key={task.id} data-task-id={task.id} data-task-status={status}>
            <div className="pz-item-meta">
              <span className="pz-chip pz-task-chip">{t('compare_task')}</span>
              <span className={`pz-status pz-status-${status}`}>{t(`task_status_${status}`)}</span>
              {task.carriedFrom && <span className="pz-chip pz-carried-from">{t('compare_carried_from')}</span>}
            </div>
            <p className="pz-task-text">{task.task}</p>
            <p className="pz-muted pz-small">
              {[
                `${t('task_lead_units')}：${lead.join('、') || '—'}`,
                others.length ? `${t('task_units')}：${others.join('、')}` : '',
                `${t('task_due')}：${task.due?.text ?? t('task_due_none')}`,
              ]
                .filter(Boolean)
                .join(' · ')}
            </p>
            <CarryControl
              carried={view.carried.has(carriedFromKey(task))}
              onCarry={onCarry && (() => onCarry(task))}
              target={{ 'data-carry-task': task.id }}
            />
          </li>
        );
      })}
    </ul>
  );
}

/** "已沿用到新版" for what was carried, else the "沿用到新版" button when it can be carried. */
function CarryControl({
  carried,
  onCarry,
  target,
}: {
  carried: boolean;
  onCarry: (() => void) | null;
  /** The data attribute tests and styles find the button by. */
  target: Record<`data-${string}`, string>;
}) {
  if (carried) {
    return (
      <span className="pz-muted pz-small" data-carried="true">
        ✓ {t('compare_already_carried')}
      </span>
    );
  }
  if (!onCarry) return null;
  return (
    <button type="button" className="pz-carry" {...target} onClick={onCarry}>
      {t('compare_carry')}
    </button>
  );
}
