/**
 * The team's units (科室, 下属单位), which tasks name as 牵头单位 and 责任单位: the live ones read from the store
 * (queries.units(): merges followed, former names shown), and for editors and owners adding, renaming, merging
 * (several into one) and deleting, written by the background into the team room. Viewers read.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { ask } from '../../lib/ask.ts';
import { errorText, type MessageKey, t } from '../../lib/i18n.ts';
import type { UnitRequest, UnitResult } from '../../lib/messages.ts';
import type { LiveUnit, StoreQueries } from '../../lib/store/queries.ts';
import { Notice } from '../common/Notice.tsx';
import { ChoiceSelect } from '../common/Select.tsx';
import { FieldForm, InlineRename, toggled } from './ListForms.tsx';

const ERROR_KEYS: Record<Extract<UnitResult, { ok: false }>['error'], MessageKey> = {
  'name-taken': 'units_error_name_taken',
  'unknown-unit': 'units_error_unknown_unit',
  'invalid-name': 'units_error_invalid_name',
  'same-unit': 'units_error_same_unit',
};

export function UnitManager({ queries, canEdit }: { queries: StoreQueries; canEdit: boolean }) {
  const units = useLiveQuery(() => queries.units(), [queries], null);
  const [selected, setSelected] = useState<string[]>([]);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [added, setAdded] = useState('');
  const [mergeInto, setMergeInto] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);

  if (!units) return null;
  const nameOf = (id: string) => units.find((unit) => unit.id === id)?.name ?? id;

  const run = async (change: UnitRequest, done: string) => {
    setMessage(null);
    try {
      const result = await ask<UnitResult>({ type: 'units.change', change });
      if (!result.ok) {
        return setMessage({ kind: 'error', text: t(ERROR_KEYS[result.error]) });
      }
      setMessage({ kind: 'success', text: done });
      setSelected([]);
      setRenaming(null);
      setConfirming(null);
      setAdded('');
      setMergeInto('');
    } catch (error) {
      setMessage({ kind: 'error', text: errorText(error) });
    }
  };

  const rename = (unit: LiveUnit, draft: string) => {
    const name = draft.trim();
    if (!name || name === unit.name) return setRenaming(null);
    void run({ action: 'rename', id: unit.id, name }, t('units_renamed', [unit.name, name]));
  };

  const merge = () => {
    const into = selected.includes(mergeInto) ? mergeInto : selected[0]!;
    void run(
      { action: 'merge', from: selected.filter((id) => id !== into), into },
      t('units_merged', [String(selected.length), nameOf(into)]),
    );
  };

  return (
    <section aria-labelledby="library-units" className="pz-unit-manager" data-testid="unit-manager">
      <h2 id="library-units">{t('units_title', String(units.length))}</h2>
      <p className="pz-muted pz-small">{canEdit ? t('units_help') : t('units_viewer')}</p>
      {units.length === 0 && <p className="pz-muted">{t('units_empty')}</p>}
      <ul className="pz-tag-list">
        {units.map((unit) => (
          <li key={unit.id} data-unit-id={unit.id} data-unit={unit.name}>
            {canEdit && (
              <input
                type="checkbox"
                aria-label={t('units_select', unit.name)}
                checked={selected.includes(unit.id)}
                onChange={(e) => setSelected(toggled(selected, unit.id, e.target.checked))}
              />
            )}
            {renaming === unit.id ? (
              <InlineRename
                current={unit.name}
                label={t('units_new_name', unit.name)}
                name="unitNewName"
                onSave={(draft) => rename(unit, draft)}
                onCancel={() => setRenaming(null)}
              />
            ) : (
              <>
                <span className="pz-unit-name">
                  <span className="pz-chip">{unit.name}</span>
                  {unit.aliases.length > 0 && (
                    <span className="pz-muted pz-small"> {t('units_formerly', unit.aliases.join('、'))}</span>
                  )}
                </span>
                {canEdit && (
                  <>
                    <button type="button" className="pz-link" onClick={() => setRenaming(unit.id)}>
                      {t('units_rename')}
                    </button>
                    {confirming === unit.id ? (
                      <button
                        type="button"
                        className="pz-link pz-danger"
                        onClick={() => void run({ action: 'delete', id: unit.id }, t('units_deleted', unit.name))}
                      >
                        {t('units_delete_confirm', unit.name)}
                      </button>
                    ) : (
                      <button type="button" className="pz-link" onClick={() => setConfirming(unit.id)}>
                        {t('units_delete')}
                      </button>
                    )}
                  </>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
      {canEdit && selected.length >= 2 && (
        <FieldForm
          label={t('units_merge_into', String(selected.length))}
          submit={t('units_merge')}
          primary
          onSubmit={merge}
        >
          <ChoiceSelect
            name="unitMergeInto"
            choices={selected.map((id) => ({ value: id, label: nameOf(id) }))}
            value={mergeInto || selected[0]!}
            onChange={setMergeInto}
          />
        </FieldForm>
      )}
      {canEdit && (
        <FieldForm
          label={t('units_add_label')}
          submit={t('units_add')}
          disabled={!added.trim()}
          onSubmit={() => {
            const name = added.trim();
            if (name) void run({ action: 'add', name }, t('units_added', name));
          }}
        >
          <input
            name="unitName"
            value={added}
            placeholder={t('units_add_placeholder')}
            onChange={(e) => setAdded(e.target.value)}
          />
        </FieldForm>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </section>
  );
}
