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
 * Options: --dom jsdom|happy-dom (default jsdom), --browser (run everything in headless Chromium instead),
 * --annotations N (default 1000), --peer-sample N (annotations given to dom-anchor-text-quote; default 100 in
 * Node, 1000 in Chromium), --apache-sample N (given to @apache-annotator/dom; default 2 in Node, 200 in
 * Chromium), --runs N (segmentation repetitions, default 15; the first, cold one is reported apart). In Node the peers run on samples (the first N
 * annotations): both read the whole page text per annotation, and Apache Annotator's text walker compares every
 * text node with its scope Range, which jsdom does by walking the document (quadratic: tens of seconds per
 * annotation here). Per-annotation times are compared; correctness counts are given for the same samples.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { JSDOM } from 'jsdom';
import { type Edit, measure, type Span } from './measure.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const PAGE = path.resolve(here, '../../test/fixtures/corpus/pages/07-spp-criminal-procedure-rules-2019.html');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const DOM_KIND = option('dom', 'jsdom') as 'jsdom' | 'happy-dom';
const BROWSER = process.argv.includes('--browser');
const OPTIONS = {
  count: parseInt(option('annotations', '1000'), 10),
  peerSample: parseInt(option('peer-sample', BROWSER ? '1000' : '100'), 10),
  apacheSample: parseInt(option('apache-sample', BROWSER ? '200' : '2'), 10),
  runs: parseInt(option('runs', '15'), 10),
  seed: 20240229,
};

// --- deterministic randomness for the edited copy ---
let seed = 7;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

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

// --- Node DOMs ---
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

/** Wall time and this process's CPU time (less disturbed by other work on the machine). */
function clock(): () => Span {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
  };
}

async function main(): Promise<void> {
  const html = fs.readFileSync(PAGE, 'utf8');
  const edited = makeEditedCopy(html);
  const editList = [...edited.edits];
  console.log(
    `page: ${path.basename(PAGE)}; load average before the run: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (2 cores)`,
  );
  if (BROWSER) {
    const { runInChromium } = await import('./browser.ts');
    console.log('DOM: Chromium (headless, playwright-core); times are wall times in the page\n');
    await runInChromium(html, edited.html, editList, OPTIONS);
  } else {
    const v1 = await load(html);
    const v2 = await load(edited.html);
    // the peers read Node, NodeFilter and Range from the global scope (this library takes them from the root's window)
    (globalThis as Record<string, unknown>).NodeFilter = v1.window.NodeFilter;
    (globalThis as Record<string, unknown>).Node = v1.window.Node;
    (globalThis as Record<string, unknown>).Range = v1.window.Range;
    console.log(`DOM: ${DOM_KIND} in Node ${process.version}\n`);
    if (DOM_KIND === 'happy-dom' && OPTIONS.apacheSample > 0) {
      // its text walker reads NodeIterator.referenceNode, which happy-dom does not implement
      console.log('@apache-annotator/dom cannot run on happy-dom (no NodeIterator.referenceNode): skipped\n');
      OPTIONS.apacheSample = 0;
    }
    await measure(v1.document, v2.document, editList, OPTIONS, clock, {
      log: (line) => console.log(line),
      progress: (line) => console.error(line),
    });
    await v1.close();
    await v2.close();
  }
  console.log(
    `load average after the run: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (2 cores)`,
  );
}

await main();
