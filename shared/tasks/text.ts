/**
 * Text people typed (tasks, units, leaders, progress notes) on its way into a file: characters XML 1.0 forbids
 * removed (a DOCX or XLSX with one does not open), tabs as spaces, and the bidirectional embedding, override
 * and isolate controls removed, so a hostile note cannot make "fdp.exe" read as "exe.pdf" or reorder a
 * neighbouring cell's text. Line breaks become \n, the one every format reads.
 */
import { xmlText } from '../briefing/escape.ts';

/** U+202A–U+202E (LRE, RLE, PDF, LRO, RLO) and U+2066–U+2069 (LRI, RLI, FSI, PDI). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export function cleanText(text: string): string {
  return xmlText(text).replace(BIDI_CONTROLS, '').replace(/\r\n?/g, '\n');
}

/** One line for a table cell or a heading: line breaks and runs of whitespace become one space. */
export function cleanLine(text: string): string {
  return cleanText(text).replace(/\s+/gu, ' ').trim();
}
