/**
 * Comparison benchmark (`npm run bench:compare`; not a test): the longest corpus page (07, about 105,000
 * characters, 1,408 clauses) against an edited copy, in Node with jsdom.
 *
 * The edited copy, made deterministically on the DOM: 40 clauses edited in place (2–4 characters inserted,
 * replaced or deleted), 20 with full-width commas turned half-width (unchanged after normalisation), 12 clauses
 * deleted, 12 new articles inserted ("第X条之一"), 6 pairs of neighbouring articles swapped, and 5 item lists
 * given a new first item (so every later item of the list is renumbered). The truth comes from the markup, not
 * from any comparison: every paragraph of the original carries a data attribute, so each clause of the copy is
 * known to be a given clause of the original, or new.
 *
 * Measured (median of --runs, default 15, after a warm-up; the machine's load average is printed):
 *   - segmentation of each page (anchoring's page index, jsdom), reported apart;
 *   - compareClauses on the two segmented pages (what the comparison page does), and compareSnapshots on
 *     stored snapshots; target under 300 ms;
 *   - peers for the diff part, in the same run: `diff`'s diffChars and diff-match-patch on the whole text (the
 *     clauses' own texts joined), timed, and the clause pairing that follows from their diff (an old clause goes
 *     with the new clause receiving most of its kept characters, if at least half) scored against the truth.
 * Then the same pairing scores on the real revisions of test/fixtures/compare (articles reordered, merged,
 * rewritten), against their hand-written alignments: a pair outside the expected and acceptable ones is wrong.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffChars } from 'diff';
import DiffMatchPatch from 'diff-match-patch';
import { JSDOM } from 'jsdom';
import { clauseRange, createPageIndex, forgetPageIndex, segmentClauses } from '../../shared/anchoring/index.ts';
import {
  type ClauseChange,
  compareClauses,
  compareSnapshots,
  parseSnapshot,
  readClauses,
  snapshotBytes,
  snapshotOf,
} from '../../shared/compare/index.ts';
import { median } from '../stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const PAGE = path.resolve(here, '../../test/fixtures/corpus/pages/07-spp-criminal-procedure-rules-2019.html');
const REVISIONS = path.resolve(here, '../../test/fixtures/compare');
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 15;

let seed = 11;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const ARTICLE = /^第[一二三四五六七八九十百零]+条/;
const ITEM = /^（([一二三四五六七八九十]+)）/;
const CN = '一二三四五六七八九十';
/** A paragraph starting an article, a chapter or a section (what ends an article's block). */
const NEXT_ARTICLE = /^第[一二三四五六七八九十百零]+[条章节编]/;

/** Marks every paragraph of the original (data-p), then edits a copy; returns both pages' HTML. */
function makeEditedCopy(html: string): { original: string; edited: string; counts: Record<string, number> } {
  const dom = new JSDOM(html);
  const doc = dom.window.document;
  const ps = Array.from(doc.querySelectorAll('#fontzoom p')) as HTMLElement[];
  ps.forEach((p, k) => {
    p.setAttribute('data-p', String(k));
  });
  const original = dom.serialize();
  const text = (p: HTMLElement) => (p.textContent ?? '').trim();
  const used = new Set<HTMLElement>();
  const counts = { edited: 0, widthOnly: 0, deleted: 0, inserted: 0, swapped: 0, renumberedLists: 0 };
  const articles = ps.filter((p) => ARTICLE.test(text(p)) && text(p).length > 40);
  const free = (p: HTMLElement | null | undefined): p is HTMLElement => !!p && !used.has(p);

  // lists whose first item gets a new item before it: the rest of the list is renumbered
  for (const p of ps) {
    if (counts.renumberedLists >= 5) break;
    if (!free(p) || ITEM.exec(text(p))?.[1] !== '一') continue;
    const list: HTMLElement[] = [];
    for (let q: Element | null = p; q && ITEM.test(text(q as HTMLElement)); q = q.nextElementSibling) {
      list.push(q as HTMLElement);
    }
    if (list.length < 3 || list.length > 9 || list.some((q) => !free(q))) continue;
    for (const [k, q] of list.entries()) {
      q.innerHTML = q.innerHTML.replace(/（[一二三四五六七八九十]+）/, `（${CN[k + 1]}）`);
      used.add(q);
    }
    const added = doc.createElement('p');
    added.textContent = '（一）依照本规则新增的一项情形，由人民检察院依法审查决定；';
    p.before(added);
    used.add(added);
    counts.renumberedLists++;
  }
  // neighbouring articles swapped (each with its unnumbered paragraphs)
  for (let k = 0; k + 1 < articles.length && counts.swapped < 6; k += 61) {
    const first = blockOf(articles[k]!, text);
    const second = blockOf(articles[k + 1]!, text);
    if ([...first, ...second].some((q) => !free(q)) || first[first.length - 1]!.nextElementSibling !== second[0])
      continue;
    second[second.length - 1]!.after(...first);
    for (const q of [...first, ...second]) used.add(q);
    counts.swapped++;
  }
  // edits in place, width-only changes, deletions, insertions
  for (const p of articles) {
    if (!free(p)) continue;
    const r = random();
    if (r < 0.08 && counts.edited < 40) {
      editText(p, pick(['切实', '及时', '依法', '']), 2 + Math.floor(random() * 3));
      counts.edited++;
    } else if (r < 0.12 && counts.widthOnly < 20 && text(p).includes('，')) {
      p.innerHTML = p.innerHTML.replace(/，/g, ',');
      counts.widthOnly++;
    } else if (r < 0.14 && counts.deleted < 12) {
      // a whole article: its paragraph and the unnumbered paragraphs after it
      const block = blockOf(p, text);
      if (block.some((q) => !free(q))) continue;
      for (const q of block) q.remove();
      counts.deleted++;
    } else if (r < 0.16 && counts.inserted < 12) {
      const block = blockOf(p, text);
      const label = ARTICLE.exec(text(p))![0];
      const added = doc.createElement('p');
      added.textContent = `${label}之一　人民检察院办理本节规定的案件，应当另行制作笔录第${counts.inserted + 1}号，并及时归档。`;
      block[block.length - 1]!.after(added);
      counts.inserted++;
    } else continue;
    used.add(p);
  }
  return { original, edited: dom.serialize(), counts };
}

/** An article's paragraph and the paragraphs after it up to the next article (its items included). */
function blockOf(p: HTMLElement, text: (p: HTMLElement) => string): HTMLElement[] {
  const block = [p];
  for (
    let q = p.nextElementSibling as HTMLElement | null;
    q && !NEXT_ARTICLE.test(text(q));
    q = q.nextElementSibling as HTMLElement | null
  )
    block.push(q);
  return block;
}

/** Replaces (or deletes) `remove` characters in the middle of the paragraph's longest text node. */
function editText(p: HTMLElement, insert: string, remove: number): void {
  const walker = p.ownerDocument.createTreeWalker(p, 4);
  let longest: Text | null = null;
  for (let n = walker.nextNode() as Text | null; n; n = walker.nextNode() as Text | null)
    if (!longest || n.data.length > longest.data.length) longest = n;
  if (!longest) return;
  const at = Math.floor(longest.data.length / 2);
  longest.data = longest.data.slice(0, at) + insert + longest.data.slice(at + remove);
}

/** Each clause's identity: the original paragraph it starts in and its rank among the clauses starting there. */
function identities(doc: Document): (string | null)[] {
  const seen = new Map<string, number>();
  return segmentClauses(doc).map((clause) => {
    const range = clauseRange(doc, clause);
    let node: Node | null = range?.startContainer ?? null;
    while (node && !(node.nodeType === 1 && (node as Element).hasAttribute('data-p'))) node = node.parentNode;
    if (!node) return null;
    const p = (node as Element).getAttribute('data-p')!;
    const rank = seen.get(p) ?? 0;
    seen.set(p, rank + 1);
    return `${p}#${rank}`;
  });
}

type Pairs = Map<number, number>;

/** Truth: old clause index → new clause index, for clauses of the original kept in the copy. */
function truthOf(before: Document, after: Document): Pairs {
  const newIndex = new Map<string, number>();
  identities(after).forEach((id, j) => {
    if (id) newIndex.set(id, j);
  });
  const truth: Pairs = new Map();
  identities(before).forEach((id, i) => {
    const j = id ? newIndex.get(id) : undefined;
    if (j !== undefined) truth.set(i, j);
  });
  return truth;
}

/** Scores of the pairing a diff implies, with the half-kept rule and the looser any-share rule. */
function scores(parts: Part[], before: { text: string; starts: number[] }, after: typeof before, truth: Pairs): string {
  const [half, any] = [0.5, 0].map((share) => score(pairingFromDiff(parts, before, after, share), truth));
  return `${half!.right} / ${half!.wrong} / ${half!.missed} (at least half kept), ${any!.right} / ${any!.wrong} / ${any!.missed} (any share)`;
}

function score(found: Pairs, truth: Pairs): { right: number; wrong: number; missed: number } {
  let right = 0;
  let wrong = 0;
  for (const [i, j] of found) {
    if (truth.get(i) === j) right++;
    else wrong++;
  }
  return { right, wrong, missed: truth.size - right };
}

function pairsOf(changes: ClauseChange[]): Pairs {
  return new Map(changes.filter((c) => c.before && c.after).map((c) => [c.before!.index, c.after!.index]));
}

/** The clauses' own texts joined (one line each), and where each clause starts in it. */
function wholeText(doc: Document): { text: string; starts: number[] } {
  const starts: number[] = [];
  let text = '';
  for (const clause of readClauses(doc)) {
    starts.push(text.length);
    text += `${clause.text}\n`;
  }
  return { text, starts };
}

/**
 * The clause pairing a whole-text diff implies: each kept character maps an old position to a new one; an old
 * clause pairs with the new clause holding most of its kept characters, if that is at least half of it.
 */
function pairingFromDiff(
  parts: Part[],
  before: { text: string; starts: number[] },
  after: { text: string; starts: number[] },
  share = 0.5,
): Pairs {
  const clauseAt = (starts: number[], pos: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const votes = new Map<number, Map<number, number>>();
  let o = 0;
  let n = 0;
  for (const part of parts) {
    if (part.kind === 'equal') {
      for (let k = 0; k < part.length; k++) {
        const i = clauseAt(before.starts, o + k);
        const j = clauseAt(after.starts, n + k);
        const tally = votes.get(i) ?? new Map<number, number>();
        tally.set(j, (tally.get(j) ?? 0) + 1);
        votes.set(i, tally);
      }
    }
    if (part.kind !== 'insert') o += part.length;
    if (part.kind !== 'delete') n += part.length;
  }
  const pairs: Pairs = new Map();
  for (const [i, tally] of votes) {
    const length = (before.starts[i + 1] ?? before.text.length) - before.starts[i]!;
    const [j, kept] = [...tally].sort((x, y) => y[1] - x[1])[0]!;
    if (kept >= share * length) pairs.set(i, j);
  }
  return pairs;
}

/** Median wall and CPU time (this process: user + system) of `runs` runs after a first, cold one. */
function time<T>(work: () => T, runs = RUNS): { result: T; wall: number; cpu: number; cold: number } {
  let start = performance.now();
  let result = work();
  const cold = performance.now() - start;
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let k = 0; k < runs; k++) {
    const cpu = process.cpuUsage();
    start = performance.now();
    result = work();
    walls.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  return { result, wall: median(walls), cpu: median(cpus), cold };
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
const times = (t: { wall: number; cpu: number; cold: number }) =>
  `median wall ${ms(t.wall)} (cpu ${ms(t.cpu)}), first ${ms(t.cold)}`;

type Part = { kind: 'equal' | 'insert' | 'delete'; length: number };

function jsdiffParts(before: string, after: string): Part[] {
  return diffChars(before, after).map((c) => ({
    kind: c.added ? 'insert' : c.removed ? 'delete' : 'equal',
    length: c.value.length,
  }));
}

const dmp = new DiffMatchPatch();
function dmpParts(before: string, after: string): Part[] {
  return dmp.diff_main(before, after).map(([op, text]) => ({
    kind: op === 1 ? 'insert' : op === -1 ? 'delete' : 'equal',
    length: text.length,
  }));
}

/** Pair scores on the real revisions: right (expected pairs), wrong (neither expected nor acceptable), missed. */
function revisions(): void {
  console.log('real revisions (test/fixtures/compare), pairs right / wrong / missed of the expected:');
  for (const name of ['holidays', 'state-council-organic-law', 'beijing-audit-regulations']) {
    const alignment = JSON.parse(fs.readFileSync(path.join(REVISIONS, `${name}.alignment.json`), 'utf8')) as {
      before: string;
      after: string;
      pairs: [string, string][];
      acceptable: [string, string][];
    };
    const load = (file: string) => new JSDOM(fs.readFileSync(path.join(REVISIONS, file), 'utf8')).window.document;
    const [before, after] = [load(alignment.before), load(alignment.after)];
    const oldPaths = segmentClauses(before).map((c) => c.path.join('/'));
    const newPaths = segmentClauses(after).map((c) => c.path.join('/'));
    const expected = new Set(alignment.pairs.map((p) => p.join('|')));
    const acceptable = new Set(alignment.acceptable.map((p) => p.join('|')));
    const scoreOf = (pairs: Pairs) => {
      const keys = [...pairs].map(([i, j]) => `${oldPaths[i]}|${newPaths[j]}`);
      const right = keys.filter((k) => expected.has(k)).length;
      const wrong = keys.filter((k) => !expected.has(k) && !acceptable.has(k)).length;
      return `${right} / ${wrong} / ${expected.size - right}`;
    };
    const [oldText, newText] = [wholeText(before), wholeText(after)];
    console.log(
      `  ${name} (${expected.size} expected pairs): Pizhu ${scoreOf(pairsOf(compareClauses(before, after)))}; ` +
        (
          [
            ['diffChars', jsdiffParts(oldText.text, newText.text)],
            ['diff-match-patch', dmpParts(oldText.text, newText.text)],
          ] as const
        )
          .map(
            ([peer, parts]) =>
              `${peer} ${[0.5, 0].map((share) => scoreOf(pairingFromDiff(parts, oldText, newText, share))).join(' (half), ')} (any)`,
          )
          .join('; '),
    );
  }
}

function main(): void {
  console.log(
    `load average before the run: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')}; ${RUNS} runs`,
  );
  const { original, edited, counts } = makeEditedCopy(fs.readFileSync(PAGE, 'utf8'));
  const before = new JSDOM(original).window.document;
  const after = new JSDOM(edited).window.document;
  console.log('edited copy:', JSON.stringify(counts));

  const segment = time(() => {
    forgetPageIndex(before);
    forgetPageIndex(after);
    return [createPageIndex(before).clauses.length, createPageIndex(after).clauses.length];
  });
  console.log(`segmentation (jsdom, both pages): ${times(segment)}; clauses ${segment.result.join(' → ')}`);
  const truth = truthOf(before, after);

  const ours = time(() => compareClauses(before, after));
  const changes = ours.result;
  const statuses: Record<string, number> = {};
  for (const c of changes) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
  const ourPairs = pairsOf(changes);
  const ourScore = score(ourPairs, truth);
  for (const [i, j] of ourPairs) if (truth.get(i) !== j) console.log(`  wrong pair: old clause ${i} → new ${j}`);
  console.log(
    `compareClauses: ${times(ours)}; ${JSON.stringify(statuses)}; pairs right ${ourScore.right}, wrong ${ourScore.wrong}, missed ${ourScore.missed} of ${truth.size}`,
  );

  const snapshots = time(() => [snapshotOf(before), snapshotOf(after)] as const);
  const stored = snapshots.result.map((s) => JSON.stringify(s));
  const parsed = time(() => stored.map((s) => parseSnapshot(JSON.parse(s))));
  const fromSnapshots = time(() => compareSnapshots(parsed.result[0]!, parsed.result[1]!));
  console.log(
    `snapshots: ${Math.round(snapshotBytes(snapshots.result[0]) / 1024)} KB as JSON; snapshotOf x2 ${times(snapshots)}; parseSnapshot x2 (with hash checks) ${times(parsed)}; compareSnapshots ${times(fromSnapshots)}`,
  );

  const oldText = wholeText(before);
  const newText = wholeText(after);
  const jsdiff = time(() => jsdiffParts(oldText.text, newText.text), Math.min(RUNS, 5));
  const jsdiffScore = scores(jsdiff.result, oldText, newText, truth);
  const dmpRun = time(() => dmpParts(oldText.text, newText.text), Math.min(RUNS, 5));
  const dmpScore = scores(dmpRun.result, oldText, newText, truth);
  console.log(`whole text: ${oldText.text.length} → ${newText.text.length} characters`);
  for (const [name, run, s] of [
    ['diff (jsdiff) diffChars', jsdiff, jsdiffScore],
    ['diff-match-patch diff_main', dmpRun, dmpScore],
  ] as const) {
    console.log(`${name}: ${times(run)}; pairs right / wrong / missed: ${s}`);
  }
  revisions();
}

main();
