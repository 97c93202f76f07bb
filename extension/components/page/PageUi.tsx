/**
 * The in-page UI, rendered inside Pizhu's shadow root: the selection toolbar, an annotation's card, the clause
 * label under the pointer in clause mode, a corner badge (sync status, colleagues here, clause mode, whose
 * highlights are shown) and toasts. All user text is rendered as text (React escapes it).
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { currentLanguage, errorText, t, type MessageKey } from '../../lib/i18n.ts';
import type { PageSession } from '../../lib/page/session.ts';
import { AnnotationCard } from './AnnotationCard.tsx';
import { PageBadge } from './PageBadge.tsx';
import { SelectionToolbar } from './SelectionToolbar.tsx';
import { TaskDialog } from './tasks/TaskDialog.tsx';

const TOAST_MS = 8_000;

export function PageUi({ session }: { session: PageSession }) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const card = state.openCard ? state.annotations.find((a) => a.id === state.openCard!.id) : undefined;
  return (
    <div className="pz-root" lang={currentLanguage() === 'en' ? 'en' : 'zh-CN'}>
      {state.selection && <SelectionToolbar key={state.selection.serial} session={session} state={state} />}
      {card && state.openCard && <AnnotationCard key={card.id} session={session} state={state} annotation={card} />}
      {state.taskDialog && <TaskDialog key={state.taskDialog.serial} session={session} dialog={state.taskDialog} />}
      {state.clauseMode && state.hoverClause && (
        <div
          className="pz-clause-hint"
          role="tooltip"
          style={{ left: state.hoverClause.rect.left + 14, top: state.hoverClause.rect.top + 18 }}
        >
          {state.hoverClause.path.join('')}
          <span className="pz-hint-sub">{t('clause_click_hint')}</span>
        </div>
      )}
      <Toasts session={session} />
      <PageBadge session={session} state={state} />
    </div>
  );
}

function Toasts({ session }: { session: PageSession }) {
  const state = useSyncExternalStore(session.subscribe, session.getState);
  const undoRef = useRef<HTMLButtonElement>(null);
  const message = state.error ?? state.lastDeleted ?? state.notice;
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => session.actions.dismissToast(), TOAST_MS);
    return () => clearTimeout(timer);
  }, [message, session]);
  useEffect(() => {
    if (state.lastDeleted) undoRef.current?.focus();
  }, [state.lastDeleted]);

  if (state.error) {
    return (
      <div className="pz-toast pz-error" role="alert">
        <span>{errorText(state.error)}</span>
        <button type="button" aria-label={t('card_close')} onClick={() => session.actions.dismissToast()}>
          ×
        </button>
      </div>
    );
  }
  if (state.lastDeleted) {
    return (
      <div className="pz-toast" role="status">
        <span>{t('card_deleted')}</span>
        <button ref={undoRef} type="button" className="pz-undo" onClick={() => void session.actions.undoRemove()}>
          {t('card_undo')}
        </button>
      </div>
    );
  }
  if (state.notice) {
    return (
      <div className="pz-toast" role="status">
        <span>{t(`notice_${state.notice.replace(/-/g, '_')}` as MessageKey)}</span>
      </div>
    );
  }
  return null;
}
