/**
 * The task form on the page: for one clause (clause mode, a highlight's card), or the review list of every item
 * of a section at once, each row pre-filled from its clause's words. Suggested fields are marked until the user
 * edits them; a section's list can fill the same units, deadline and leader into every empty field at once.
 * Nothing is created until the user confirms. All text is rendered as text.
 */
import { type ChangeEvent, type RefObject, useEffect, useRef, useState } from 'react';
import { type MessageKey, t } from '../../../lib/i18n.ts';
import type { TaskDialogState } from '../../../lib/page/task-actions.ts';
import type { TaskFormRow } from '../../../lib/page/task-drafts.ts';
import type { PageSession } from '../../../lib/page/session.ts';
import { FIELD_MAX_CHARS } from '../../../lib/task-input.ts';
import { TaskStatusField } from '../../common/Select.tsx';

type Field = 'task' | 'leadUnits' | 'units' | 'leader' | 'due' | 'requirement';
type Shared = { leadUnits: string; units: string; due: string; leader: string };

const UNITS_LIST = 'pz-task-units';

export function TaskDialog({ session, dialog }: { session: PageSession; dialog: TaskDialogState }) {
  const [rows, setRows] = useState<TaskFormRow[]>(dialog.rows);
  const [shared, setShared] = useState<Shared>({ leadUnits: '', units: '', due: '', leader: '' });
  const first = useRef<HTMLTextAreaElement | HTMLInputElement | null>(null);
  const { context } = dialog;
  const single = dialog.kind === 'single';
  const kept = rows.filter((row) => row.include && row.task.trim()).length;

  useEffect(() => first.current?.focus(), []);

  const edit = (i: number, field: Field, value: string) =>
    setRows((current) =>
      current.map((row, j) =>
        j === i ? { ...row, [field]: value, suggested: row.suggested.filter((name) => name !== field) } : row,
      ),
    );
  const setRow = (i: number, patch: Partial<TaskFormRow>) =>
    setRows((current) => current.map((row, j) => (j === i ? { ...row, ...patch } : row)));

  /** Fills the shared values into every kept row's empty field (a suggestion the user did not edit is kept). */
  const fillEmpty = () =>
    setRows((current) =>
      current.map((row) => {
        if (!row.include) return row;
        const next = { ...row };
        for (const field of ['leadUnits', 'units', 'due', 'leader'] as const) {
          if (shared[field].trim() && !row[field].trim()) next[field] = shared[field];
        }
        return next;
      }),
    );

  const blocked = !context.joined ? t('task_join_first') : !context.canCreate ? t('task_viewer_cannot') : null;
  const heading = single
    ? t('task_dialog_title', dialog.title)
    : t('task_section_title', [dialog.title, String(rows.length)]);

  return (
    <div className="pz-task-backdrop">
      <div
        className={`pz-task-dialog${single ? '' : ' pz-task-section'}`}
        role="dialog"
        aria-modal="true"
        aria-label={heading}
        data-testid="task-dialog"
        onMouseDown={(e) => e.stopPropagation()}
        onMouseUp={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            session.tasks.close();
          }
        }}
      >
        <div className="pz-card-head">
          <h2 className="pz-task-title">{heading}</h2>
          <span className="pz-spacer" />
          <button type="button" className="pz-icon" aria-label={t('card_close')} onClick={() => session.tasks.close()}>
            ×
          </button>
        </div>
        <datalist id={UNITS_LIST}>
          {context.units.map((unit) => (
            <option key={unit.id} value={unit.name} />
          ))}
        </datalist>
        <p className="pz-muted pz-small">{t('task_suggestion_help')}</p>
        {blocked && (
          <p className="pz-task-error" role="alert">
            {blocked}
          </p>
        )}

        {single ? (
          <SingleForm
            row={rows[0]!}
            edit={(field, value) => edit(0, field, value)}
            setRow={(p) => setRow(0, p)}
            first={first}
          />
        ) : (
          <>
            <fieldset className="pz-task-shared">
              <legend>{t('task_fill_all')}</legend>
              <UnitInput
                label={t('task_lead_units')}
                value={shared.leadUnits}
                onChange={(v) => setShared({ ...shared, leadUnits: v })}
                name="shared-leadUnits"
              />
              <UnitInput
                label={t('task_units')}
                value={shared.units}
                onChange={(v) => setShared({ ...shared, units: v })}
                name="shared-units"
              />
              <label>
                {t('task_due')}
                <input
                  name="shared-due"
                  value={shared.due}
                  maxLength={FIELD_MAX_CHARS.due}
                  placeholder={t('task_due_placeholder')}
                  onChange={(e) => setShared({ ...shared, due: e.target.value })}
                />
              </label>
              <label>
                {t('task_leader')}
                <input
                  name="shared-leader"
                  value={shared.leader}
                  maxLength={FIELD_MAX_CHARS.leader}
                  onChange={(e) => setShared({ ...shared, leader: e.target.value })}
                />
              </label>
              <button type="button" data-action="fill-empty" onClick={fillEmpty}>
                {t('task_fill_empty')}
              </button>
            </fieldset>
            <ol className="pz-task-rows">
              {rows.map((row, i) => (
                <li
                  key={row.clause.index}
                  className={row.include ? '' : 'pz-task-skipped'}
                  data-clause={row.clause.path.join('')}
                >
                  <label className="pz-task-include">
                    <input
                      type="checkbox"
                      checked={row.include}
                      aria-label={t('task_include', row.clause.path.join(''))}
                      onChange={(e) => setRow(i, { include: e.target.checked })}
                    />
                    <span className="pz-clause">{row.clause.path.join('')}</span>
                  </label>
                  <input
                    ref={i === 0 ? (el) => void (first.current = el) : undefined}
                    className="pz-task-wording"
                    name="task"
                    aria-label={t('task_task')}
                    value={row.task}
                    maxLength={FIELD_MAX_CHARS.task}
                    title={row.excerpt}
                    onChange={(e) => edit(i, 'task', e.target.value)}
                  />
                  <SuggestedInputs row={row} edit={(field, value) => edit(i, field, value)} />
                </li>
              ))}
            </ol>
          </>
        )}

        {dialog.error && (
          <p className="pz-task-error" role="alert">
            {dialog.error}
          </p>
        )}
        <div className="pz-row pz-card-actions">
          <span className="pz-muted pz-small">{t('task_confirm_help')}</span>
          <span className="pz-spacer" />
          <button type="button" onClick={() => session.tasks.close()}>
            {t('task_cancel')}
          </button>
          <button
            type="button"
            className="pz-primary"
            data-action="create-tasks"
            disabled={Boolean(blocked) || dialog.saving || kept === 0}
            onClick={() => void session.tasks.create(rows)}
          >
            {single ? t('task_create_one') : t('task_create_many', String(kept))}
          </button>
        </div>
      </div>
    </div>
  );
}

function SingleForm({
  row,
  edit,
  setRow,
  first,
}: {
  row: TaskFormRow;
  edit: (field: Field, value: string) => void;
  setRow: (patch: Partial<TaskFormRow>) => void;
  first: RefObject<HTMLTextAreaElement | HTMLInputElement | null>;
}) {
  return (
    <div className="pz-task-form">
      <blockquote className="pz-quote">{row.excerpt}</blockquote>
      <label>
        {t('task_task')}
        <textarea
          ref={(el) => void (first.current = el)}
          name="task"
          rows={2}
          value={row.task}
          maxLength={FIELD_MAX_CHARS.task}
          onChange={(e) => edit('task', e.target.value)}
        />
      </label>
      <SuggestedInputs row={row} edit={edit} visibleLabel />
      <label>
        {t('task_requirement')}
        <textarea
          name="requirement"
          rows={2}
          value={row.requirement}
          maxLength={FIELD_MAX_CHARS.requirement}
          onChange={(e) => edit('requirement', e.target.value)}
        />
      </label>
      <TaskStatusField value={row.status} onChange={(status) => setRow({ status })} />
    </div>
  );
}

type SuggestedField = 'leadUnits' | 'units' | 'due' | 'leader';

/** The fields a clause's words may suggest, in the order every form shows them. */
const SUGGESTED_FIELDS: readonly {
  field: SuggestedField;
  label: MessageKey;
  units?: true;
  placeholder?: MessageKey;
}[] = [
  { field: 'leadUnits', label: 'task_lead_units', units: true },
  { field: 'units', label: 'task_units', units: true },
  { field: 'due', label: 'task_due', placeholder: 'task_due_placeholder' },
  { field: 'leader', label: 'task_leader' },
];

/** A row's suggestible fields, each marked while it holds a suggestion the user has not edited. */
function SuggestedInputs({
  row,
  edit,
  visibleLabel = false,
}: {
  row: TaskFormRow;
  edit: (field: SuggestedField, value: string) => void;
  visibleLabel?: boolean;
}) {
  return SUGGESTED_FIELDS.map(({ field, label, units, placeholder }) => (
    <SuggestedInput
      key={field}
      row={row}
      field={field}
      label={t(label)}
      list={units ? UNITS_LIST : undefined}
      placeholder={placeholder && t(placeholder)}
      onChange={(value) => edit(field, value)}
      visibleLabel={visibleLabel}
    />
  ));
}

/** An input whose value may be a suggestion from the clause's words: marked until edited. */
function SuggestedInput({
  row,
  field,
  label,
  list,
  placeholder,
  onChange,
  visibleLabel,
}: {
  row: TaskFormRow;
  field: SuggestedField;
  label: string;
  list: string | undefined;
  placeholder: string | undefined;
  onChange: (value: string) => void;
  visibleLabel: boolean;
}) {
  const suggested = row.suggested.includes(field);
  const props = {
    name: field,
    className: suggested ? 'pz-suggested' : undefined,
    title: suggested ? t('task_suggested') : undefined,
    'data-suggested': suggested ? 'true' : undefined,
    list,
    maxLength: field === 'due' || field === 'leader' ? FIELD_MAX_CHARS[field] : undefined,
    value: row[field],
    onChange: (e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value),
  };
  if (!visibleLabel) return <input {...props} aria-label={label} placeholder={placeholder ?? label} />;
  return (
    <label>
      {label}
      {suggested && <span className="pz-suggested-mark">{t('task_suggested_short')}</span>}
      <input {...props} placeholder={placeholder} />
    </label>
  );
}

function UnitInput({
  label,
  value,
  onChange,
  name,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  name: string;
}) {
  return (
    <label>
      {label}
      <input name={name} list={UNITS_LIST} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
