/**
 * "建任务" for a clause, and "为本节每一条建任务" when the clause has items of its own: shown under a clause's
 * selection (clause mode) and on a highlight's card.
 */
import { t } from '../../../lib/i18n.ts';
import type { PageSession } from '../../../lib/page/session.ts';

export function TaskButtons({ session, path }: { session: PageSession; path: string[] }) {
  const items = session.tasks.sectionSize(path);
  return (
    <div className="pz-row pz-task-buttons">
      <button
        type="button"
        className="pz-link"
        data-action="task-clause"
        onClick={() => void session.tasks.openForClause(path)}
      >
        {t('task_for_clause')}
      </button>
      {items > 1 && (
        <button
          type="button"
          className="pz-link"
          data-action="task-section"
          onClick={() => void session.tasks.openForSection(path)}
        >
          {t('task_for_section', String(items))}
        </button>
      )}
    </div>
  );
}
