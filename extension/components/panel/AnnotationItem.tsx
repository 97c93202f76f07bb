/**
 * One highlight in the side panel: colour, quote, tags, note, replies, author and time, and whether the page
 * found it only approximately (近似). Click to go to it. Search terms, when given, are marked in the quote
 * (around the first match), the note and the tags.
 */
import type { Annotation } from '../../../shared/model/annotation.ts';
import { currentLanguage, t } from '../../lib/i18n.ts';
import type { AnchorStatus } from '../../lib/messages.ts';
import { AuthorBadge, relativeTime } from '../common/Author.tsx';
import { HIGHLIGHT_SWATCHES } from '../common/colors.ts';
import { Marked } from './Marked.tsx';
import { TagChips } from '../common/TagChips.tsx';

/** Characters shown either side of the first match in a long quote. */
const SNIPPET_RADIUS = 60;

export function AnnotationItem({
  annotation,
  replies = [],
  anchor,
  terms = [],
  onOpen,
  children,
}: {
  annotation: Annotation;
  replies?: Annotation[];
  /** How the page anchored it (when the page is open). */
  anchor?: AnchorStatus;
  terms?: readonly string[];
  onOpen?: (annotation: Annotation) => void;
  children?: React.ReactNode;
}) {
  const language = currentLanguage() === 'en' ? 'en' : 'zh-CN';
  const open = () => onOpen?.(annotation);
  return (
    <article
      className="pz-item"
      data-annotation-id={annotation.id}
      data-anchor={anchor}
      style={{ borderLeftColor: HIGHLIGHT_SWATCHES[annotation.color] }}
      aria-label={t('panel_item_label', [annotation.author.name, annotation.quote.slice(0, 40)])}
    >
      <button type="button" className="pz-item-open" onClick={open} disabled={!onOpen} title={t('panel_go_to')}>
        <blockquote>
          <Marked text={annotation.quote} terms={terms} around={SNIPPET_RADIUS} />
        </blockquote>
      </button>
      {annotation.tags.length > 0 && (
        <div className="pz-tags-line">
          <TagChips tags={annotation.tags} render={(tag) => <Marked text={tag} terms={terms} />} />
        </div>
      )}
      {annotation.note && (
        <p className="pz-note-text">
          <Marked text={annotation.note} terms={terms} />
        </p>
      )}
      {replies.map((reply) => (
        <div key={reply.id} className="pz-reply" data-reply-id={reply.id}>
          <AuthorBadge id={reply.author.id} name={reply.author.name} size={16} />
          <strong>{reply.author.name}</strong> {reply.note}
        </div>
      ))}
      <div className="pz-item-meta">
        <AuthorBadge id={annotation.author.id} name={annotation.author.name} size={18} />
        <span>{annotation.author.name}</span>
        <span aria-hidden="true">·</span>
        <time dateTime={new Date(annotation.createdAt).toISOString()}>
          {relativeTime(annotation.createdAt, language)}
        </time>
        {anchor === 'fuzzy' && (
          <span className="pz-approximate" title={t('anchor_fuzzy')} data-testid="approximate">
            {t('panel_approximate')}
          </span>
        )}
        {annotation.visibility === 'private' && <span className="pz-private">{t('visibility_private')}</span>}
      </div>
      {children}
    </article>
  );
}
