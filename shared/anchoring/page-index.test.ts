/**
 * The page index follows DOM changes incrementally and ends up exactly where a fresh index would: same
 * comparison text, same clauses. Random edits (text changes, inserted and removed paragraphs and clauses, <br>,
 * hidden elements) on a real corpus page, in happy-dom and jsdom.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Window } from 'happy-dom';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { PageIndex } from './page-index.ts';
import { PageText } from './text-model.ts';

const PAGE = path.resolve(
  import.meta.dirname,
  '../../test/fixtures/corpus/pages/04-gov-iit-special-deductions-2018.html',
);

function makeDocument(kind: 'happy-dom' | 'jsdom', html: string): { doc: Document; close: () => void } {
  if (kind === 'jsdom') {
    const dom = new JSDOM(html);
    return { doc: dom.window.document, close: () => dom.window.close() };
  }
  const win = new Window();
  win.document.write(html);
  return { doc: win.document as unknown as Document, close: () => void win.happyDOM.close() };
}

function snapshot(index: PageIndex) {
  return {
    raw: index.text.raw,
    norm: index.text.norm,
    clauses: index.clauses.map((c) => `${c.path.join('/')}@${c.start}-${c.end}:${c.hash}`),
  };
}

function freshSnapshot(root: Document) {
  const fresh = new PageIndex(root);
  const snap = snapshot(fresh);
  fresh.dispose();
  return snap;
}

let seed = 7;
const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

/** One random edit inside the body container; returns a description for failure messages. */
function mutate(doc: Document): string {
  const body = doc.getElementById('UCAP-CONTENT')!;
  const texts: Text[] = [];
  const walker = doc.createTreeWalker(body, 4);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
  const divs = Array.from(body.querySelectorAll('div'));
  const target = texts[Math.floor(random() * texts.length)]!;
  switch (Math.floor(random() * 7)) {
    case 0: {
      const at = Math.floor(random() * target.data.length);
      target.data = `${target.data.slice(0, at)}切实${target.data.slice(at)}`;
      return 'insert characters';
    }
    case 1:
      target.data = target.data.slice(0, Math.max(0, target.data.length - 3));
      return 'cut characters';
    case 2: {
      const p = doc.createElement('div');
      p.textContent = '第九十九条　新增的条款内容，用于测试。';
      body.insertBefore(p, divs[Math.floor(random() * divs.length)] ?? null);
      return 'insert clause';
    }
    case 3: {
      const victim = divs[Math.floor(random() * divs.length)];
      victim?.remove();
      return 'remove block';
    }
    case 4: {
      const br = doc.createElement('br');
      target.parentNode?.insertBefore(br, target);
      return 'insert <br>';
    }
    case 5: {
      const span = doc.createElement('span');
      span.setAttribute('style', 'display:none');
      span.textContent = '隐藏文字';
      target.parentNode?.insertBefore(span, target.nextSibling);
      return 'insert hidden text';
    }
    default: {
      const at = Math.floor(random() * target.data.length);
      target.splitText(at);
      return 'split a text node';
    }
  }
}

for (const kind of ['happy-dom', 'jsdom'] as const) {
  describe(`incremental page index (${kind})`, () => {
    it('after each batch of random edits, equals a freshly built index', () => {
      const { doc, close } = makeDocument(kind, fs.readFileSync(PAGE, 'utf8'));
      try {
        const index = new PageIndex(doc);
        let incremental = 0;
        for (let round = 0; round < 40; round++) {
          const done = [mutate(doc)];
          if (random() < 0.3) done.push(mutate(doc));
          index.refresh();
          if (!index.lastChange.full) incremental++;
          expect(snapshot(index), `after ${done.join(', ')} (round ${round})`).toEqual(freshSnapshot(doc));
        }
        // most batches touch one or two blocks: they must be applied locally, not by re-reading the page
        expect(incremental).toBeGreaterThan(30);
        index.dispose();
      } finally {
        close();
      }
    });

    it('elements without text, line breaks or frames change nothing: no re-read, however often restyled', () => {
      const { doc, close } = makeDocument(kind, fs.readFileSync(PAGE, 'utf8'));
      try {
        const index = new PageIndex(doc);
        const version = index.version;
        // what an extension adds to a page: an empty host element under <body> (its UI in a shadow root)
        const host = doc.createElement('pizhu-ui');
        doc.body.append(host);
        expect(index.refresh()).toBe(false);
        host.setAttribute('style', 'position: relative; z-index: 5');
        host.setAttribute('hidden', '');
        const empty = doc.createElement('span');
        doc.getElementById('UCAP-CONTENT')!.append(empty);
        empty.remove();
        expect(index.refresh()).toBe(false);
        expect(index.version).toBe(version);
        // an empty block still breaks a line, and an element with text still counts
        const block = doc.createElement('div');
        doc.body.append(block);
        block.textContent = '第九十九条　新增条款。';
        expect(index.refresh()).toBe(true);
        expect(snapshot(index)).toEqual(freshSnapshot(doc));
        index.dispose();
      } finally {
        close();
      }
    });

    it('a local edit re-reads only its block (the other text nodes keep their offsets)', () => {
      const { doc, close } = makeDocument(kind, fs.readFileSync(PAGE, 'utf8'));
      try {
        const index = new PageIndex(doc);
        const before = new PageText(doc);
        const last = before.nodes[before.nodes.length - 1]!;
        const first = before.nodes[0]!;
        const target = before.nodes[Math.floor(before.nodes.length / 2)]!;
        target.data += '增加五个字';
        index.refresh();
        expect(index.lastChange.full).toBe(false);
        expect(index.lastChange.changes).toHaveLength(1);
        const change = index.lastChange.changes[0]!;
        expect(change.delta).toBe(5);
        expect(index.text.indexOfNode(first)).toBe(0);
        expect(index.text.indexOfNode(last)).toBe(before.nodes.length - 1);
        expect(index.text.norm.slice(change.start, change.end)).toContain('增加五个字');
        index.dispose();
      } finally {
        close();
      }
    });
  });
}

describe('building in steps that yield to the page', () => {
  it('gives the same index as a synchronous build, including changes made while it was building', async () => {
    const { doc, close } = makeDocument('jsdom', fs.readFileSync(PAGE, 'utf8'));
    try {
      const pending = PageIndex.create(doc);
      // the DOM read happened before the first yield: this change lands while the rest is being built
      const container = doc.getElementById('UCAP-CONTENT')!;
      const added = doc.createElement('div');
      added.textContent = '第九十九条　构建期间插入的条款。';
      container.appendChild(added);
      const index = await pending;
      expect(snapshot(index)).toEqual(freshSnapshot(doc));
      expect(index.clauses.some((c) => c.label === '第九十九条')).toBe(true);
      index.dispose();
    } finally {
      close();
    }
  });
});

describe('a body inside a frame (happy-dom loads srcdoc frames)', () => {
  it('lists the frame among its documents, and its one observer hears changes inside the frame', async () => {
    const inner =
      '<html><body><div id="UCAP-CONTENT"><p>一、总体要求</p><p>（一）指导思想。全面贯彻落实党的精神，推进政务公开。</p></div></body></html>';
    const win = new Window({
      settings: { navigation: { disableChildFrameNavigation: false } } as never,
    });
    win.document.write(
      `<body><div class="nav">首页</div><iframe srcdoc="${inner.replace(/"/g, '&quot;')}"></iframe></body>`,
    );
    await win.happyDOM.waitUntilComplete();
    const doc = win.document as unknown as Document;
    const index = new PageIndex(doc);
    try {
      const frameDoc = (doc.querySelector('iframe') as HTMLIFrameElement).contentDocument!;
      expect(index.documents()).toEqual([doc, frameDoc]);
      let heard = 0;
      const stop = index.onMutation(() => heard++);
      const added = frameDoc.createElement('p');
      added.textContent = '（二）工作目标。到2020年建成政务新媒体体系。';
      frameDoc.getElementById('UCAP-CONTENT')!.append(added);
      await new Promise((r) => setTimeout(r, 20));
      expect(heard).toBeGreaterThan(0);
      stop();
      expect(index.refresh()).toBe(true);
      expect(index.clauses.map((c) => c.label)).toContain('（二）');
    } finally {
      index.dispose();
      await win.happyDOM.close();
    }
  });
});
