// @vitest-environment happy-dom
/**
 * The selection controller on a real corpus page (happy-dom): a selection becomes the toolbar's, with its
 * clause and whether it already covers the whole clause (then widening is not offered); snapping to the clause
 * selects it in the page too and survives the page's selection collapsing; clause mode leaves drag selections
 * alone; Escape is handed to the session; a document is listened to once however often it is given.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Window } from 'happy-dom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPageIndex, forgetPageIndex } from '../../../shared/anchoring/index.ts';
import { Highlighter } from './highlighter.ts';
import type { PageState } from './page-state.ts';
import { SelectionController } from './selection.ts';

const PAGE = path.resolve(import.meta.dirname, '../../../test/fixtures/corpus/pages/01-suizhou-edu-2023.html');

describe('SelectionController', () => {
  let win: Window;
  let doc: Document;
  let state: Pick<PageState, 'selection' | 'clauseMode' | 'hoverClause'>;
  let events: string[];
  let controller: SelectionController;

  const tick = () => new Promise((r) => setTimeout(r, 5));

  /** Selects `text` in the page, as a drag would, and lets go of the mouse. */
  async function select(text: string): Promise<void> {
    const node = [...doc.querySelectorAll('p')]
      .flatMap((p) => [...p.childNodes])
      .find((c) => c.textContent!.includes(text))!;
    const range = doc.createRange();
    const at = node.textContent!.indexOf(text);
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    doc.getSelection()!.removeAllRanges();
    doc.getSelection()!.addRange(range);
    await mouseUp();
  }

  async function mouseUp(): Promise<void> {
    doc.body.dispatchEvent(new win.MouseEvent('mouseup', { bubbles: true }) as unknown as Event);
    await tick();
  }

  beforeEach(() => {
    win = new Window();
    win.document.write(fs.readFileSync(PAGE, 'utf8'));
    doc = win.document as unknown as Document;
    state = { selection: null, clauseMode: false, hoverClause: null };
    events = [];
    controller = new SelectionController({
      state: { get: () => state as PageState, set: (patch) => Object.assign(state, patch) },
      highlighter: new Highlighter(),
      pageIndex: () => createPageIndex(doc),
      isOwnUi: () => false,
      onSelect: () => events.push('select'),
      onPageClick: (id) => events.push(`click:${id}`),
      onEscape: () => events.push('escape'),
      onViewport: () => events.push('viewport'),
    });
    controller.listenTo([doc]);
    controller.listenTo([doc]);
  });

  afterEach(async () => {
    controller.stop();
    forgetPageIndex(doc);
    await win.happyDOM.close();
  });

  it('a partial selection offers its clause; snapped, it covers the clause and stays when the page collapses', async () => {
    await select('做好大中小学思想政治工作');
    expect(events).toEqual(['select']);
    const partial = state.selection!;
    expect(partial).toMatchObject({
      quote: '做好大中小学思想政治工作',
      clausePath: ['二、', '6.'],
      wholeClause: false,
    });

    expect(controller.snapToClause()).toBe(true);
    const whole = state.selection!;
    expect(whole).toMatchObject({ clausePath: ['二、', '6.'], wholeClause: true, serial: partial.serial });
    expect(whole.quote.startsWith('6. 做好大中小学思想政治工作')).toBe(true);
    expect(doc.getSelection()!.toString()).toBe(whole.range.toString());

    // the page's own selection collapsing (a click) leaves Pizhu's clause selection alone...
    doc.getSelection()!.removeAllRanges();
    await mouseUp();
    expect(state.selection).toBe(whole);
    // ...but not a selection the user made
    await select('促进学生身心健康全面发展');
    doc.getSelection()!.removeAllRanges();
    await mouseUp();
    expect(state.selection).toBeNull();
  });

  it('a selection of a whole clause, made by hand, is known as whole', async () => {
    const clause = createPageIndex(doc).clausesByPath(['二、', '8.'])[0]!;
    const range = createPageIndex(doc).clauseRange(clause)!;
    doc.getSelection()!.removeAllRanges();
    doc.getSelection()!.addRange(range);
    await mouseUp();
    expect(state.selection).toMatchObject({ clausePath: ['二、', '8.'], wholeClause: true });
  });

  it('clause mode leaves drag selections alone; Escape goes to the session', async () => {
    controller.setClauseMode(true);
    expect(state.clauseMode).toBe(true);
    await select('促进学生身心健康全面发展');
    expect(state.selection).toBeNull();
    doc.body.dispatchEvent(new win.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }) as unknown as Event);
    expect(events).toEqual(['escape']);
    controller.setClauseMode(false);
    await select('促进学生身心健康全面发展');
    expect(state.selection).toMatchObject({ clausePath: ['二、', '8.'] });
  });
});
