/** The forms the tag and unit managers share: renaming a row in place, and a one-field form under the list. */
import { type ReactNode, useState } from 'react';
import { t } from '../../lib/i18n.ts';

/** A row's name in a focused field, saved with Enter or the button and dropped with Escape or Cancel. */
export function InlineRename({
  current,
  label,
  name,
  onSave,
  onCancel,
}: {
  current: string;
  /** The field's accessible name. */
  label: string;
  /** The field's form name, where tests or autofill look for one. */
  name?: string;
  onSave: (draft: string) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(current);
  return (
    <form
      className="pz-inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(draft);
      }}
    >
      <input
        ref={(input) => input?.focus()}
        name={name}
        aria-label={label}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
      />
      <button type="submit">{t('save')}</button>
      <button type="button" onClick={onCancel}>
        {t('cancel')}
      </button>
    </form>
  );
}

/** One labelled field and its submit button under the list (merge the chosen rows into one, add a row). */
export function FieldForm({
  label,
  submit,
  primary = false,
  disabled,
  onSubmit,
  children,
}: {
  label: string;
  submit: string;
  primary?: boolean;
  disabled?: boolean;
  onSubmit: () => void;
  /** The field. */
  children: ReactNode;
}) {
  return (
    <form
      className="pz-merge"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the labelled field comes in as children */}
      <label>
        {label}
        {children}
      </label>
      <button type="submit" className={primary ? 'pz-primary' : undefined} disabled={disabled}>
        {submit}
      </button>
    </form>
  );
}

/** The list of chosen rows after a row's checkbox changed. */
export function toggled(chosen: readonly string[], id: string, on: boolean): string[] {
  return on ? [...chosen, id] : chosen.filter((x) => x !== id);
}
