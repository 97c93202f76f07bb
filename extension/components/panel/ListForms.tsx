/**
 * Renaming one row of a list in place (a tag, a unit): a field holding the current name, focused, saved with
 * Enter or the button and dropped with Escape or Cancel.
 */
import { useState } from 'react';
import { t } from '../../lib/i18n.ts';

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

/** The list of chosen rows after a row's checkbox changed. */
export function toggled(chosen: readonly string[], id: string, on: boolean): string[] {
  return on ? [...chosen, id] : chosen.filter((x) => x !== id);
}
