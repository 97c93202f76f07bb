/**
 * A highlight's card, opened by clicking it: the quote, its clause label, tags, the note (editable by its
 * author), colleagues' notes and replies (anyone in the team adds their own), author and time, previous/next,
 * and delete with undo. Focus moves into the card when it opens; Escape closes it.
 */
import { useEffect, useRef, useState } from 'react';
import { COLORS, type Annotation } from '../../../shared/model/annotation.ts';
import { currentLanguage, t } from '../../lib/i18n.ts';
import type { PageSession, PageState } from '../../lib/page/session.ts';
import { AuthorBadge, relativeTime } from '../common/Author.tsx';
import { HIGHLIGHT_SWATCHES } from '../common/colors.ts';
import { useFloating } from './placement.ts';
import { TagField } from './TagField.tsx';
import { TaskButtons } from './tasks/TaskButtons.tsx';
import { NoteField } from './NoteField.tsx';
import { TagChips } from '../common/TagChips.tsx';

const WIDTH = 360;
const HEIGHT = 300;

export function AnnotationCard({
  session,
  state,
  annotation,
}: {
  session: PageSession;
  state: PageState;
  annotation: Annotation;
}) {
  const mine = session.isMine(annotation);
  const [note, setNote] = useState(annotation.note);
  const [reply, setReply] = useState('');
  const closeRef = useRef<HTMLButtonElement>(null);
  const tagInput = useRef<HTMLInputElement>(null);
  const language = currentLanguage() === 'en' ? 'en' : 'zh-CN';
  const floating = useFloating(state.openCard!.rect, WIDTH, HEIGHT);

  useEffect(() => closeRef.current?.focus(), []);
  useEffect(() => setNote(annotation.note), [annotation.note]);
  useEffect(() => {
    if (state.focusTagsRequest && mine) tagInput.current?.focus();
  }, [state.focusTagsRequest, mine]);

  const replies = state.annotations
    .filter((a) => a.replyTo === annotation.id)
    .sort((a, b) => a.createdAt - b.createdAt);
  const status = state.anchors[annotation.id];
  const position = state.order.indexOf(annotation.id);

  const sendReply = async () => {
    if (await session.actions.reply(annotation.id, reply)) setReply('');
  };

  return (
    <div
      className="pz-card"
      role="dialog"
      aria-label={t('card_label')}
      data-annotation-id={annotation.id}
      ref={floating.ref}
      style={floating.style}
      onMouseDown={(e) => e.stopPropagation()}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          session.cards.close();
        }
      }}
    >
      <div className="pz-card-head">
        <span className="pz-clause">{annotation.clausePath.join('') || t('clause_none')}</span>
        {status === 'fuzzy' && <span className="pz-warn">{t('anchor_fuzzy')}</span>}
        <span className="pz-spacer" />
        {position >= 0 && (
          <span className="pz-muted pz-small">
            {t('card_position', [String(position + 1), String(state.order.length)])}
          </span>
        )}
        <button
          type="button"
          className="pz-icon"
          aria-label={t('card_previous')}
          onClick={() => session.cards.step(-1)}
        >
          ‹
        </button>
        <button type="button" className="pz-icon" aria-label={t('card_next')} onClick={() => session.cards.step(1)}>
          ›
        </button>
        <button
          ref={closeRef}
          type="button"
          className="pz-icon"
          aria-label={t('card_close')}
          onClick={() => session.cards.close()}
        >
          ×
        </button>
      </div>
      <blockquote className="pz-quote" style={{ borderLeftColor: HIGHLIGHT_SWATCHES[annotation.color] }}>
        {annotation.quote}
      </blockquote>

      {mine ? (
        <TagField
          tags={annotation.tags}
          onChange={(tags) => void session.actions.update(annotation.id, { tags })}
          vocabulary={state.vocabulary}
          inputRef={tagInput}
        />
      ) : (
        annotation.tags.length > 0 && (
          <div className="pz-row">
            <TagChips tags={annotation.tags} />
          </div>
        )
      )}

      {mine ? (
        <NoteField
          value={note}
          rows={3}
          onChange={(e) => setNote(e.target.value)}
          onBlur={() => note !== annotation.note && void session.actions.update(annotation.id, { note })}
        />
      ) : (
        annotation.note && <p className="pz-note-text">{annotation.note}</p>
      )}

      <div className="pz-byline">
        <AuthorBadge id={annotation.author.id} name={annotation.author.name} size={18} />
        <span className="pz-author">{annotation.author.name}</span>
        <time dateTime={new Date(annotation.createdAt).toISOString()}>
          {relativeTime(annotation.createdAt, language)}
        </time>
        <span className="pz-muted">
          {annotation.visibility === 'private' ? t('visibility_private') : t('visibility_team')}
        </span>
      </div>

      {replies.length > 0 && (
        <ul className="pz-replies" aria-label={t('card_replies')}>
          {replies.map((r) => (
            <li key={r.id} className="pz-reply">
              <AuthorBadge id={r.author.id} name={r.author.name} size={16} />
              <strong>{r.author.name}</strong>
              <span className="pz-reply-text">{r.note}</span>
              {session.isMine(r) && (
                <button
                  type="button"
                  className="pz-link"
                  aria-label={t('card_delete_reply')}
                  onClick={() => void session.actions.remove(r.id)}
                >
                  {t('card_delete')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}

      {annotation.visibility === 'team' && (
        <form
          className="pz-reply-form"
          onSubmit={(e) => {
            e.preventDefault();
            void sendReply();
          }}
        >
          <input
            className="pz-reply-input"
            aria-label={mine ? t('card_reply') : t('card_add_note')}
            placeholder={mine ? t('card_reply') : t('card_add_note')}
            value={reply}
            onChange={(e) => setReply(e.target.value)}
          />
          <button type="submit" disabled={!reply.trim()}>
            {t('card_send')}
          </button>
        </form>
      )}

      {annotation.teamId !== null && annotation.clausePath.length > 0 && (
        <TaskButtons session={session} path={annotation.clausePath} />
      )}

      {mine && (
        <div className="pz-row pz-card-actions">
          <div className="pz-swatches" role="radiogroup" aria-label={t('toolbar_color')}>
            {COLORS.map((c) => (
              // biome-ignore lint/a11y/useSemanticElements: a colour swatch is a styled button in a radio group
              <button
                key={c}
                type="button"
                role="radio"
                className={`pz-swatch pz-small-swatch${c === annotation.color ? ' pz-active' : ''}`}
                style={{ background: HIGHLIGHT_SWATCHES[c] }}
                aria-label={t(`color_${c}`)}
                aria-checked={c === annotation.color}
                onClick={() => c !== annotation.color && void session.actions.update(annotation.id, { color: c })}
              />
            ))}
          </div>
          <span className="pz-spacer" />
          <button type="button" className="pz-danger" onClick={() => void session.actions.remove(annotation.id)}>
            {t('card_delete')}
          </button>
        </div>
      )}
    </div>
  );
}
