/**
 * Tasks from the page (任务分解): opens the task form for a clause (clause mode's selection, a highlight's card)
 * or the review list for every item of a section at once ("为本节每一条建任务"), pre-filled with the clause's
 * suggestions (task-drafts.ts), and sends what the user confirms to the background. Nothing is created until
 * the user confirms; a refusal shows in the form.
 */
import { clauseByPath, type Clause, type PageIndex } from '../../../shared/anchoring/index.ts';
import type { DocumentInfo } from '../../../shared/model/annotation.ts';
import { ask } from '../ask.ts';
import { errorText } from '../i18n.ts';
import type { TaskContext } from '../tasks-messages.ts';
import type { StateWriter, TaskDialogState } from './page-state.ts';
import { checkUnitCount, noticeYear } from '../task-input.ts';
import { clauseTitle, draftFor, draftsOf, sectionItems, type TaskFormRow, withUnitsAsNamedNow } from './task-drafts.ts';

export type { TaskDialogState } from './page-state.ts';

export type TaskActionsOptions = {
  state: StateWriter<'taskDialog' | 'notice' | 'selection'>;
  pageIndex: () => PageIndex;
  document: () => DocumentInfo;
};

export class TaskActions {
  private serial = 0;

  constructor(private readonly options: TaskActionsOptions) {}

  /** How many items "every item of this section" would make (0 when the clause is not on the page). */
  sectionSize(path: readonly string[]): number {
    const index = this.options.pageIndex();
    const clause = path.length ? clauseByPath(index, path) : null;
    return clause ? sectionItems(clause, index.clauses).length : 0;
  }

  /** The form for one clause. */
  openForClause(path: readonly string[]): Promise<void> {
    return this.open('single', path, (clause, clauses) => [clause].map((c) => draftFor(c, clauses, this.year())));
  }

  /** The review list for every item of a section. */
  openForSection(path: readonly string[]): Promise<void> {
    return this.open('section', path, (clause, clauses) =>
      sectionItems(clause, clauses).map((item) => draftFor(item, clauses, this.year())),
    );
  }

  close(): void {
    this.options.state.set({ taskDialog: null });
  }

  /** Creates a task for every row kept; closes the form and says how many when done. */
  async create(rows: readonly TaskFormRow[]): Promise<boolean> {
    const dialog = this.options.state.get().taskDialog;
    if (!dialog || dialog.saving) return false;
    const drafts = draftsOf(rows, dialog.year);
    if (!drafts.length) return false;
    this.options.state.set({ taskDialog: { ...dialog, rows: [...rows], saving: true, error: null } });
    try {
      for (const draft of drafts) checkUnitCount(draft.leadUnits ?? [], draft.units ?? []);
      await ask({ type: 'tasks.create', document: this.options.document(), drafts });
      this.options.state.set({ taskDialog: null, notice: drafts.length === 1 ? 'task_created' : 'tasks_created' });
      return true;
    } catch (error) {
      const current = this.options.state.get().taskDialog;
      if (current?.serial === dialog.serial) {
        this.options.state.set({
          taskDialog: { ...current, saving: false, error: errorText(error) },
        });
      }
      return false;
    }
  }

  private year(): number | undefined {
    return noticeYear(this.options.document());
  }

  private async open(
    kind: TaskDialogState['kind'],
    path: readonly string[],
    rowsOf: (clause: Clause, clauses: readonly Clause[]) => TaskFormRow[],
  ): Promise<void> {
    const index = this.options.pageIndex();
    const clause = path.length ? clauseByPath(index, path) : null;
    if (!clause) {
      this.options.state.set({ notice: 'no-clause' });
      return;
    }
    const serial = ++this.serial;
    let context: TaskContext;
    try {
      context = await ask({ type: 'tasks.context' });
    } catch {
      context = { joined: false, role: null, memberId: null, unit: null, canCreate: false, units: [] };
    }
    if (serial !== this.serial) return;
    this.options.state.set({
      selection: null,
      taskDialog: {
        kind,
        path: clause.path,
        title: clauseTitle(clause, index.clauses),
        rows: rowsOf(clause, index.clauses).map((row) => withUnitsAsNamedNow(row, context.units)),
        context,
        year: this.year(),
        serial,
        error: null,
        saving: false,
      },
    });
  }
}
