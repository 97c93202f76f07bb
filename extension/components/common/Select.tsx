/**
 * Drop-down lists over a fixed set of values: the value handed back is typed as one of the choices, and a
 * filter's list starts with "all" (no filter, null), so no screen casts or maps '' ↔ null by hand.
 */
import type { SelectHTMLAttributes } from 'react';
import { VISIBILITIES, type Visibility } from '../../../shared/model/annotation.ts';
import { type DisplayStatus, TASK_STATUSES, type TaskStatus } from '../../../shared/tasks/model.ts';
import { t } from '../../lib/i18n.ts';

export type Choice<T extends string> = { value: T; label: string };

type SelectAttributes = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'>;

/** Choices from values and the words for each. */
export function choicesOf<T extends string>(values: readonly T[], labelOf: (value: T) => string): Choice<T>[] {
  return values.map((value) => ({ value, label: labelOf(value) }));
}

/** Who may see a highlight, worded: the panel filters by it, the options page sets the default. */
export const visibilityChoices = (): Choice<Visibility>[] => choicesOf(VISIBILITIES, (v) => t(`visibility_${v}`));

/** Task statuses, worded: a task's form sets one (TASK_STATUSES), the 任务 tab filters by one (DISPLAY_STATUSES). */
export function taskStatusChoices<S extends DisplayStatus>(statuses: readonly S[]): Choice<S>[] {
  return choicesOf(statuses, (status) => t(`task_status_${status}`));
}

/** A task's status, labelled: the page's task form and the panel's task editor set it alike. */
export function TaskStatusField({ value, onChange }: { value: TaskStatus; onChange: (status: TaskStatus) => void }) {
  return (
    <label>
      {t('task_status')}
      <ChoiceSelect name="status" choices={taskStatusChoices(TASK_STATUSES)} value={value} onChange={onChange} />
    </label>
  );
}

export function ChoiceSelect<T extends string>({
  choices,
  value,
  onChange,
  ...attributes
}: SelectAttributes & { choices: readonly Choice<T>[]; value: T; onChange: (value: T) => void }) {
  return (
    <select {...attributes} value={value} onChange={(e) => onChange(e.target.value as T)}>
      <ChoiceOptions choices={choices} />
    </select>
  );
}

/** A filter: `allLabel` (value null: not filtering) first, then the choices. */
export function FilterSelect<T extends string>({
  choices,
  value,
  onChange,
  allLabel,
  ...attributes
}: SelectAttributes & {
  choices: readonly Choice<T>[];
  value: T | null;
  onChange: (value: T | null) => void;
  allLabel: string;
}) {
  return (
    <select {...attributes} value={value ?? ''} onChange={(e) => onChange((e.target.value as T) || null)}>
      <option value="">{allLabel}</option>
      <ChoiceOptions choices={choices} />
    </select>
  );
}

function ChoiceOptions<T extends string>({ choices }: { choices: readonly Choice<T>[] }) {
  return choices.map(({ value, label }) => (
    <option key={value} value={value}>
      {label}
    </option>
  ));
}
