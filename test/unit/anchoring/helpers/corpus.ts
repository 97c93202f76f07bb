/**
 * Loading corpus fixtures (copied into test/fixtures/corpus) into a DOM for Node: happy-dom or jsdom.
 * Pages whose body is built by script (06) are loaded with scripts on and awaited; everything else is parsed with
 * scripts off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { JSDOM } from 'jsdom';
import type { Clause } from '../../../../shared/anchoring/index.ts';

export const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/corpus');

export interface Expected {
  level: number;
  label: string;
  startsWith: string;
  inline?: boolean;
  in?: string;
  part?: string;
}

export interface PageJson {
  title: string;
  bodySelector: string;
  bodyLocation: 'static' | 'js-injected' | 'iframe-srcdoc';
  bodyCharCount: number;
  structure: Expected[];
}

export interface ClauseMapEntry {
  v1: { index: number; level: number; label: string; startsWith: string } | null;
  v2: { index: number; level: number; label: string; startsWith: string } | null;
  textStatus: 'unchanged' | 'width-or-dash-only' | 'modified' | 'inserted';
  labelChanged?: boolean;
  changes?: { type: string; before?: string; after?: string }[];
}

export interface ChangesJson {
  structureV2: Expected[];
  clauseMap: ClauseMapEntry[];
}

export type DomKind = 'happy-dom' | 'jsdom';

export interface LoadedPage {
  document: Document;
  window: Window & typeof globalThis;
  close(): Promise<void>;
}

export function pageNames(): string[] {
  return fs
    .readdirSync(path.join(CORPUS, 'pages'))
    .filter((f) => f.endsWith('.html'))
    .map((f) => f.replace(/\.html$/, ''))
    .sort();
}

export function readPageJson(name: string): PageJson {
  return JSON.parse(fs.readFileSync(path.join(CORPUS, 'pages', `${name}.json`), 'utf8')) as PageJson;
}

export function readChanges(name: string): ChangesJson {
  return JSON.parse(fs.readFileSync(path.join(CORPUS, 'edits', `${name}.changes.json`), 'utf8')) as ChangesJson;
}

export function readHtml(file: string): string {
  return fs.readFileSync(path.join(CORPUS, file), 'utf8');
}

/** Parses HTML into a DOM; with `scripts`, runs the page's inline scripts and fires load. */
export async function loadHtml(html: string, kind: DomKind, scripts = false): Promise<LoadedPage> {
  if (kind === 'jsdom') {
    const dom = new JSDOM(html, {
      url: 'https://example.gov.cn/page.html',
      runScripts: scripts ? 'dangerously' : undefined,
      pretendToBeVisual: true,
    });
    return {
      document: dom.window.document,
      window: dom.window as unknown as Window & typeof globalThis,
      close: async () => dom.window.close(),
    };
  }
  const win = new Window({
    url: 'https://example.gov.cn/page.html',
    settings: {
      enableJavaScriptEvaluation: scripts,
      suppressInsecureJavaScriptEnvironmentWarning: true,
      navigation: { disableChildFrameNavigation: false },
    } as never,
  });
  win.document.write(html);
  await win.happyDOM.waitUntilComplete();
  return {
    document: win.document as unknown as Document,
    window: win as unknown as Window & typeof globalThis,
    close: async () => {
      await win.happyDOM.abort();
      await win.happyDOM.close();
    },
  };
}

/** Loads a corpus page; a script-built body (06) is awaited until the page marks itself rendered. */
export async function loadPage(file: string, kind: DomKind): Promise<LoadedPage> {
  const html = readHtml(file);
  const scripted = /data-rendered/.test(html);
  const page = await loadHtml(html, kind, scripted);
  if (scripted) await waitFor(() => page.document.documentElement.getAttribute('data-rendered') === 'true');
  return page;
}

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the page');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Comparison of clause starts as the corpus defines it: whitespace-insensitive. */
export function squeeze(text: string): string {
  return text.replace(/\s/g, '');
}

export interface Score {
  matched: number;
  expected: number;
  found: number;
  levelErrors: string[];
  missing: string[];
  extra: string[];
}

/** Longest common subsequence of expected and found clauses (same label, text starting as expected). */
export function compareStructure(found: Clause[], expected: Expected[]): Score {
  const same = (c: Clause, e: Expected) =>
    squeeze(c.label) === squeeze(e.label) && squeeze(c.text).startsWith(squeeze(e.startsWith));
  const n = expected.length;
  const m = found.length;
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = same(found[j]!, expected[i]!)
        ? table[i + 1]![j + 1]! + 1
        : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const levelErrors: string[] = [];
  const missing: string[] = [];
  const extra: string[] = [];
  let i = 0;
  let j = 0;
  let matched = 0;
  while (i < n && j < m) {
    if (same(found[j]!, expected[i]!) && table[i]![j] === table[i + 1]![j + 1]! + 1) {
      matched++;
      const e = expected[i]!;
      const c = found[j]!;
      if (c.level !== e.level) levelErrors.push(`${e.label} ${e.startsWith}: level ${c.level}, expected ${e.level}`);
      if (!!e.inline !== c.inline) levelErrors.push(`${e.label} ${e.startsWith}: inline ${c.inline}`);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) {
      missing.push(`${expected[i]!.label} ${expected[i]!.startsWith}`);
      i++;
    } else {
      extra.push(`${found[j]!.label} ${found[j]!.text.slice(0, 20)}`);
      j++;
    }
  }
  for (; i < n; i++) missing.push(`${expected[i]!.label} ${expected[i]!.startsWith}`);
  for (; j < m; j++) extra.push(`${found[j]!.label} ${found[j]!.text.slice(0, 20)}`);
  return { matched, expected: n, found: m, levelErrors, missing, extra };
}
