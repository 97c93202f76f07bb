/**
 * Two versions compared: counts at the top, the summary paragraph (to copy into a briefing), "只看变化", the
 * 新旧对照表 export, and one row per clause change with each side's label path, text (changed words marked) and
 * annotations and tasks. "沿用到新版" carries an old highlight or task over to the paired clause of the new
 * version, one by one or all at once: the new annotation is described here, on the new version's snapshot (a
 * task's clause is read from it), and created by the background (which owns the store and the rooms).
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useMemo, useState } from 'react';
import {
  type ClauseChange,
  compareSnapshots,
  countChanges,
  SnapshotPage,
  summarizeChanges,
} from '../../../shared/compare/index.ts';
import type { Annotation } from '../../../shared/model/annotation.ts';
import { carriedTaskSources, type Task, todayIn } from '../../../shared/tasks/index.ts';
import { ask } from '../../lib/ask.ts';
import { currentLanguage, errorText, t } from '../../lib/i18n.ts';
import { readerTimeZone } from '../../lib/reader-time.ts';
import type { StoreQueries } from '../../lib/store/queries.ts';
import { Notice } from '../common/Notice.tsx';
import { useSettings } from '../common/useSettings.ts';
import { useMediaQuery } from '../common/useMediaQuery.ts';
import { ChangeRow } from './ChangeRow.tsx';
import { exportBriefingWithChanges, exportComparison } from './compare-export.ts';
import {
  carriedSources,
  carryable,
  carryItem,
  placeAnnotations,
  placeTasks,
  type TaskPlacement,
  taskCarryItem,
  taskSourceKey,
  type VersionPair,
  visibleChanges,
} from './comparison-model.ts';

type Message = { kind: 'error' | 'success'; text: string };
type Pending = {
  annotations: { change: ClauseChange; item: Annotation }[];
  tasks: { change: ClauseChange; item: Task }[];
};

export function Comparison({
  queries,
  pair,
  onSwap,
  onChoose,
}: {
  queries: StoreQueries;
  pair: VersionPair;
  onSwap: () => void;
  onChoose: () => void;
}) {
  const { settings } = useSettings();
  const [onlyChanges, setOnlyChanges] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const before = useLiveQuery(
    () => queries.versions.snapshot(pair.before.documentKey, pair.before.contentHash),
    [queries, pair.before.documentKey, pair.before.contentHash],
    undefined,
  );
  const after = useLiveQuery(
    () => queries.versions.snapshot(pair.after.documentKey, pair.after.contentHash),
    [queries, pair.after.documentKey, pair.after.contentHash],
    undefined,
  );
  const beforePage = useLiveQuery(() => queries.page(pair.before.documentKey), [queries, pair.before.documentKey]);
  const afterPage = useLiveQuery(() => queries.page(pair.after.documentKey), [queries, pair.after.documentKey]);
  const teamId = settings?.team?.teamId ?? null;
  const beforeTasks = useLiveQuery(
    () => (teamId ? queries.tasks.notice(teamId, pair.before.documentKey) : null),
    [queries, teamId, pair.before.documentKey],
  );
  const afterTasks = useLiveQuery(
    () => (teamId ? queries.tasks.notice(teamId, pair.after.documentKey) : null),
    [queries, teamId, pair.after.documentKey],
  );
  const old = before?.ok ? before.snapshot : null;
  const next = after?.ok ? after.snapshot : null;

  const changes = useMemo(() => (old && next ? compareSnapshots(old, next) : null), [old, next]);
  const oldPlaced = useMemo(
    () => (old ? placeAnnotations(old, beforePage?.annotations ?? NONE) : null),
    [old, beforePage?.annotations],
  );
  const newPlaced = useMemo(
    () => (next ? placeAnnotations(next, afterPage?.annotations ?? NONE) : null),
    [next, afterPage?.annotations],
  );
  const oldTasks = useMemo(() => (old ? placeTasks(old, beforeTasks?.tasks ?? NONE) : NO_TASKS), [old, beforeTasks]);
  const newTasks = useMemo(() => (next ? placeTasks(next, afterTasks?.tasks ?? NONE) : NO_TASKS), [next, afterTasks]);
  const carried = useMemo(() => carriedSources(afterPage?.annotations ?? NONE), [afterPage?.annotations]);
  const taskView = useMemo(
    () => ({
      units: afterTasks?.units ?? beforeTasks?.units ?? {},
      today: todayIn(Date.now(), readerTimeZone()),
      carried: carriedTaskSources(afterTasks?.tasks ?? NONE),
    }),
    [beforeTasks, afterTasks],
  );
  const rebuilt = useMemo(() => (next ? new SnapshotPage(document.implementation, next) : null), [next]);
  const language = currentLanguage() === 'en' ? 'en' : 'zh';
  const narrow = useMediaQuery(NARROW);

  if (before === undefined || after === undefined) return <p className="pz-muted pz-compare-body">{t('loading')}</p>;
  if (!before || !after || !before.ok || !after.ok) {
    const problem = (before && !before.ok && before.problem) || (after && !after.ok && after.problem);
    return (
      <main className="pz-compare-body">
        <Notice kind="error">{problem ? t('compare_damaged', problem) : t('compare_missing')}</Notice>
        <button type="button" onClick={onChoose}>
          {t('compare_choose')}
        </button>
      </main>
    );
  }
  if (!changes || !oldPlaced || !newPlaced || !rebuilt || !old || !next) return null;

  const counts = countChanges(changes);
  // beside 未变 N, as the summary says it: unchanged clauses under another label (modified ones say so per row)
  const renumberedOnly = changes.filter((c) => c.status === 'unchanged' && c.renumbered).length;
  const summary = summarizeChanges(changes, language);
  const canWrite = settings !== null && settings.team?.role !== 'viewer';
  // tasks are the team's: a member without a team has none, a viewer reads them; two versions of one address
  // share their tasks (a task is the notice's, whatever its text): there is nothing to carry them to
  const canCarryTasks = canWrite && teamId !== null && pair.before.documentKey !== pair.after.documentKey;
  const pending: Pending = {
    annotations: canWrite ? carryable(changes, oldPlaced.byClause, carried, (a) => a.id) : [],
    tasks: canCarryTasks ? carryable(changes, oldTasks.byClause, taskView.carried, taskSourceKey) : [],
  };
  const pendingCount = pending.annotations.length + pending.tasks.length;

  const carry = async ({ annotations, tasks }: Pending) => {
    setBusy(true);
    setMessage(null);
    try {
      const items = annotations.map(({ change, item }) => carryItem(rebuilt, change, item, pair.after.documentKey));
      const noAnswer = { carried: [], skipped: [], failed: [] };
      const [notes, taskResult] = await Promise.all([
        items.length ? ask({ type: 'compare.carry', items }) : noAnswer,
        tasks.length
          ? ask({
              type: 'tasks.carry',
              documentKey: pair.after.documentKey,
              items: tasks.map(({ change, item }) => taskCarryItem(next, change, item)),
            })
          : noAnswer,
      ]);
      const failed = [...notes.failed, ...taskResult.failed];
      const done = [
        items.length ? t('compare_carried', String(notes.carried.length)) : '',
        tasks.length ? t('compare_carried_tasks', String(taskResult.carried.length)) : '',
        failed.length ? t('compare_carry_failed', [String(failed.length), errorText(failed[0]!.error)]) : '',
      ];
      setMessage({ kind: failed.length ? 'error' : 'success', text: done.filter(Boolean).join(' ') });
    } catch (error) {
      setMessage({ kind: 'error', text: errorText(error) });
    } finally {
      setBusy(false);
    }
  };

  const save = async (format: 'docx' | 'md') => {
    setMessage(null);
    try {
      await exportComparison({ before: old, after: next, changes, language, onlyChanges }, format);
    } catch (error) {
      setMessage({ kind: 'error', text: errorText(error) });
    }
  };

  const saveBriefing = async () => {
    if (!settings) return;
    setMessage(null);
    try {
      await exportBriefingWithChanges({ queries, settings, documentKey: pair.after.documentKey, summary });
    } catch (error) {
      setMessage({ kind: 'error', text: errorText(error) });
    }
  };

  const copySummary = async () => {
    try {
      await navigator.clipboard.writeText(summary);
      setMessage({ kind: 'success', text: t('compare_summary_copied') });
    } catch {
      setMessage({ kind: 'error', text: t('compare_copy_failed') });
    }
  };

  const shown = visibleChanges(changes, onlyChanges);
  return (
    <main className="pz-compare-body">
      <div className="pz-compare-versions">
        <VersionHeading side="before" title={old.title} details={[old.issuer, old.docNumber, old.publishedAt]} />
        <div className="pz-compare-actions">
          <button type="button" onClick={onSwap} title={t('compare_swap_help')}>
            ⇄ {t('compare_swap')}
          </button>
          <button type="button" className="pz-link" onClick={onChoose}>
            {t('compare_choose')}
          </button>
        </div>
        <VersionHeading side="after" title={next.title} details={[next.issuer, next.docNumber, next.publishedAt]} />
      </div>

      <p className="pz-compare-counts" data-testid="compare-counts" aria-live="polite">
        <span className="pz-badge-added">{t('compare_count_added', String(counts.added))}</span>
        <span className="pz-badge-modified">{t('compare_count_modified', String(counts.modified))}</span>
        <span className="pz-badge-removed">{t('compare_count_removed', String(counts.removed))}</span>
        <span className="pz-badge-unchanged">{t('compare_count_unchanged', String(counts.unchanged))}</span>
        {renumberedOnly > 0 && (
          <span className="pz-muted">{t('compare_count_renumbered', String(renumberedOnly))}</span>
        )}
      </p>

      <section className="pz-compare-summary" aria-labelledby="compare-summary-title">
        <h2 id="compare-summary-title">{t('compare_summary')}</h2>
        <p data-testid="compare-summary">{summary}</p>
        <p className="pz-compare-summary-actions">
          <button type="button" onClick={() => void copySummary()} data-testid="copy-summary">
            {t('compare_copy_summary')}
          </button>
          <button
            type="button"
            onClick={() => void saveBriefing()}
            disabled={!settings}
            data-testid="export-briefing"
            title={t('compare_export_briefing_help')}
          >
            {t('compare_export_briefing')}
          </button>
        </p>
      </section>

      <div className="pz-compare-toolbar">
        <label className="pz-check">
          <input
            type="checkbox"
            data-testid="only-changes"
            checked={onlyChanges}
            onChange={(e) => setOnlyChanges(e.target.checked)}
          />
          {t('compare_only_changes')}
        </label>
        <span className="pz-spacer" />
        <button type="button" onClick={() => void save('md')} data-testid="export-md">
          {t('compare_export_md')}
        </button>
        <button type="button" className="pz-primary" onClick={() => void save('docx')} data-testid="export-docx">
          {t('compare_export_docx')}
        </button>
        {canWrite && (
          <button
            type="button"
            data-testid="carry-all"
            disabled={busy || pendingCount === 0}
            onClick={() => void carry(pending)}
            title={t('compare_carry_all_help')}
          >
            {t('compare_carry_all', String(pendingCount))}
          </button>
        )}
      </div>

      {message && <Notice kind={message.kind}>{message.text}</Notice>}

      <ol className="pz-changes" aria-label={t('compare_rows')}>
        {shown.map((change) => (
          <ChangeRow
            key={`${change.before?.index ?? '-'}:${change.after?.index ?? '-'}`}
            layout={narrow ? 'inline' : 'columns'}
            change={change}
            before={change.before ? (oldPlaced.byClause.get(change.before.index) ?? NONE) : NONE}
            after={change.after ? (newPlaced.byClause.get(change.after.index) ?? NONE) : NONE}
            replies={[oldPlaced.replies, newPlaced.replies]}
            carried={carried}
            onCarry={
              canWrite && change.after && !busy
                ? (item) => void carry({ annotations: [{ change, item }], tasks: [] })
                : null
            }
            tasks={[
              change.before ? (oldTasks.byClause.get(change.before.index) ?? NONE) : NONE,
              change.after ? (newTasks.byClause.get(change.after.index) ?? NONE) : NONE,
            ]}
            taskView={taskView}
            onCarryTask={
              canCarryTasks && change.after && !busy
                ? (item) => void carry({ annotations: [], tasks: [{ change, item }] })
                : null
            }
          />
        ))}
      </ol>
      {shown.length === 0 && <p className="pz-muted">{t('compare_nothing_changed')}</p>}

      {(oldPlaced.unplaced.length > 0 ||
        newPlaced.unplaced.length > 0 ||
        oldTasks.unplaced.length > 0 ||
        newTasks.unplaced.length > 0) && (
        <section className="pz-unplaced" aria-labelledby="unplaced-title" data-testid="unplaced">
          <h2 id="unplaced-title">{t('compare_unplaced')}</h2>
          <p className="pz-muted pz-small">{t('compare_unplaced_help')}</p>
          <ul className="pz-list">
            {[...oldPlaced.unplaced, ...newPlaced.unplaced].map((a) => (
              <li key={a.id} data-annotation-id={a.id}>
                {a.clausePath.join('')} {a.quote}
              </li>
            ))}
            {[...oldTasks.unplaced, ...newTasks.unplaced].map((task) => (
              <li key={`${task.documentKey}/${task.id}`} data-task-id={task.id}>
                {t('compare_task')} {task.clause.path.join('')} {task.task}
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}

function VersionHeading({
  side,
  title,
  details,
}: {
  side: 'before' | 'after';
  title: string;
  details: (string | undefined)[];
}) {
  return (
    <div className={`pz-version-heading pz-${side}`} data-testid={`version-${side}`}>
      <span className="pz-muted pz-small">{t(side === 'before' ? 'compare_old' : 'compare_new')}</span>
      <strong>{title || t('compare_untitled')}</strong>
      <span className="pz-muted pz-small">{details.filter(Boolean).join(' · ')}</span>
    </div>
  );
}

/** Below this width the rows are inline (one column); compare.css stacks the headings at the same width. */
const NARROW = '(max-width: 800px)';

/** One empty list, so "no annotations" does not change identity at every render. */
const NONE: never[] = [];
const NO_TASKS: TaskPlacement = { byClause: new Map(), unplaced: [] };
