/**
 * The 新旧对照表 as Markdown: a GFM table (原条款 | 新条款 | 变化). Deleted text is wrapped in <del>, inserted
 * text in <ins> (GitHub, VS Code, Typora and most viewers show them struck through and underlined): CommonMark's
 * ~~ and ** cannot open or close next to Chinese punctuation ("审计**（三）**" stays literal), so inline HTML is
 * the one marking that works for Chinese. Everything taken from the documents is escaped, "<" included, so the
 * only tags in the file are these.
 */
import { escapeMarkdownInline } from '../briefing/escape.ts';
import { buildReport, type ComparisonExport, type ReportSide } from './report.ts';

export function renderComparisonMarkdown(input: ComparisonExport): string {
  const report = buildReport(input);
  const out = [`# ${escapeMarkdownInline(report.title)}`, ''];
  for (const line of report.versions) out.push(escapeMarkdownInline(line), '');
  out.push(escapeMarkdownInline(report.summary), '');
  out.push(`| ${report.headers.map(escapeMarkdownInline).join(' | ')} |`, '| --- | --- | --- |');
  for (const row of report.rows) {
    const change = row.change.map(escapeMarkdownInline).join('<br>');
    out.push(`| ${cell(row.before, report.none, 'del')} | ${cell(row.after, report.none, 'ins')} | ${change} |`);
  }
  return `${out.join('\n')}\n`;
}

function cell(side: ReportSide | null, none: string, tag: 'del' | 'ins'): string {
  if (!side) return escapeMarkdownInline(none);
  const body = side.segments.map((s) => (s.changed ? mark(inline(s.text), tag) : inline(s.text))).join('');
  return `**${escapeMarkdownInline(side.path)}** ${body}`.trim();
}

/** Wraps a changed piece in its tag, keeping the spaces at its edges outside. */
function mark(text: string, tag: 'del' | 'ins'): string {
  const [, lead = '', inner = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text) ?? [];
  return inner ? `${lead}<${tag}>${inner}</${tag}>${trail}` : text;
}

/** Text of one cell piece: each line escaped (its edge spaces kept), line breaks as <br>. */
function inline(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const lead = /^\s/.test(line) ? ' ' : '';
      const trail = /\s$/.test(line) && line.trim() ? ' ' : '';
      return line.trim() ? `${lead}${escapeMarkdownInline(line)}${trail}` : lead;
    })
    .join('<br>');
}
