/**
 * Body detection without help from CMS ids: every corpus page with all ids and classes stripped still gives the
 * body the page's JSON names (compared by its text). Plus the library's import boundary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { detectBody } from './body.ts';
import { PageText } from './text-model.ts';

const CORPUS = path.resolve(import.meta.dirname, '../../test/fixtures/corpus/pages');

function strip(doc: Document): void {
  for (const el of Array.from(doc.querySelectorAll('[id],[class]'))) {
    el.removeAttribute('id');
    el.removeAttribute('class');
  }
}

describe('body detection by text weight alone', () => {
  for (const file of fs.readdirSync(CORPUS).filter((f) => f.endsWith('.html') && !f.startsWith('06'))) {
    it(`${file}: the body is found without ids or classes`, async () => {
      const json = JSON.parse(fs.readFileSync(path.join(CORPUS, file.replace('.html', '.json')), 'utf8'));
      const win = new Window();
      try {
        win.document.write(fs.readFileSync(path.join(CORPUS, file), 'utf8'));
        await win.happyDOM.waitUntilComplete();
        const doc = win.document as unknown as Document;
        strip(doc);
        const frame = doc.querySelector('iframe') as HTMLIFrameElement | null;
        if (frame?.contentDocument) strip(frame.contentDocument);
        const body = detectBody(new PageText(doc));
        expect((body?.textContent ?? '').replace(/\s/g, '').length).toBe(json.bodyCharCount);
      } finally {
        await win.happyDOM.close();
      }
    });
  }
});

describe('import boundary', () => {
  it('the library imports only itself and the shared model (no DOM library, no Node built-ins, no extension APIs)', () => {
    const dir = import.meta.dirname;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const m of source.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        expect(m[1], `${file} imports ${m[1]}`).toMatch(/^\.\/|^\.\.\/model\//);
      }
      expect(source, file).not.toMatch(/\bchrome\.|\bbrowser\.runtime|\brequire\(/);
    }
  });
});
