/**
 * One task in the 任务 tab: its clause, wording, units, deadline and status (已逾期 when past due and not done),
 * and its latest progress; opened, everything about it: editable by editors and owners, its progress entries
 * (落实情况) with their links, and a form to add one for whoever may (editors, owners, members of its units).
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { type ChangeEvent, useState } from 'react';
import { safeHttpUrl } from '../../../../shared/briefing/escape.ts';
import { isoDateIn } from '../../../../shared/briefing/time.ts';
import { displayStatus, type ProgressEntry, type Task, type Units, unitNames } from '../../../../shared/tasks/index.ts';
import { errorText, t } from '../../../lib/i18n.ts';
import type { StoreQueries } from '../../../lib/store/queries.ts';
import { ask } from '../../../lib/ask.ts';
import { checkUnitCount, FIELD_MAX_CHARS, parseDue, unitList } from '../../../lib/task-input.ts';
import type { TaskPatch } from '../../../lib/tasks-messages.ts';
import { Notice } from '../../common/Notice.tsx';
import { TaskStatusField } from '../../common/Select.tsx';

export type TaskPermissions = {
  canEdit: boolean;
  canReport: (task: Task) => boolean;
};

export type TaskItemProps = {
  task: Task;
  units: Units;
  latest: ProgressEntry | undefined;
  today: string;
  timeZone: string;
  teamId: string;
  queries: StoreQueries;
  permissions: TaskPermissions;
  /** The notice's year (deadlines such as 6月底前 resolve against it). */
  year: number | undefined;
  /** Shown in the team's list, where tasks of several notices meet. */
  documentTitle?: string;
};

export function TaskItem(props: TaskItemProps) {
  const { task, units, latest, today } = props;
  const [open, setOpen] = useState(false);
  const status = displayStatus(task, today);
  const lead = unitNames(units, task.leadUnits);
  const others = unitNames(units, task.units);
  return (
    <article className={`pz-task pz-task-${status}`} data-task-id={task.id} data-status={status}>
      <button type="button" className="pz-task-summary" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className={`pz-status pz-status-${status}`}>{t(`task_status_${status}`)}</span>
        <span className="pz-clause">{task.clause.path.join('')}</span>
        <span className="pz-task-text">{task.task}</span>
      </button>
      <dl className="pz-task-facts">
        {props.documentTitle && (
          <>
            <dt>{t('task_document')}</dt>
            <dd>{props.documentTitle}</dd>
          </>
        )}
        <dt>{t('task_lead_units')}</dt>
        <dd data-field="leadUnits">{lead.join('、') || '—'}</dd>
        <dt>{t('task_units')}</dt>
        <dd data-field="units">{others.join('、') || '—'}</dd>
        {task.leader && (
          <>
            <dt>{t('task_leader')}</dt>
            <dd data-field="leader">{task.leader}</dd>
          </>
        )}
        <dt>{t('task_due')}</dt>
        <dd data-field="due">{task.due?.text ?? t('task_due_none')}</dd>
      </dl>
      {latest && !open && (
        <p className="pz-task-latest pz-small">
          {isoDateIn(latest.at, props.timeZone)} {latest.by.name}：{latest.text}
        </p>
      )}
      {open && <TaskDetails {...props} />}
    </article>
  );
}

function TaskDetails(props: TaskItemProps) {
  const { task, permissions } = props;
  const progress = useLiveQuery(
    () => props.queries.tasks.progress(props.teamId, task.documentKey, task.id),
    [props.queries, props.teamId, task.documentKey, task.id],
    [],
  );
  return (
    <div className="pz-task-details">
      <blockquote className="pz-quote pz-small">{task.clause.text}</blockquote>
      {task.requirement && !permissions.canEdit && (
        <p className="pz-small">
          {t('task_requirement')}：{task.requirement}
        </p>
      )}
      {permissions.canEdit && <TaskEditor {...props} />}
      <section className="pz-progress" aria-label={t('task_progress')}>
        <h3>{t('task_progress')}</h3>
        {progress.length === 0 ? (
          <p className="pz-muted pz-small">{t('task_no_progress')}</p>
        ) : (
          <ol className="pz-progress-list">
            {progress.map((entry) => (
              <ProgressLine key={`${entry.by.id}/${entry.id}`} entry={entry} timeZone={props.timeZone} />
            ))}
          </ol>
        )}
        {permissions.canReport(task) && <ProgressForm task={task} />}
      </section>
    </div>
  );
}

function ProgressLine({ entry, timeZone }: { entry: ProgressEntry; timeZone: string }) {
  const link = entry.link ? safeHttpUrl(entry.link) : null;
  return (
    <li className="pz-progress-entry">
      <time dateTime={new Date(entry.at).toISOString()}>{isoDateIn(entry.at, timeZone)}</time>
      <strong>{entry.by.name}</strong>
      <span className="pz-progress-text">{entry.text}</span>
      {link && (
        <a href={link} target="_blank" rel="noopener noreferrer">
          {t('task_progress_link')}
        </a>
      )}
    </li>
  );
}

function ProgressForm({ task }: { task: Task }) {
  const [text, setText] = useState('');
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = async () => {
    setSaving(true);
    setError(null);
    try {
      await ask({
        type: 'task.progress',
        documentKey: task.documentKey,
        taskId: task.id,
        text: text.trim(),
        ...(link.trim() ? { link: link.trim() } : {}),
      });
      setText('');
      setLink('');
    } catch (e) {
      setError(errorText(e));
    }
    setSaving(false);
  };
  return (
    <form
      className="pz-progress-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <textarea
        name="progress"
        rows={2}
        aria-label={t('task_progress_add')}
        placeholder={t('task_progress_placeholder')}
        value={text}
        maxLength={FIELD_MAX_CHARS.progress}
        onChange={(e) => setText(e.target.value)}
      />
      <input
        name="link"
        type="url"
        aria-label={t('task_progress_link_label')}
        placeholder={t('task_progress_link_label')}
        value={link}
        maxLength={FIELD_MAX_CHARS.link}
        onChange={(e) => setLink(e.target.value)}
      />
      <button type="submit" className="pz-primary" disabled={saving || !text.trim()}>
        {t('task_progress_add')}
      </button>
      {error && <Notice kind="error">{error}</Notice>}
    </form>
  );
}

/** Editors and owners change a task's fields (units by name) and its status, or delete it. */
function TaskEditor({ task, units, year }: TaskItemProps) {
  const [draft, setDraft] = useState({
    task: task.task,
    leadUnits: unitNames(units, task.leadUnits).join('、'),
    units: unitNames(units, task.units).join('、'),
    leader: task.leader ?? '',
    due: task.due?.text ?? '',
    requirement: task.requirement ?? '',
  });
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  const update = async (patch: TaskPatch) => {
    setMessage(null);
    try {
      checkUnitCount(patch.leadUnits ?? [], patch.units ?? []);
      await ask({ type: 'task.update', documentKey: task.documentKey, id: task.id, patch });
      return true;
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
      return false;
    }
  };
  const save = async () => {
    const saved = await update({
      task: draft.task,
      leadUnits: unitList(draft.leadUnits),
      units: unitList(draft.units),
      leader: draft.leader,
      due: parseDue(draft.due, year),
      requirement: draft.requirement,
    });
    if (saved) setMessage({ kind: 'success', text: t('task_saved') });
  };
  const change = (name: keyof typeof draft) => (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setDraft({ ...draft, [name]: e.target.value });
  const field = (name: keyof typeof draft, label: string) => (
    <label>
      {label}
      <input name={name} value={draft[name]} maxLength={maxChars(name)} onChange={change(name)} />
    </label>
  );
  const area = (name: keyof typeof draft, label: string) => (
    <label>
      {label}
      <textarea name={name} rows={2} value={draft[name]} maxLength={maxChars(name)} onChange={change(name)} />
    </label>
  );
  return (
    <form
      className="pz-task-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <TaskStatusField value={task.status} onChange={(status) => void update({ status })} />
      {area('task', t('task_task'))}
      {field('leadUnits', t('task_lead_units'))}
      {field('units', t('task_units'))}
      {field('leader', t('task_leader'))}
      {field('due', t('task_due'))}
      {area('requirement', t('task_requirement'))}
      <div className="pz-row">
        <button type="submit" className="pz-primary">
          {t('task_save')}
        </button>
        <span className="pz-spacer" />
        <button type="button" className="pz-danger" onClick={() => void update({ deleted: true })}>
          {t('task_delete')}
        </button>
      </div>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </form>
  );
}

/** The free-text fields' limits; unit fields hold several names and are checked when saved. */
function maxChars(name: string): number | undefined {
  return name in FIELD_MAX_CHARS ? FIELD_MAX_CHARS[name as keyof typeof FIELD_MAX_CHARS] : undefined;
}
