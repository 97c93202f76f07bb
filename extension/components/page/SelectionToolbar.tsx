/**
 * The toolbar under a selection: a colour (five), private or team, tags with suggestions, a note, "whole
 * clause" to snap the selection to its clause, and Highlight. Enter in the empty tag field or Ctrl+Enter in
 * the note saves; Escape dismisses.
 */
import { useEffect, useRef, useState } from 'react';
import { COLORS, type Color, type Visibility } from '../../../shared/model/annotation.ts';
import { t } from '../../lib/i18n.ts';
import type { PageSession, PageState } from '../../lib/page/session.ts';
import { HIGHLIGHT_SWATCHES } from '../common/colors.ts';
import { useFloating } from './placement.ts';
import { TagField } from './TagField.tsx';
import { TaskButtons } from './tasks/TaskButtons.tsx';
import { NoteField } from './NoteField.tsx';

const WIDTH = 360;
const HEIGHT = 150;

export function SelectionToolbar({ session, state }: { session: PageSession; state: PageState }) {
  const selection = state.selection!;
  const preferences = state.preferences;
  const inTeam = state.memberId !== null;
  const [color, setColor] = useState<Color>(preferences?.defaultColor ?? 'yellow');
  const [tags, setTags] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const [visibility, setVisibility] = useState<Visibility>(
    inTeam ? (preferences?.defaultVisibility ?? 'team') : 'private',
  );
  const [saving, setSaving] = useState(false);
  const tagInput = useRef<HTMLInputElement>(null);
  const swatches = useRef<(HTMLButtonElement | null)[]>([]);
  const floating = useFloating(selection.rect, WIDTH, HEIGHT);

  useEffect(() => {
    if (state.focusTagsRequest) tagInput.current?.focus();
  }, [state.focusTagsRequest]);

  const save = async (chosen: Color = color) => {
    if (saving) return;
    setSaving(true);
    // A tag still being typed counts too.
    const pending = tagInput.current?.value.trim();
    await session.actions.highlightSelection({
      color: chosen,
      tags: pending ? [...tags, pending] : tags,
      note: note.trim(),
      visibility,
    });
    setSaving(false);
  };

  const moveColor = (from: number, step: number) => {
    const next = (from + step + COLORS.length) % COLORS.length;
    setColor(COLORS[next]!);
    swatches.current[next]?.focus();
  };

  return (
    <div
      className="pz-toolbar"
      role="dialog"
      aria-label={t('toolbar_label')}
      ref={floating.ref}
      style={floating.style}
      onMouseDown={(e) => e.stopPropagation()}
      onMouseUp={(e) => e.stopPropagation()}
      onKeyDown={(e) => {
        if (e.key === 'Escape') session.dismissSelection();
      }}
    >
      <div className="pz-row" role="toolbar" aria-label={t('toolbar_label')}>
        <div className="pz-swatches" role="radiogroup" aria-label={t('toolbar_color')}>
          {COLORS.map((c, i) => (
            // biome-ignore lint/a11y/useSemanticElements: a colour swatch is a styled button in a radio group
            <button
              key={c}
              ref={(el) => {
                swatches.current[i] = el;
              }}
              type="button"
              role="radio"
              className={`pz-swatch${c === color ? ' pz-active' : ''}`}
              style={{ background: HIGHLIGHT_SWATCHES[c] }}
              aria-label={t(`color_${c}`)}
              aria-checked={c === color}
              tabIndex={c === color ? 0 : -1}
              data-color={c}
              onClick={() => setColor(c)}
              onDoubleClick={() => void save(c)}
              onKeyDown={(e) => {
                if (e.key === 'ArrowRight' || e.key === 'ArrowDown') {
                  e.preventDefault();
                  moveColor(i, 1);
                } else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
                  e.preventDefault();
                  moveColor(i, -1);
                }
              }}
            />
          ))}
        </div>
        <button
          type="button"
          className="pz-visibility"
          aria-pressed={visibility === 'private'}
          disabled={!inTeam}
          title={inTeam ? undefined : t('toolbar_private_until_team')}
          onClick={() => setVisibility(visibility === 'team' ? 'private' : 'team')}
          data-visibility={visibility}
        >
          {visibility === 'team' ? t('visibility_team') : t('visibility_private')}
        </button>
        <button type="button" className="pz-primary" disabled={saving} onClick={() => void save()}>
          {t('toolbar_highlight')}
        </button>
      </div>
      <div className="pz-row pz-clause-row">
        <span className="pz-clause" data-testid="selection-clause">
          {selection.clausePath.length ? selection.clausePath.join('') : t('clause_none')}
        </span>
        {!selection.wholeClause && selection.clausePath.length > 0 && (
          <button type="button" className="pz-link pz-snap" onClick={() => session.snapSelectionToClause()}>
            {t('toolbar_snap_clause')}
          </button>
        )}
        {selection.wholeClause && <span className="pz-muted">{t('toolbar_whole_clause')}</span>}
      </div>
      {inTeam && selection.clausePath.length > 0 && <TaskButtons session={session} path={selection.clausePath} />}
      <TagField
        tags={tags}
        onChange={setTags}
        vocabulary={state.vocabulary}
        onSubmitEmpty={() => void save()}
        inputRef={tagInput}
      />
      <NoteField
        value={note}
        rows={2}
        onChange={(e) => setNote(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void save();
          }
        }}
      />
    </div>
  );
}
