/**
 * What the user does to annotations from the page: save a selection as a highlight, move an orphan onto a new
 * selection, edit, reply, delete and undo. Each is a request to the background (which owns the store); the
 * page's highlights follow from the annotations the background then sends (connection.ts). A refusal shows
 * in a toast.
 */
import { describe, type PageIndex } from '../../../shared/anchoring/index.ts';
import type { Annotation, Color, DocumentInfo, Selector, Visibility } from '../../../shared/model/annotation.ts';
import { findSelector } from '../../../shared/model/annotation.ts';
import { normaliseTags } from '../../../shared/model/tags.ts';
import { ask } from '../ask.ts';
import { errorInfo } from '../errors.ts';
import type { ReattachResult, RequestInput, TagUsage } from '../messages.ts';
import type { StateWriter } from './page-state.ts';
import type { SelectionController } from './selection.ts';

export type NewHighlight = { color?: Color; tags: string[]; note: string; visibility?: Visibility };

export type AnnotationActionsOptions = {
  state: StateWriter<'error' | 'notice' | 'lastDeleted' | 'vocabulary' | 'openCard'>;
  selection: SelectionController;
  pageIndex: () => PageIndex;
  /** What the page says about itself, sent with new annotations. */
  document: () => DocumentInfo;
};

export class AnnotationActions {
  constructor(private readonly options: AnnotationActionsOptions) {}

  private get state() {
    return this.options.state.get();
  }

  async highlightSelection(choice: NewHighlight): Promise<Annotation | null> {
    const selection = this.state.selection;
    if (!selection) return null;
    try {
      const selectors = describe(this.options.pageIndex(), selection.range);
      const annotation = await ask<Annotation>({
        type: 'annotation.create',
        annotation: {
          documentKey: this.state.documentKey,
          ...quoted(selectors, selection.quote),
          tags: normaliseTags(choice.tags),
          note: choice.note,
          color: choice.color ?? this.state.preferences?.defaultColor ?? 'yellow',
          visibility: choice.visibility ?? this.state.preferences?.defaultVisibility,
        },
        document: this.options.document(),
      });
      this.options.selection.consume(selection);
      this.options.state.set({ error: null, notice: 'saved' });
      return annotation;
    } catch (error) {
      this.options.state.set({ error: errorInfo(error) });
      return null;
    }
  }

  /** Moves an orphaned annotation onto the text the user selected now. */
  async reattach(id: string): Promise<ReattachResult> {
    const selection = this.options.selection.current();
    if (!selection) return { ok: false, reason: 'no-selection' };
    try {
      const selectors = describe(this.options.pageIndex(), selection.range);
      await ask({ type: 'annotation.update', id, patch: quoted(selectors, selection.quote) });
      this.options.selection.consume(selection);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: 'refused', error: errorInfo(error) };
    }
  }

  update(id: string, patch: { tags?: string[]; note?: string; color?: Color }): Promise<boolean> {
    return this.request({ type: 'annotation.update', id, patch });
  }

  /** A teammate's own note on someone else's highlight. */
  async reply(id: string, note: string): Promise<boolean> {
    const parent = this.state.annotations.find((a) => a.id === id);
    if (!parent || !note.trim()) return false;
    return this.request({
      type: 'annotation.create',
      annotation: {
        documentKey: parent.documentKey,
        selectors: parent.selectors,
        clausePath: parent.clausePath,
        quote: parent.quote,
        note: note.trim(),
        color: parent.color,
        visibility: parent.visibility,
        replyTo: parent.id,
      },
      document: this.options.document(),
    });
  }

  async remove(id: string): Promise<void> {
    if (await this.request({ type: 'annotation.delete', id })) {
      this.options.state.set({ openCard: null, lastDeleted: id });
    }
  }

  async undoRemove(): Promise<void> {
    const id = this.state.lastDeleted;
    if (id && (await this.request({ type: 'annotation.restore', id }))) this.options.state.set({ lastDeleted: null });
  }

  dismissToast(): void {
    this.options.state.set({ lastDeleted: null, error: null, notice: null });
  }

  /** The team's tags, for suggestions in the tag fields. */
  async loadVocabulary(): Promise<void> {
    try {
      this.options.state.set({ vocabulary: await ask<TagUsage[]>({ type: 'tags.list' }) });
    } catch {
      // Suggestions are a convenience: without them the tag field still works.
    }
  }

  /** Asks the background; a refusal is shown in a toast. */
  private async request(request: RequestInput): Promise<boolean> {
    try {
      await ask(request);
      this.options.state.set({ error: null });
      return true;
    } catch (error) {
      this.options.state.set({ error: errorInfo(error) });
      return false;
    }
  }
}

/** The fields an annotation takes from its selectors: the quote as described, and its clause. */
function quoted(
  selectors: Selector[],
  fallback: string,
): { selectors: Selector[]; clausePath: string[]; quote: string } {
  return {
    selectors,
    clausePath: findSelector(selectors, 'ClauseSelector')?.path ?? [],
    quote: findSelector(selectors, 'TextQuoteSelector')?.exact ?? fallback,
  };
}
