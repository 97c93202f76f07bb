/**
 * The benchmark itself, on any DOM: given the page and its edited copy as Documents, the known edits, and a
 * clock, it runs this library and the two peers on the same annotations and reports times and correctness.
 * Used by run.ts in Node (jsdom or happy-dom) and, bundled, inside Chromium (--browser).
 */
import { createTextQuoteSelectorMatcher } from '@apache-annotator/dom';
import * as textPosition from 'dom-anchor-text-position';
import * as textQuote from 'dom-anchor-text-quote';
import { anchorSelectors, locate } from '../../shared/anchoring/anchor.ts';
import { describeRange } from '../../shared/anchoring/describe.ts';
import { PageIndex } from '../../shared/anchoring/page-index.ts';
import { median } from '../stats.ts';

export interface Edit {
  at: number;
  remove: number;
  insert: string;
}

export interface Options {
  count: number;
  peerSample: number;
  apacheSample: number;
  runs: number;
  seed: number;
}

/** Wall time and, where the platform reports it, this process's CPU time (ms). */
export interface Span {
  wall: number;
  cpu: number;
}
export type Clock = () => () => Span;

export interface Output {
  log: (line: string) => void;
  progress: (line: string) => void;
}

export interface Summary {
  segmentation: Span;
  exactPerThousand: Span;
  fuzzyPerThousand: Span;
  ratios: { name: string; exact: number; edited: number; wrong: number; orphan: number; sample: number }[];
  oursWrong: number;
  oursOrphan: number;
}

let seed = 1;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

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

function mapOffset(x: number, edits: Edit[]): number {
  let shift = 0;
  for (const e of edits) {
    if (x >= e.at + e.remove) shift += e.insert.length - e.remove;
    else if (x > e.at) return e.at + shift + Math.min(x - e.at, e.insert.length);
  }
  return x + shift;
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

// --- measurement helpers ---
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const fmtSpan = (s: Span) => `${fmt(s.wall)} ms (CPU ${fmt(s.cpu)} ms)`;
const medianSpan = (xs: Span[]): Span => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });

interface Tally {
  right: number;
  wrong: number;
  orphan: number;
}
const tally = (): Tally => ({ right: 0, wrong: 0, orphan: 0 });

export async function measure(
  v1: Document,
  v2: Document,
  editList: [number, Edit[]][],
  options: Options,
  start: Clock,
  { log, progress }: Output,
): Promise<Summary> {
  seed = options.seed;
  const COUNT = options.count;
  const RUNS = options.runs;
  const edited = { edits: new Map(editList) };
  const annotations = makeAnnotations(v1, COUNT);
  const sample = annotations.slice(0, Math.min(COUNT, options.peerSample));
  const apacheSample = annotations.slice(0, Math.min(sample.length, options.apacheSample));
  log(
    `annotations: ${COUNT}; dom-anchor-text-quote on the first ${sample.length}, @apache-annotator/dom on the first ${apacheSample.length}`,
  );
  log(`edited copy: ${edited.edits.size} of ${paragraphs(v1).length} paragraphs changed\n`);

  // 1. segmentation
  const segTimes: Span[] = [];
  let index!: PageIndex;
  for (let run = 0; run < RUNS; run++) {
    const stop = start();
    const fresh = new PageIndex(v1);
    segTimes.push(stop());
    if (run < RUNS - 1) fresh.dispose();
    else index = fresh;
  }
  // the first run pays for compiling the code (cold); the target is about the steady state
  const warm = segTimes.length > 1 ? segTimes.slice(1) : segTimes;
  const seg = medianSpan(warm);
  log(
    `segmentation (text model + body + ${index.clauses.length} clauses, ${index.text.unitCount} units): ` +
      `first (cold) run ${fmtSpan(segTimes[0]!)}; then median ${fmtSpan(seg)}, ` +
      `min ${fmt(Math.min(...warm.map((x) => x.wall)))} ms over ${warm.length} runs`,
  );

  // 2. describe and exact anchoring, ours
  const ranges = annotations.map((a) => rangeOf(v1, a));
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
    if (run === 0) {
      results.forEach((r, i) => {
        const verdict = judge(v1, r.range, annotations[i]!, []);
        exactTally[verdict]++;
        if (verdict !== 'right')
          progress(`same page, not anchored: "${annotations[i]!.text}" → ${r.status} (${r.reason ?? ''})`);
      });
    }
  }
  const exact = medianSpan(exactRuns);
  log(`describe ${COUNT}: ${fmtSpan(describeSpan)}`);
  log(
    `exact anchoring ${COUNT} (same page, shared index): median ${fmtSpan(exact)} incl. DOM Ranges ` +
      `(first run ${fmtSpan(exactRuns[0]!)}); locating only ${fmtSpan(medianSpan(locateRuns))}; ` +
      `right ${exactTally.right}, wrong ${exactTally.wrong}, orphan ${exactTally.orphan}`,
  );

  // 3. fuzzy anchoring on the edited copy, ours (index built inside the timing)
  stop = start();
  const index2 = new PageIndex(v2);
  const results2 = ours.map((s) => anchorSelectors(index2, s));
  const fuzzy = stop();
  const fuzzyTally = tally();
  const statuses: Record<string, number> = {};
  results2.forEach((r, i) => {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const a = annotations[i]!;
    const verdict = judge(v2, r.range, a, edited.edits.get(a.paragraph) ?? []);
    fuzzyTally[verdict]++;
    if (verdict !== 'right')
      progress(
        `edited copy, ${verdict}: "${a.text}" → ${r.status} (${r.reason ?? ''}); edits ${JSON.stringify(edited.edits.get(a.paragraph) ?? [])} at ${a.start}-${a.end}`,
      );
  });
  const oursOn = (n: number) => {
    const t = tally();
    results2.slice(0, n).forEach((r, i) => {
      t[judge(v2, r.range, annotations[i]!, edited.edits.get(annotations[i]!.paragraph) ?? [])]++;
    });
    return t;
  };
  const oursDtqSample = oursOn(sample.length);
  const oursApacheSample = oursOn(apacheSample.length);
  log(
    `edited copy, ${COUNT} anchors incl. building its index: ${fmtSpan(fuzzy)}; ` +
      `${Object.entries(statuses)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ` +
      `right ${fuzzyTally.right}, wrong ${fuzzyTally.wrong}, orphan/ambiguous ${fuzzyTally.orphan}\n`,
  );

  // 4. peers, same quotes, same DOMs
  // A peer resolves its sample on the page it was described on, then on the edited copy: each pass timed whole
  // (one await per pass, none per quote, so a synchronous peer is timed as it runs) and its outcomes tallied.
  const peerRuns = async (
    peerSample: Annotation[],
    resolveAll: (root: Element) => (Range | null)[] | Promise<(Range | null)[]>,
  ) => {
    const pass = async (doc: Document, editsOf: (a: Annotation) => Edit[]) => {
      const stop = start();
      const found = await resolveAll(doc.body);
      const span = stop();
      const outcome = tally();
      peerSample.forEach((a, i) => {
        outcome[judge(doc, found[i] ?? null, a, editsOf(a))]++;
      });
      return { span, tally: outcome };
    };
    const exact = await pass(v1, () => []);
    const fuzzy = await pass(v2, (a) => edited.edits.get(a.paragraph) ?? []);
    return { exact, fuzzy };
  };
  const root1 = v1.body;

  // dom-anchor-text-quote (with the position hint, as Hypothesis passes it)
  progress('running dom-anchor-text-quote …');
  const dtqSelectors = sample.map((_a, i) => ({
    quote: textQuote.fromRange(root1, ranges[i]!),
    hint: textPosition.fromRange(root1, ranges[i]!).start,
  }));
  const dtq = await peerRuns(sample, (root) =>
    dtqSelectors.map((s) => textQuote.toRange(root, s.quote, { hint: s.hint })),
  );

  // @apache-annotator/dom (exact quotes only; first match)
  // Its own describeTextQuote takes minutes per annotation here; it is given the same W3C selector (exact, 32
  // characters of prefix and suffix from the page text) that dom-anchor-text-quote produced.
  progress('running @apache-annotator/dom …');
  const apacheSelectors = dtqSelectors
    .slice(0, apacheSample.length)
    .map((s) => ({ type: 'TextQuoteSelector' as const, ...s.quote }));
  const firstMatch = async (selector: (typeof apacheSelectors)[number], root: Element): Promise<Range | null> => {
    for await (const match of createTextQuoteSelectorMatcher(selector)(root)) return match as Range;
    return null;
  };
  const apache = await peerRuns(apacheSample, async (root) => {
    const found: (Range | null)[] = [];
    for (const s of apacheSelectors) found.push(await firstMatch(s, root));
    return found;
  });

  // 5. report (per annotation; ratios on CPU time, which other work on the machine disturbs least)
  const per = (x: Span, n: number): Span | null => (n > 0 ? { wall: x.wall / n, cpu: x.cpu / n } : null);
  const oursExact = per(exact, COUNT)!;
  const oursFuzzy = per(fuzzy, COUNT)!;
  const rows: [string, Span | null, Span | null, Tally, string][] = [
    ['pizhu (this library)', oursExact, oursFuzzy, fuzzyTally, `all ${COUNT}`],
    ['  same annotations as dom-anchor-text-quote', null, null, oursDtqSample, `first ${sample.length}`],
    ['  same annotations as @apache-annotator/dom', null, null, oursApacheSample, `first ${apacheSample.length}`],
    [
      'dom-anchor-text-quote',
      per(dtq.exact.span, sample.length),
      per(dtq.fuzzy.span, sample.length),
      dtq.fuzzy.tally,
      `first ${sample.length}`,
    ],
    [
      '@apache-annotator/dom',
      per(apache.exact.span, apacheSample.length),
      per(apache.fuzzy.span, apacheSample.length),
      apache.fuzzy.tally,
      `first ${apacheSample.length}`,
    ],
  ];
  log(
    `\n${'per annotation (ms: wall / CPU)'.padEnd(44)} ${'exact page'.padStart(17)} ${'ratio'.padStart(9)} | ${'edited copy'.padStart(17)} ${'ratio'.padStart(9)} | edited copy: right / wrong / orphan`,
  );
  const cell = (v: Span | null, base: Span) =>
    v === null
      ? `${''.padStart(17)} ${''.padStart(9)}`
      : `${`${fmt(v.wall)} / ${fmt(v.cpu)}`.padStart(17)} ${`${(v.cpu / base.cpu).toFixed(1)}x`.padStart(9)}`;
  for (const [name, ex, fz, t, on] of rows) {
    log(
      `${name.padEnd(44)} ${cell(ex, oursExact)} | ${cell(fz, oursFuzzy)} | ${t.right} / ${t.wrong} / ${t.orphan} (${on})`,
    );
  }
  log(
    `\nexact-page check (same page): pizhu wrong ${exactTally.wrong}, orphan ${exactTally.orphan}; ` +
      `dom-anchor-text-quote wrong ${dtq.exact.tally.wrong}, orphan ${dtq.exact.tally.orphan}; ` +
      `apache wrong ${apache.exact.tally.wrong}, orphan ${apache.exact.tally.orphan}`,
  );
  const peers = rows.filter(
    (r) => !r[0].startsWith(' ') && !r[0].startsWith('pizhu') && r[1] !== null && r[2] !== null,
  );
  const tenfold = peers.every((r) => r[1]!.cpu / oursExact.cpu >= 10 && r[2]!.cpu / oursFuzzy.cpu >= 10);
  log(
    `targets (median; wall / CPU): segmentation < 50 ms: ${fmt(seg.wall)} / ${fmt(seg.cpu)} ms; ` +
      `1,000 exact anchors < 100 ms: ${fmt(oursExact.wall * 1000)} / ${fmt(oursExact.cpu * 1000)} ms; ` +
      `>= 10x faster per annotation than both peers (exact and edited, CPU): ${tenfold ? 'yes' : 'NO'}`,
  );
  return {
    segmentation: seg,
    exactPerThousand: { wall: oursExact.wall * 1000, cpu: oursExact.cpu * 1000 },
    fuzzyPerThousand: { wall: oursFuzzy.wall * 1000, cpu: oursFuzzy.cpu * 1000 },
    ratios: peers.map((r) => ({
      name: r[0],
      exact: r[1]!.cpu / oursExact.cpu,
      edited: r[2]!.cpu / oursFuzzy.cpu,
      wrong: r[3].wrong,
      orphan: r[3].orphan,
      sample: r[0].startsWith('dom-anchor') ? sample.length : apacheSample.length,
    })),
    oursWrong: fuzzyTally.wrong,
    oursOrphan: fuzzyTally.orphan,
  };
}
