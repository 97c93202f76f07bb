/**
 * The in-page UI, rendered inside Pizhu's shadow root: the selection toolbar, an annotation's card, and a small
 * badge with sync status and colleagues on the page. All user text is rendered as text (React escapes it).
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { COLORS, type Color, type Visibility } from '../../../shared/model/annotation.ts';
import { normaliseTags } from '../../../shared/model/tags.ts';
import { t } from '../../lib/i18n.ts';
import { HIGHLIGHT_COLORS } from '../../lib/page/highlighter.ts';
import type { PageSession } from '../../lib/page/session.ts';

const TOOLBAR_OFFSET = 8;

function place(rect: DOMRect, height = 48): { left: number; top: number } {
  const left = Math.max(8, Math.min(rect.left, window.innerWidth - 360));
  const below = rect.bottom + TOOLBAR_OFFSET;
  const top = below + height > window.innerHeight ? Math.max(8, rect.top - height - TOOLBAR_OFFSET) : below;
  return { left, top };
}

export function PageUi({ session }: { session: PageSession }) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const card = state.openCard ? state.annotations.find((a) => a.id === state.openCard!.id) : undefined;
  return (
    <>
      {state.selection && <SelectionToolbar session={session} rect={state.selection.rect} />}
      {card && state.openCard && <AnnotationCard session={session} annotationId={card.id} rect={state.openCard.rect} />}
      {state.lastDeleted && (
        <div className="pz-toast" role="status">
          {t('card_deleted')}
          <button type="button" onClick={() => void session.undoRemove()}>
            {t('card_undo')}
          </button>
        </div>
      )}
      {state.error && (
        <div className="pz-toast pz-error" role="alert">
          {state.error}
        </div>
      )}
      <PresenceBadge peers={state.peers.map((p) => p.name)} status={state.status.state} />
    </>
  );
}

function SelectionToolbar({ session, rect }: { session: PageSession; rect: DOMRect }) {
  const [color, setColor] = useState<Color>('yellow');
  const [tags, setTags] = useState<string[]>([]);
  const [draft, setDraft] = useState('');
  const [note, setNote] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('team');
  const [saving, setSaving] = useState(false);
  const tagInput = useRef<HTMLInputElement>(null);

  const addDraft = (): string[] => {
    const next = normaliseTags([...tags, ...draft.split(/[,，;；]/u)]);
    setTags(next);
    setDraft('');
    return next;
  };

  const save = async (chosen: Color = color) => {
    if (saving) return;
    setSaving(true);
    await session.highlightSelection({ color: chosen, tags: addDraft(), note: note.trim(), visibility });
    setSaving(false);
  };

  return (
    <div
      className="pz-toolbar"
      role="toolbar"
      aria-label={t('toolbar_label')}
      style={place(rect, 120)}
      onMouseDown={(e) => e.stopPropagation()}
      onMouseUp={(e) => e.stopPropagation()}
      onKeyDown={(e) => {
        if (e.key === 'Escape') session.dismissSelection();
      }}
    >
      <div className="pz-row">
        {COLORS.map((c) => (
          <button
            key={c}
            type="button"
            className={`pz-swatch${c === color ? ' pz-active' : ''}`}
            style={{ background: HIGHLIGHT_COLORS[c] }}
            aria-label={t(`color_${c}`)}
            aria-pressed={c === color}
            onClick={() => setColor(c)}
          />
        ))}
        <select
          aria-label={t('visibility_label')}
          value={visibility}
          onChange={(e) => setVisibility(e.target.value as Visibility)}
        >
          <option value="team">{t('visibility_team')}</option>
          <option value="private">{t('visibility_private')}</option>
        </select>
        <button type="button" className="pz-primary" disabled={saving} onClick={() => void save()}>
          {t('toolbar_highlight')}
        </button>
      </div>
      <div className="pz-row">
        {tags.map((tag) => (
          <span key={tag} className="pz-chip">
            {tag}
            <button type="button" aria-label={t('tag_remove', tag)} onClick={() => setTags(tags.filter((x) => x !== tag))}>
              ×
            </button>
          </span>
        ))}
        <input
          ref={tagInput}
          className="pz-tags"
          aria-label={t('toolbar_tags')}
          placeholder={t('toolbar_tags')}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
              e.preventDefault();
              if (draft.trim()) addDraft();
              else void save();
            }
          }}
        />
      </div>
      <textarea
        className="pz-note"
        aria-label={t('toolbar_note')}
        placeholder={t('toolbar_note')}
        value={note}
        rows={2}
        onChange={(e) => setNote(e.target.value)}
      />
    </div>
  );
}

function AnnotationCard({ session, annotationId, rect }: { session: PageSession; annotationId: string; rect: DOMRect }) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const annotation = state.annotations.find((a) => a.id === annotationId);
  const [note, setNote] = useState(annotation?.note ?? '');
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), [annotationId]);
  if (!annotation) return null;
  const replies = state.annotations.filter((a) => a.replyTo === annotation.id);
  const status = state.anchors[annotation.id];
  return (
    <div
      className="pz-card"
      role="dialog"
      aria-label={t('card_label')}
      style={place(rect, 220)}
      onKeyDown={(e) => {
        if (e.key === 'Escape') session.closeCard();
      }}
    >
      <blockquote className="pz-quote">{annotation.quote}</blockquote>
      <div className="pz-meta">
        <span className="pz-clause">{annotation.clausePath.join('') || t('clause_none')}</span>
        {status === 'fuzzy' && <span className="pz-warn">{t('anchor_fuzzy')}</span>}
      </div>
      <div className="pz-row">
        {annotation.tags.map((tag) => (
          <span key={tag} className="pz-chip">
            {tag}
          </span>
        ))}
      </div>
      <textarea
        className="pz-note"
        aria-label={t('toolbar_note')}
        value={note}
        rows={3}
        onChange={(e) => setNote(e.target.value)}
        onBlur={() => note !== annotation.note && void session.update(annotation.id, { note })}
      />
      {replies.map((reply) => (
        <p key={reply.id} className="pz-reply">
          <strong>{reply.author.name}</strong> {reply.note}
        </p>
      ))}
      <div className="pz-meta">
        {t('card_by', [annotation.author.name, new Date(annotation.createdAt).toLocaleString()])}
      </div>
      <div className="pz-row">
        <button type="button" onClick={() => void session.remove(annotation.id)}>
          {t('card_delete')}
        </button>
        <button ref={closeRef} type="button" onClick={() => session.closeCard()}>
          {t('card_close')}
        </button>
      </div>
    </div>
  );
}

function PresenceBadge({ peers, status }: { peers: string[]; status: string }) {
  return (
    <div className="pz-badge" aria-live="polite">
      <span className={`pz-dot pz-${status}`} aria-label={t(`status_${status.replace("-", "_")}` as "status_online")} />
      {peers.length > 0 && <span className="pz-peers">{t('presence_here', [peers.join('、')])}</span>}
    </div>
  );
}
