/**
 * Anchoring benchmark (`npm run bench:anchoring`; not a test): the longest corpus page (07, about 105,000
 * characters, 1,408 clauses).
 *
 * 1. Segment it (text model + body + clause tree, a fresh index each run).
 * 2. Describe 1,000 annotations spread over the body and anchor them on the same page (exact).
 * 3. Anchor them on an edited copy (about a third of the paragraphs changed by 2-4 characters: insertions,
 *    replacements, deletions, full-width/half-width punctuation swaps), where fuzzy matching is needed.
 * Side by side, in the same process and on the same DOM, the same quotes go through dom-anchor-text-quote (the
 * approach Hypothesis used) and @apache-annotator/dom. Every result on the edited copy is checked against the
 * known edit: a range not on the annotated words is "wrong", no range is "orphan".
 *
 * Options: --dom jsdom|happy-dom (default jsdom), --annotations N (default 1000), --peer-sample N (annotations
 * given to dom-anchor-text-quote, default 200), --apache-sample N (given to @apache-annotator/dom, default 5),
 * --runs N (segmentation repetitions, default 7). Peers run on samples (the first N annotations) because they
 * are slow on a page this long in a Node DOM: both read the whole page text per annotation, and Apache
 * Annotator's text walker compares every text node with its scope Range, which jsdom does by walking the
 * document (quadratic). Per-annotation times are compared; correctness counts are given for the same samples.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { JSDOM } from 'jsdom';
import * as textQuote from 'dom-anchor-text-quote';
import * as textPosition from 'dom-anchor-text-position';
import { createTextQuoteSelectorMatcher } from '@apache-annotator/dom';
import { PageIndex } from '../../shared/anchoring/page-index.ts';
import { describeRange } from '../../shared/anchoring/describe.ts';
import { anchorSelectors, locate } from '../../shared/anchoring/anchor.ts';
import type { Selector } from '../../shared/model/annotation.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const PAGE = path.resolve(here, '../../test/fixtures/corpus/pages/07-spp-criminal-procedure-rules-2019.html');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const DOM_KIND = option('dom', 'jsdom') as 'jsdom' | 'happy-dom';
const COUNT = parseInt(option('annotations', '1000'), 10);
const PEER_SAMPLE = Math.min(COUNT, parseInt(option('peer-sample', '200'), 10));
const APACHE_SAMPLE = Math.min(PEER_SAMPLE, parseInt(option('apache-sample', '5'), 10));
const RUNS = parseInt(option('runs', '7'), 10);

// --- deterministic randomness ---
let seed = 20240229;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

// --- DOM loading ---
interface Loaded {
  document: Document;
  window: Window & typeof globalThis;
  close(): Promise<void>;
}

async function load(html: string): Promise<Loaded> {
  if (DOM_KIND === 'jsdom') {
    const dom = new JSDOM(html, { url: 'https://www.spp.gov.cn/rules.html' });
    return { document: dom.window.document, window: dom.window as never, close: async () => dom.window.close() };
  }
  const win = new Window({ url: 'https://www.spp.gov.cn/rules.html' });
  win.document.write(html);
  await win.happyDOM.waitUntilComplete();
  return {
    document: win.document as unknown as Document,
    window: win as never,
    close: async () => {
      await win.happyDOM.abort();
      await win.happyDOM.close();
    },
  };
}

// --- the edited copy and the ground truth ---
interface Edit {
  at: number;
  remove: number;
  insert: string;
}

const paragraphCache = new WeakMap<Document, HTMLElement[]>();

/** Body paragraphs: the <p> elements of the document body (#fontzoom), read once per document. */
function paragraphs(doc: Document): HTMLElement[] {
  let list = paragraphCache.get(doc);
  if (!list) {
    list = Array.from(doc.querySelectorAll('#fontzoom p')) as HTMLElement[];
    paragraphCache.set(doc, list);
  }
  return list;
}

/** Applies an edit to a paragraph's text (inside the text node holding `at`). */
function applyEdit(p: HTMLElement, edit: Edit): void {
  let offset = 0;
  const walker = p.ownerDocument.createTreeWalker(p, 4 /* SHOW_TEXT */);
  for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
    if (edit.at >= offset && edit.at + edit.remove <= offset + node.data.length) {
      const local = edit.at - offset;
      node.data = node.data.slice(0, local) + edit.insert + node.data.slice(local + edit.remove);
      return;
    }
    offset += node.data.length;
  }
}

function mapOffset(x: number, edits: Edit[]): number {
  let shift = 0;
  for (const e of edits) {
    if (x >= e.at + e.remove) shift += e.insert.length - e.remove;
    else if (x > e.at) return e.at + shift + (x - e.at <= e.insert.length ? x - e.at : e.insert.length);
  }
  return x + shift;
}

const INSERTS = ['切实', '及时', '依法', '相关', '应当'];

/** Edits about a third of the paragraphs; returns the v2 HTML and each paragraph's edits (in v1 offsets). */
function makeEditedCopy(html: string): { html: string; edits: Map<number, Edit[]> } {
  const dom = new JSDOM(html);
  const ps = Array.from(dom.window.document.querySelectorAll('#fontzoom p')) as HTMLElement[];
  const edits = new Map<number, Edit[]>();
  ps.forEach((p, index) => {
    const text = p.textContent ?? '';
    if (text.length < 20 || random() > 0.33) return;
    const kind = pick(['insert', 'replace', 'delete', 'width'] as const);
    let edit: Edit;
    if (kind === 'width') {
      const at = text.indexOf('，', 5);
      if (at < 0) return;
      edit = { at, remove: 1, insert: ',' };
    } else {
      const at = 5 + Math.floor(random() * (text.length - 10));
      const size = 2 + Math.floor(random() * 3);
      edit =
        kind === 'insert'
          ? { at, remove: 0, insert: pick(INSERTS) }
          : kind === 'replace'
            ? { at, remove: Math.min(size, 2), insert: pick(INSERTS) }
            : { at, remove: Math.min(size, text.length - at - 1), insert: '' };
    }
    applyEdit(p, edit);
    edits.set(index, [edit]);
  });
  return { html: dom.serialize(), edits };
}

// --- annotations ---
interface Annotation {
  paragraph: number;
  /** Offsets in the paragraph's textContent (v1). */
  start: number;
  end: number;
  text: string;
}

function makeAnnotations(doc: Document, count: number): Annotation[] {
  const ps = paragraphs(doc);
  const weights = ps.map((p) => Math.max(0, (p.textContent ?? '').length - 8));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: Annotation[] = [];
  while (out.length < count) {
    let r = random() * total;
    let i = 0;
    while (r > weights[i]!) r -= weights[i++]!;
    const text = ps[i]!.textContent ?? '';
    const length = Math.min(text.length, 8 + Math.floor(random() * 33));
    const start = Math.floor(random() * (text.length - length + 1));
    out.push({ paragraph: i, start, end: start + length, text: text.slice(start, start + length) });
  }
  return out;
}

/** DOM point at a textContent offset of an element. */
function pointAt(el: Element, offset: number): { node: Node; offset: number } {
  const walker = el.ownerDocument.createTreeWalker(el, 4);
  let seen = 0;
  let last: Text | null = null;
  for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
    if (offset <= seen + node.data.length) return { node, offset: offset - seen };
    seen += node.data.length;
    last = node;
  }
  return { node: last ?? el, offset: last ? last.data.length : 0 };
}

function rangeOf(doc: Document, a: Annotation): Range {
  const p = paragraphs(doc)[a.paragraph]!;
  const start = pointAt(p, a.start);
  const end = pointAt(p, a.end);
  const range = doc.createRange();
  range.setStart(start.node, start.offset);
  range.setEnd(end.node, end.offset);
  return range;
}

/** textContent offset of a DOM point within an element, or null when the point is outside it. */
function offsetIn(el: Element, node: Node, offset: number): number | null {
  if (!el.contains(node)) return null;
  const walker = el.ownerDocument.createTreeWalker(el, 4);
  let seen = 0;
  for (let t = walker.nextNode() as Text | null; t; t = walker.nextNode() as Text | null) {
    if (t === node) return seen + offset;
    seen += t.data.length;
  }
  return node === el ? (offset === 0 ? 0 : seen) : seen;
}

type Verdict = 'right' | 'wrong' | 'orphan';

/** A range is right when it lies on the annotated words (at least half of them) in the right paragraph. */
function judge(doc: Document, range: Range | null, a: Annotation, edits: Edit[]): Verdict {
  if (!range) return 'orphan';
  const p = paragraphs(doc)[a.paragraph]!;
  const s = offsetIn(p, range.startContainer, range.startOffset);
  if (s === null) return 'wrong';
  const e = offsetIn(p, range.endContainer, range.endOffset) ?? (p.textContent ?? '').length;
  const wantStart = mapOffset(a.start, edits);
  const wantEnd = mapOffset(a.end, edits);
  const overlap = Math.min(e, wantEnd) - Math.max(s, wantStart);
  return overlap >= Math.max(1, (wantEnd - wantStart) / 2) ? 'right' : 'wrong';
}

// --- measurement helpers: wall time, and this process's CPU time (less disturbed by other work on the machine) ---
interface Span {
  wall: number;
  cpu: number;
}
const now = () => performance.now();
function start(): () => Span {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
  };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const fmtSpan = (s: Span) => `${fmt(s.wall)} ms (CPU ${fmt(s.cpu)} ms)`;
const medianSpan = (xs: Span[]): Span => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });

interface Tally {
  right: number;
  wrong: number;
  orphan: number;
}
const tally = (): Tally => ({ right: 0, wrong: 0, orphan: 0 });

async function main(): Promise<void> {
  const html = fs.readFileSync(PAGE, 'utf8');
  const edited = makeEditedCopy(html);
  const v1 = await load(html);
  const v2 = await load(edited.html);
  // the peers read Node and NodeFilter from the global scope (this library takes them from the root's window)
  (globalThis as Record<string, unknown>).NodeFilter = v1.window.NodeFilter;
  (globalThis as Record<string, unknown>).Node = v1.window.Node;
  (globalThis as Record<string, unknown>).Range = v1.window.Range;

  const annotations = makeAnnotations(v1.document, COUNT);
  const sample = annotations.slice(0, PEER_SAMPLE);
  const apacheSample = annotations.slice(0, APACHE_SAMPLE);
  console.log(
    `DOM: ${DOM_KIND}; page: ${path.basename(PAGE)}; annotations: ${COUNT}; ` +
      `dom-anchor-text-quote on the first ${sample.length}, @apache-annotator/dom on the first ${apacheSample.length}`,
  );
  console.log(`edited copy: ${edited.edits.size} of ${paragraphs(v1.document).length} paragraphs changed\n`);

  // 1. segmentation
  const segTimes: Span[] = [];
  let index!: PageIndex;
  for (let run = 0; run < RUNS; run++) {
    const stop = start();
    const fresh = new PageIndex(v1.document);
    segTimes.push(stop());
    if (run < RUNS - 1) fresh.dispose();
    else index = fresh;
  }
  const seg = medianSpan(segTimes);
  console.log(
    `segmentation (text model + body + ${index.clauses.length} clauses, ${index.text.unitCount} units): ` +
      `median ${fmtSpan(seg)}, min ${fmt(Math.min(...segTimes.map((x) => x.wall)))} ms over ${RUNS} runs`,
  );

  // 2. describe and exact anchoring, ours
  const ranges = annotations.map((a) => rangeOf(v1.document, a));
  let stop = start();
  const ours = ranges.map((r) => describeRange(index, r));
  const describeSpan = stop();
  const exactRuns: Span[] = [];
  const locateRuns: Span[] = [];
  const exactTally = tally();
  for (let run = 0; run < 5; run++) {
    stop = start();
    for (const s of ours) locate(index, s);
    locateRuns.push(stop());
    stop = start();
    const results = ours.map((s) => anchorSelectors(index, s));
    exactRuns.push(stop());
    if (run === 0) results.forEach((r, i) => exactTally[judge(v1.document, r.range, annotations[i]!, [])]++);
  }
  const exact = medianSpan(exactRuns);
  console.log(`describe ${COUNT}: ${fmtSpan(describeSpan)}`);
  console.log(
    `exact anchoring ${COUNT} (same page, shared index): median ${fmtSpan(exact)} incl. DOM Ranges ` +
      `(first run ${fmtSpan(exactRuns[0]!)}); locating only ${fmtSpan(medianSpan(locateRuns))}; ` +
      `right ${exactTally.right}, wrong ${exactTally.wrong}, orphan ${exactTally.orphan}`,
  );

  // 3. fuzzy anchoring on the edited copy, ours (index built inside the timing)
  stop = start();
  const index2 = new PageIndex(v2.document);
  const results2 = ours.map((s) => anchorSelectors(index2, s));
  const fuzzy = stop();
  const fuzzyTally = tally();
  const statuses: Record<string, number> = {};
  results2.forEach((r, i) => {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    fuzzyTally[judge(v2.document, r.range, annotations[i]!, edited.edits.get(annotations[i]!.paragraph) ?? [])]++;
  });
  const oursOn = (n: number) => {
    const t = tally();
    results2.slice(0, n).forEach((r, i) => t[judge(v2.document, r.range, annotations[i]!, edited.edits.get(annotations[i]!.paragraph) ?? [])]++);
    return t;
  };
  const oursDtqSample = oursOn(sample.length);
  const oursApacheSample = oursOn(apacheSample.length);
  console.log(
    `edited copy, ${COUNT} anchors incl. building its index: ${fmtSpan(fuzzy)}; ` +
      `${Object.entries(statuses).map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
      `right ${fuzzyTally.right}, wrong ${fuzzyTally.wrong}, orphan/ambiguous ${fuzzyTally.orphan}\n`,
  );

  // 4. peers, same quotes, same DOMs
  const root1 = v1.document.body;
  const root2 = v2.document.body;

  // dom-anchor-text-quote (with the position hint, as Hypothesis passes it)
  console.error('running dom-anchor-text-quote …');
  const dtqSelectors = sample.map((a, i) => ({
    quote: textQuote.fromRange(root1, ranges[i]!),
    hint: textPosition.fromRange(root1, ranges[i]!).start,
  }));
  stop = start();
  const dtqExact = dtqSelectors.map((s) => textQuote.toRange(root1, s.quote, { hint: s.hint }));
  const dtqExactSpan = stop();
  stop = start();
  const dtqFuzzy = dtqSelectors.map((s) => textQuote.toRange(root2, s.quote, { hint: s.hint }));
  const dtqFuzzySpan = stop();
  const dtqExactTally = tally();
  const dtqFuzzyTally = tally();
  sample.forEach((a, i) => {
    dtqExactTally[judge(v1.document, dtqExact[i] ?? null, a, [])]++;
    dtqFuzzyTally[judge(v2.document, dtqFuzzy[i] ?? null, a, edited.edits.get(a.paragraph) ?? [])]++;
  });

  // @apache-annotator/dom (exact quotes only; first match)
  // Its own describeTextQuote takes minutes per annotation here; it is given the same W3C selector (exact, 32
  // characters of prefix and suffix from the page text) that dom-anchor-text-quote produced.
  console.error('running @apache-annotator/dom …');
  const apacheSelectors = dtqSelectors.slice(0, apacheSample.length).map((s) => ({ type: 'TextQuoteSelector' as const, ...s.quote }));
  const firstMatch = async (selector: (typeof apacheSelectors)[number], root: Element): Promise<Range | null> => {
    for await (const match of createTextQuoteSelectorMatcher(selector)(root)) return match as Range;
    return null;
  };
  stop = start();
  const apacheExact: (Range | null)[] = [];
  for (const s of apacheSelectors) apacheExact.push(await firstMatch(s, root1));
  const apacheExactSpan = stop();
  stop = start();
  const apacheFuzzy: (Range | null)[] = [];
  for (const s of apacheSelectors) apacheFuzzy.push(await firstMatch(s, root2));
  const apacheFuzzySpan = stop();
  const apacheExactTally = tally();
  const apacheFuzzyTally = tally();
  apacheSample.forEach((a, i) => {
    apacheExactTally[judge(v1.document, apacheExact[i] ?? null, a, [])]++;
    apacheFuzzyTally[judge(v2.document, apacheFuzzy[i] ?? null, a, edited.edits.get(a.paragraph) ?? [])]++;
  });

  // 5. report (per annotation; ratios on CPU time, which other work on the machine disturbs least)
  const per = (x: Span, n: number): Span => ({ wall: x.wall / n, cpu: x.cpu / n });
  const oursExact = per(exact, COUNT);
  const oursFuzzy = per(fuzzy, COUNT);
  const rows: [string, Span | null, Span | null, Tally, string][] = [
    ['pizhu (this library)', oursExact, oursFuzzy, fuzzyTally, `all ${COUNT}`],
    ['  same annotations as dom-anchor-text-quote', null, null, oursDtqSample, `first ${sample.length}`],
    ['  same annotations as @apache-annotator/dom', null, null, oursApacheSample, `first ${apacheSample.length}`],
    ['dom-anchor-text-quote', per(dtqExactSpan, sample.length), per(dtqFuzzySpan, sample.length), dtqFuzzyTally, `first ${sample.length}`],
    ['@apache-annotator/dom', per(apacheExactSpan, apacheSample.length), per(apacheFuzzySpan, apacheSample.length), apacheFuzzyTally, `first ${apacheSample.length}`],
  ];
  console.log(
    `\n${'per annotation (ms: wall / CPU)'.padEnd(44)} ${'exact page'.padStart(17)} ${'ratio'.padStart(9)} | ${'edited copy'.padStart(17)} ${'ratio'.padStart(9)} | edited copy: right / wrong / orphan`,
  );
  const cell = (v: Span | null, base: Span) =>
    v === null
      ? `${''.padStart(17)} ${''.padStart(9)}`
      : `${`${fmt(v.wall)} / ${fmt(v.cpu)}`.padStart(17)} ${`${(v.cpu / base.cpu).toFixed(1)}x`.padStart(9)}`;
  for (const [name, ex, fz, t, on] of rows) {
    console.log(`${name.padEnd(44)} ${cell(ex, oursExact)} | ${cell(fz, oursFuzzy)} | ${t.right} / ${t.wrong} / ${t.orphan} (${on})`);
  }
  console.log(
    `\nexact-page check (same page): pizhu wrong ${exactTally.wrong}, orphan ${exactTally.orphan}; ` +
      `dom-anchor-text-quote wrong ${dtqExactTally.wrong}, orphan ${dtqExactTally.orphan}; ` +
      `apache wrong ${apacheExactTally.wrong}, orphan ${apacheExactTally.orphan}`,
  );
  const peers = rows.filter((r) => !r[0].startsWith(' ') && r[1] !== null).slice(1);
  const tenfold = peers.every((r) => r[1]!.cpu / oursExact.cpu >= 10 && r[2]!.cpu / oursFuzzy.cpu >= 10);
  console.log(
    `targets (median; wall / CPU): segmentation < 50 ms: ${fmt(seg.wall)} / ${fmt(seg.cpu)} ms; ` +
      `1,000 exact anchors < 100 ms: ${fmt(oursExact.wall * 1000)} / ${fmt(oursExact.cpu * 1000)} ms; ` +
      `>= 10x faster per annotation than both peers (exact and edited, CPU): ${tenfold ? 'yes' : 'NO'}`,
  );
  console.log(`load average during the run: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores)`);
  await v1.close();
  await v2.close();
}

await main();
