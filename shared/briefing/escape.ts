/**
 * Everything in an export that people wrote (notes, quotes, names, titles, tags, header fields, clause labels)
 * is text, never markup. `sanitizeExportText` is the one cleaning step every export applies to such text
 * (briefings here; task tables and comparison tables import it too); the escapers below apply it before
 * escaping for HTML and Markdown, and the DOCX writer applies it to every run and document property.
 */

/**
 * Characters no export may carry, in one pattern:
 *  - what XML 1.0 forbids (C0 controls except tab, line feed and carriage return; U+FFFE, U+FFFF; a surrogate
 *    without its pair), so every XML part (DOCX, XLSX, XHTML) stays well-formed and strict parsers accept it;
 *  - DEL and the C1 controls, which XML 1.0 discourages and nothing displays;
 *  - bidirectional controls that reorder text: embeddings and overrides (U+202A–U+202E), isolates
 *    (U+2066–U+2069) and the implicit marks LRM, RLM and ALM (U+200E, U+200F, U+061C), so a hostile note
 *    cannot make itself, or the name and date printed beside it, read differently from what was written
 *    ("Trojan Source");
 *  - the deprecated format characters U+206A–U+206F (they switch digit shapes and symmetric swapping) and the
 *    interlinear annotation characters U+FFF9–U+FFFB (a reader may hide the text between them).
 */
const UNSAFE_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are what the pattern removes
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u206F\uFFF9-\uFFFB\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * User text made safe for any export format: drops the characters listed above and keeps everything else
 * (line breaks and tabs included; the formats decide what to do with them). Idempotent; plain text comes back
 * as the same string.
 */
export function sanitizeExportText(text: string): string {
  return text.replace(UNSAFE_TEXT, '');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and quoted attribute values (sanitised first). */
export function escapeHtml(text: string): string {
  return sanitizeExportText(text).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/**
 * The URL normalised by the URL parser (spaces, quotes and angle brackets percent-encoded), or null unless it
 * is an absolute http(s) URL: no javascript:, data: or relative links can come out of a briefing.
 */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.href.replace(
      /[()<>\s"'`]/g,
      (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    );
  } catch {
    return null;
  }
}

/** Characters that mean something inline in CommonMark or GFM (and $ for the math extensions). */
const MARKDOWN_INLINE = /[\\`*_[\]<>|~&#$!]/g;

/**
 * One line of user text as literal Markdown: inline syntax backslash-escaped, and the line start defused so
 * it cannot become a heading, list, quote, thematic break or code block.
 */
export function escapeMarkdownLine(line: string): string {
  const escaped = sanitizeExportText(line)
    .trim()
    .replace(MARKDOWN_INLINE, (ch) => `\\${ch}`);
  return escaped.replace(/^([-+=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/** User text on one line (tables, headings): whitespace runs, line breaks included, become one space. */
export function escapeMarkdownInline(text: string): string {
  return escapeMarkdownLine(text.replace(/\s+/gu, ' '));
}

/** User text over several lines, each escaped; blank lines kept as paragraph breaks. */
export function escapeMarkdownLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => escapeMarkdownLine(line));
}
