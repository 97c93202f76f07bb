/**
 * The task table as CSV (RFC 4180): a UTF-8 byte order mark so Excel reads the Chinese as UTF-8, CRLF line
 * ends, fields quoted when they hold a quote, comma or line break. A cell that starts like a formula (= + - @)
 * gets a leading apostrophe, so opening the file never runs anything a colleague typed into a task.
 */
import type { PreparedTable } from './table.ts';

const BOM = [0xef, 0xbb, 0xbf];

export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderCsv(table: PreparedTable): Uint8Array {
  const lines = [table.columns.map((column) => csvField(table.labels.column(column)))];
  for (const row of table.rows) {
    lines.push(table.columns.map((column) => csvField(row.text[column])));
  }
  const text = `${lines.map((fields) => fields.join(',')).join('\r\n')}\r\n`;
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(BOM.length + body.length);
  out.set(BOM, 0);
  out.set(body, BOM.length);
  return out;
}
