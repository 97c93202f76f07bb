/** Reading a DOCX in tests: unzip it and parse its XML parts with a real XML parser (so malformed XML fails). */
import { strFromU8, unzipSync } from 'fflate';
import { JSDOM } from 'jsdom';

export const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const { DOMParser } = new JSDOM('').window;

export type DocxParts = { files: string[]; xml: (name: string) => Document; text: (name: string) => string };

export function openDocx(bytes: Uint8Array): DocxParts {
  const entries = unzipSync(bytes);
  const cache = new Map<string, Document>();
  return {
    files: Object.keys(entries),
    text: (name) => {
      const entry = entries[name];
      if (!entry) throw new Error(`No ${name} in the DOCX`);
      return strFromU8(entry);
    },
    xml(name) {
      let doc = cache.get(name);
      if (!doc) {
        doc = new DOMParser().parseFromString(this.text(name), 'application/xml');
        const error = doc.getElementsByTagName('parsererror')[0];
        if (error) throw new Error(`${name} is not well-formed XML: ${error.textContent}`);
        cache.set(name, doc);
      }
      return doc;
    },
  };
}

export function all(node: Document | Element, localName: string): Element[] {
  return [...node.getElementsByTagNameNS(W, localName)];
}

export function first(node: Document | Element, localName: string): Element {
  const found = node.getElementsByTagNameNS(W, localName)[0];
  if (!found) throw new Error(`No w:${localName}`);
  return found;
}

export function attr(element: Element, name: string): string | null {
  return element.getAttributeNS(W, name);
}

/** The text of a paragraph, table or any element: its w:t runs joined. */
export function textOf(element: Element): string {
  return all(element, 't')
    .map((t) => t.textContent ?? '')
    .join('');
}

/** The paragraph or run style element (w:style with this id) in styles.xml. */
export function style(styles: Document, id: string): Element {
  const found = all(styles, 'style').find((s) => attr(s, 'styleId') === id);
  if (!found) throw new Error(`No style ${id}`);
  return found;
}

/** Top-level paragraphs and tables of the body, in order. */
export function bodyBlocks(document: Document): Element[] {
  const body = first(document, 'body');
  return [...body.children].filter((c) => c.localName === 'p' || c.localName === 'tbl');
}
