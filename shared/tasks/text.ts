/**
 * Text people typed (tasks, units, leaders, progress notes) on its way into a file: the export-wide cleaning
 * (sanitizeExportText: what XML 1.0 forbids, so a DOCX or XLSX still opens, and the bidirectional controls, so a
 * hostile note cannot make "fdp.exe" read as "exe.pdf" or reorder a neighbouring cell), then tabs as spaces and
 * every line break as \n, the one all formats read.
 */
import { sanitizeExportText } from '../briefing/escape.ts';

export function cleanText(text: string): string {
  return sanitizeExportText(text).replace(/\t/g, ' ').replace(/\r\n?/g, '\n');
}

/** One line for a table cell or a heading: line breaks and runs of whitespace become one space. */
export function cleanLine(text: string): string {
  return cleanText(text).replace(/\s+/gu, ' ').trim();
}

/**
 * Lines a text takes when `perLine` Chinese characters fit on a line: a character from U+2E80 on (CJK) takes a
 * whole place, any other half of one. Both table formats size rows with it (a reader does not grow them).
 */
export function wrappedLines(text: string, perLine: number): number {
  let count = 0;
  for (const line of text.split('\n')) {
    let places = 0;
    for (const ch of line) places += ch.charCodeAt(0) > 0x2e7f ? 1 : 0.5;
    count += Math.max(1, Math.ceil(places / perLine));
  }
  return count;
}
