/**
 * The highlight layer on a real corpus page (happy-dom, with a stand-in for the CSS Custom Highlight API, which
 * happy-dom lacks): the library's Anchorer finds the annotations and the Highlighter draws them; a new list
 * anchors only what is new or moved; a change in the page re-anchors what it touched, without being asked;
 * hiding an author redraws without anchoring.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Window } from 'happy-dom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPageIndex, describe as describeRange, forgetPageIndex } from '../../../shared/anchoring/index.ts';
import type { Annotation, Selector } from '../../../shared/model/annotation.ts';
import { HighlightLayer, type HighlightStyle } from './highlight-layer.ts';
import { Highlighter } from './highlighter.ts';
import type { PageState } from './page-state.ts';

const PAGE = path.resolve(import.meta.dirname, '../../../test/fixtures/corpus/pages/01-suizhou-edu-2023.html');

/** The registry and Highlight class a browser has (a Map of Sets of Ranges is all the Highlighter uses). */
function addHighlightApi(win: Window): Map<string, Set<Range>> {
  const registry = new Map<string, Set<Range>>();
  class Highlight extends Set<Range> {
    priority = 0;
    constructor(...ranges: Range[]) {
      super(ranges);
    }
  }
  Object.defineProperty(win, 'Highlight', { value: Highlight, configurable: true });
  Object.defineProperty(win, 'CSS', { value: { highlights: registry }, configurable: true });
  return registry;
}

let n = 0;
function annotation(selectors: Selector[], extra: Partial<Annotation> = {}): Annotation {
  n++;
  return {
    id: `a${n}`,
    documentKey: 'doc',
    teamId: null,
    selectors,
    clausePath: [],
    quote: '',
    tags: [],
    note: '',
    color: 'yellow',
    author: { id: 'me', name: '我' },
    visibility: 'private',
    replyTo: null,
    createdAt: n,
    updatedAt: n,
    deleted: false,
    ...extra,
  };
}

const until = async (check: () => boolean, ms = 5_000) => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('HighlightLayer', () => {
  let win: Window;
  let doc: Document;
  let registry: Map<string, Set<Range>>;
  let state: Pick<PageState, 'anchors' | 'order'>;
  let layer: HighlightLayer;
  let pageChanges: number;
  let quotes: { text: string; selectors: Selector[] }[];

  /** Selectors for a quote found in a paragraph of the page (describe, as the toolbar does). */
  function selectorsFor(text: string): Selector[] {
    const node = [...doc.querySelectorAll('p')]
      .flatMap((p) => [...p.childNodes])
      .find((c) => c.textContent!.includes(text))!;
    const range = doc.createRange();
    const at = node.textContent!.indexOf(text);
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    return describeRange(doc, range);
  }

  const painted = (name = 'pizhu-yellow') => [...(registry.get(name) ?? [])].map((r) => r.toString()).sort();
  const shown: (a: Annotation) => HighlightStyle = (a) => ({ color: a.color, peer: null });

  beforeEach(() => {
    win = new Window();
    win.document.write(fs.readFileSync(PAGE, 'utf8'));
    doc = win.document as unknown as Document;
    registry = addHighlightApi(win);
    quotes = ['促进学生身心健康全面发展', '加快推进教育数字化', '做好大中小学思想政治工作'].map((text) => ({
      text,
      selectors: selectorsFor(text),
    }));
    forgetPageIndex(doc); // the layer reads the page itself, in steps
    state = { anchors: {}, order: [] };
    pageChanges = 0;
    layer = new HighlightLayer({
      root: doc,
      highlighter: new Highlighter(),
      state: { get: () => state as PageState, set: (patch) => Object.assign(state, patch) },
      onPageChange: () => pageChanges++,
      debug: true,
    });
  });

  afterEach(async () => {
    layer.stop();
    await win.happyDOM.close();
  });

  it('anchors and paints every highlight, in document order, and says when it is done', async () => {
    const [a, b, c] = quotes.map((q) => annotation(q.selectors));
    const reply = annotation(quotes[0]!.selectors, { replyTo: a!.id });
    expect(layer.ready).toBe(false);
    const showing = layer.show([a!, b!, c!, reply], shown);
    expect(layer.ready).toBe(false);
    await showing;
    expect(layer.ready).toBe(true);
    expect(painted()).toEqual(quotes.map((q) => q.text).sort());
    expect(state.anchors).toEqual({ [a!.id]: 'exact', [b!.id]: 'exact', [c!.id]: 'exact' });
    // 6. comes before 8. on the page, and digital education is item 20.
    expect(state.order).toEqual([c!.id, a!.id, b!.id]);
    expect(await layer.clausePaths()).toMatchObject({ [a!.id]: ['二、', '8.'], [c!.id]: ['二、', '6.'] });
    expect(pageChanges).toBe(1);
    expect(layer.paintRuns()).toMatchObject([{ annotations: 3, painted: 3, orphans: 0 }]);
  });

  it('a new list anchors only what is new or moved, drops what is gone, and recolours in place', async () => {
    const [a, b, c] = quotes.map((q) => annotation(q.selectors));
    await layer.show([a!, b!], shown);
    const first = [...registry.get('pizhu-yellow')!];
    const rangeOfA = first.find((r) => r.toString() === quotes[0]!.text)!;
    await layer.show([{ ...a!, color: 'green', updatedAt: a!.updatedAt + 1 }, c!], shown);
    expect(painted()).toEqual([quotes[2]!.text]);
    expect(painted('pizhu-green')).toEqual([quotes[0]!.text]);
    // the recoloured highlight kept its anchor: the very same Range, not anchored again
    expect([...registry.get('pizhu-green')!][0]).toBe(rangeOfA);
    expect(Object.keys(state.anchors).sort()).toEqual([a!.id, c!.id].sort());
  });

  it('follows the page by itself: an edited paragraph is re-anchored, a removed one orphaned', async () => {
    const [a, b] = quotes.map((q) => annotation(q.selectors));
    await layer.show([a!, b!], shown);
    const paragraph = [...doc.querySelectorAll('p')].find((p) => p.textContent!.includes(quotes[0]!.text))!;
    const text = [...paragraph.childNodes].find((c) => c.textContent!.includes(quotes[0]!.text)) as Text;
    text.insertData(text.data.indexOf(quotes[0]!.text) + 2, '切实');
    // the live Range grows over the insertion at once; the Anchorer re-checks it once the change settles
    await until(() => state.anchors[a!.id] === 'fuzzy');
    expect(painted()).toHaveLength(2);
    expect(painted().some((q) => q.includes('学生身心健康全面发展'))).toBe(true);
    const other = [...doc.querySelectorAll('p')].find((p) => p.textContent!.includes(quotes[1]!.text))!;
    other.remove();
    await until(() => state.anchors[b!.id] === 'orphan');
    expect(painted()).toHaveLength(1);
    expect(state.order).toEqual([a!.id]);
    expect(pageChanges).toBeGreaterThan(1);
  });

  it("hides an author's highlights and shows them again without anchoring anything", async () => {
    const mine = annotation(quotes[0]!.selectors);
    const theirs = annotation(quotes[1]!.selectors, {
      author: { id: 'm2', name: '李娜' },
      visibility: 'team',
      teamId: 't',
    });
    await layer.show([mine, theirs], (a) => ({ color: a.color, peer: a.author.id === 'me' ? null : 3 }));
    expect(painted('pizhu-peer-3')).toEqual([quotes[1]!.text]);
    const runs = layer.paintRuns().length;
    layer.restyle((a) => (a.author.id === 'm2' ? null : { color: a.color, peer: null }));
    await until(() => painted().length === 1);
    expect(painted()).toEqual([quotes[0]!.text]);
    expect(painted('pizhu-peer-3')).toEqual([]);
    expect(state.order).toEqual([mine.id]);
    // its anchor is still known (the side panel reports it), nothing was anchored again
    expect(state.anchors[theirs.id]).toBe('exact');
    expect(layer.paintRuns()).toHaveLength(runs);
  });

  it('a newer list stops the run in progress; the page index is the shared one', async () => {
    const many = Array.from({ length: 40 }, (_, i) => annotation(quotes[i % 3]!.selectors));
    const older = layer.show(many, shown);
    const newer = layer.show(many.slice(0, 2), shown);
    await Promise.all([older, newer]);
    expect(Object.keys(state.anchors)).toEqual(many.slice(0, 2).map((a) => a.id));
    expect(layer.paintRuns()).toHaveLength(1);
    expect(layer.pageIndex()).toBe(createPageIndex(doc));
  });
});
