/**
 * The corner badge: sync status, who else is reading this page now (presence), clause mode, and a legend of
 * whose highlights are on the page (each colleague's underline colour and initials) with a switch to hide them.
 */
import { useState } from 'react';
import { errorText, syncStateLabel, t } from '../../lib/i18n.ts';
import type { PageSession, PageState } from '../../lib/page/session.ts';
import { AuthorBadge } from '../common/Author.tsx';
import { authorColor } from '../common/colors.ts';

export function PageBadge({ session, state }: { session: PageSession; state: PageState }) {
  const [open, setOpen] = useState(false);
  const colleagues = session.colleagues();
  const highlights = state.annotations.filter((a) => !a.replyTo).length;
  const status = state.status.state;
  const hidden = new Set(state.hiddenAuthors);

  return (
    <div className="pz-badge-wrap">
      {open && (
        <div className="pz-badge-menu" role="dialog" aria-label={t('badge_menu')}>
          <h2 className="pz-menu-title">{t('badge_whose')}</h2>
          {colleagues.length === 0 ? (
            <p className="pz-muted pz-small">{t('badge_no_colleagues')}</p>
          ) : (
            <ul className="pz-legend">
              {colleagues.map((author) => (
                <li key={author.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={!hidden.has(author.id)}
                      onChange={(e) =>
                        session.hideAuthors(
                          e.target.checked
                            ? state.hiddenAuthors.filter((id) => id !== author.id)
                            : [...state.hiddenAuthors, author.id],
                        )
                      }
                    />
                    <AuthorBadge id={author.id} name={author.name} size={18} />
                    <span>{author.name}</span>
                    <span
                      className="pz-underline-sample"
                      style={{ borderBottomColor: authorColor(author.id) }}
                      aria-hidden="true"
                    />
                  </label>
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="pz-menu-action" onClick={() => void session.openComparison()}>
            {t('compare_open')}
          </button>
          <p className="pz-muted pz-small">{t('badge_shortcuts_hint')}</p>
        </div>
      )}
      <div className="pz-badge" data-sync-state={status}>
        <span
          className={`pz-dot pz-${status}`}
          role="img"
          aria-label={syncStateLabel(status)}
          title={state.status.error ? errorText(state.status.error) : syncStateLabel(status)}
        />
        <span
          className="pz-badge-count"
          title={t(highlights === 1 ? 'badge_count_one' : 'badge_count', String(highlights))}
        >
          {t(highlights === 1 ? 'badge_count_one' : 'badge_count', String(highlights))}
        </span>
        {state.peers.length > 0 && (
          <span
            className="pz-peers"
            role="img"
            aria-label={t('presence_here', [state.peers.map((p) => p.name).join('、')])}
            data-testid="presence"
          >
            {state.peers.slice(0, 4).map((peer) => (
              <AuthorBadge key={peer.id} id={peer.id} name={peer.name} size={20} />
            ))}
            {state.peers.length > 4 && <span className="pz-more">+{state.peers.length - 4}</span>}
            <span className="pz-peers-text">{t('presence_count', String(state.peers.length))}</span>
          </span>
        )}
        <button
          type="button"
          className={`pz-mode${state.clauseMode ? ' pz-active' : ''}`}
          aria-pressed={state.clauseMode}
          title={t('badge_clause_mode_help')}
          onClick={() => session.setClauseMode(!state.clauseMode)}
        >
          {t('badge_clause_mode')}
        </button>
        <button
          type="button"
          className="pz-icon"
          aria-expanded={open}
          aria-label={t('badge_menu')}
          onClick={() => setOpen(!open)}
        >
          ⋯
        </button>
      </div>
    </div>
  );
}
