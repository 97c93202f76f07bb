/**
 * The team's tags with counts: open one to see its clauses; editors rename one or merge several into one (the
 * background keeps the rename in the team room, so it also applies to uses that arrive later). Viewers read.
 */
import { useState } from 'react';
import { normaliseTag } from '../../../shared/model/tags.ts';
import { ask } from '../../lib/ask.ts';
import { errorText, t } from '../../lib/i18n.ts';
import { Notice } from '../common/Notice.tsx';
import { FieldForm, InlineRename, toggled } from './ListForms.tsx';

type TagRow = { tag: string; count: number; documents: number };

export function TagManager({
  tags,
  canEdit,
  onOpenTag,
}: {
  tags: TagRow[];
  canEdit: boolean;
  onOpenTag: (tag: string) => void;
}) {
  const [selected, setSelected] = useState<string[]>([]);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [mergeInto, setMergeInto] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);

  const run = async (action: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await action();
      setMessage({ kind: 'success', text: done });
      setSelected([]);
      setRenaming(null);
      setMergeInto('');
    } catch (e) {
      setMessage({ kind: 'error', text: errorText(e) });
    }
  };

  const rename = (from: string, draft: string) => {
    const to = normaliseTag(draft);
    if (!to || to === from) return setRenaming(null);
    void run(() => ask({ type: 'tags.rename', from, to }), t('tags_renamed', [from, to]));
  };

  const merge = () => {
    const to = normaliseTag(mergeInto);
    if (!to || selected.length < 2) return;
    void run(() => ask({ type: 'tags.merge', from: selected, to }), t('tags_merged', [String(selected.length), to]));
  };

  return (
    <div className="pz-tag-manager">
      {!canEdit && <p className="pz-muted pz-small">{t('tags_viewer')}</p>}
      <ul className="pz-tag-list">
        {tags.map(({ tag, count, documents }) => (
          <li key={tag} data-tag={tag}>
            {canEdit && (
              <input
                type="checkbox"
                aria-label={t('tags_select', tag)}
                checked={selected.includes(tag)}
                onChange={(e) => setSelected(toggled(selected, tag, e.target.checked))}
              />
            )}
            {renaming === tag ? (
              <InlineRename
                current={tag}
                label={t('tags_new_name', tag)}
                onSave={(draft) => rename(tag, draft)}
                onCancel={() => setRenaming(null)}
              />
            ) : (
              <>
                <button type="button" className="pz-tag-open" onClick={() => onOpenTag(tag)}>
                  <span className="pz-chip">{tag}</span>
                  <span className="pz-muted pz-small">{t('tags_count', [String(count), String(documents)])}</span>
                </button>
                {canEdit && (
                  <button type="button" className="pz-link" onClick={() => setRenaming(tag)}>
                    {t('tags_rename')}
                  </button>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
      {canEdit && selected.length >= 2 && (
        <FieldForm
          label={t('tags_merge_into', String(selected.length))}
          submit={t('tags_merge')}
          primary
          disabled={!normaliseTag(mergeInto)}
          onSubmit={merge}
        >
          <input
            name="mergeInto"
            value={mergeInto}
            onChange={(e) => setMergeInto(e.target.value)}
            placeholder={selected[0]}
          />
        </FieldForm>
      )}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
    </div>
  );
}
