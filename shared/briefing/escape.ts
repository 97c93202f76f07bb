/**
 * Everything in a briefing that people wrote (notes, quotes, names, titles, header fields) is text, never
 * markup: these escape it for HTML and Markdown, and let only http(s) links through.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
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
  const escaped = line.trim().replace(MARKDOWN_INLINE, (ch) => `\\${ch}`);
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

/** Characters XML 1.0 forbids (control characters, lone surrogates): a note containing one must not break the file. */
export function xmlText(text: string): string {
  return text
    .replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu,
      '',
    )
    .replace(/\t/g, ' ');
}
