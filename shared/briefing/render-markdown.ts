/**
 * The briefing as Markdown (CommonMark + GFM tables): header, lead, summary table, groups of quoted clauses
 * (blockquotes with a deep link) with each annotator's note, numbered sources, closing block.
 * All user text is escaped (see escape.ts), so a note can never turn into markup or a link. Sources are a
 * numbered list cited as [n], not GFM footnotes: a renderer without footnotes would read "[^1]: <title>" as a
 * link definition, turning a page's title into a link target.
 */
import { escapeMarkdownInline, escapeMarkdownLines, safeHttpUrl } from './escape.ts';
import { type Briefing, type BriefingEntry, type BriefingNote, type BriefingSource, notesToPrint } from './model.ts';

export function renderMarkdown(b: Briefing): string {
  const out: string[] = [];
  const text = escapeMarkdownInline;
  const { header, labels } = b;

  const masthead = [
    `**${text(header.masthead)}**`,
    header.issue && text(header.issue),
    header.mark && text(header.mark),
  ];
  out.push(masthead.filter(Boolean).join(' · '), '');
  const unitDate = [header.unit && text(header.unit), text(header.date)].filter(Boolean).join(' · ');
  out.push(unitDate, '', '---', '');
  out.push(`# ${text(header.title)}`, '');
  out.push(text(b.lead), '');
  if (b.changes) out.push(text(b.changes), '');
  out.push(text(b.scope), '');

  if (b.summary.length) {
    out.push(`## ${text(labels.summaryCaption)}`, '');
    out.push(`| ${labels.summaryHeaders.map(text).join(' | ')} |`);
    out.push(`|${labels.summaryHeaders.map(() => '---').join('|')}|`);
    for (const row of b.summary) {
      const cells = [row.tags, row.clause, row.quote, row.annotators, row.notes].map((c) => text(c) || ' ');
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }

  for (const group of b.groups) {
    const ref = group.sourceNumber !== null ? footnoteRef(group.sourceNumber) : '';
    out.push(`## ${text(group.title)}${ref}`, '');
    for (const entry of group.entries) out.push(...renderEntry(entry, b));
  }

  if (b.sources.length) {
    out.push(`## ${text(labels.sourcesHeading)}`, '');
    for (const source of b.sources) out.push(`${source.number}. ${sourceLine(source, b)}`);
    out.push('');
  }

  if (b.closing) {
    out.push('---', '');
    for (const line of b.closing.lines) out.push(`${text(line.label)}${text(line.text)}  `);
    const issued = [b.closing.unit && text(b.closing.unit), text(b.closing.issued)].filter(Boolean).join(' · ');
    out.push(b.closing.copies ? `${issued}  ` : issued);
    if (b.closing.copies) out.push(text(b.closing.copies));
    out.push('');
  }

  return `${out.join('\n').trimEnd()}\n`;
}

const URL_SLOT = '\uE000';

/**
 * A source's citation with its URL as an autolink (<...>): as plain text, a renderer that links bare URLs
 * would run the URL into the text after it (there is no space before "，" in Chinese).
 */
function sourceLine(source: BriefingSource, b: Briefing): string {
  const url = safeHttpUrl(source.url);
  if (!url) return escapeMarkdownInline(source.text);
  const line = escapeMarkdownInline(b.labels.source({ ...source, url: URL_SLOT }));
  return line.replace(URL_SLOT, `<${url}>`);
}

/** A citation of source n: " \[n\]" (escaped, so it is text, not a link). */
function footnoteRef(n: number): string {
  return ` \\[${n}\\]`;
}

function renderEntry(entry: BriefingEntry, b: Briefing): string[] {
  const text = escapeMarkdownInline;
  const out: string[] = [];
  const ref = entry.sourceNumber !== null && b.options.groupBy !== 'document' ? footnoteRef(entry.sourceNumber) : '';
  out.push(`### ${text(entry.title)}${ref}`, '');
  if (entry.orphaned) out.push(`**${text(b.labels.orphanMark)}** ${text(b.labels.orphanExplanation)}`, '');
  const link = safeHttpUrl(entry.link);
  const open = link ? ` [${text(b.labels.openOnPage)}](<${link}>)` : '';
  out.push(`${text(b.labels.referenceLine(entry.reference))}${open}`, '');
  if (!entry.headingIsQuote) out.push(...blockquote(escapeMarkdownLines(entry.quote)), '');
  const notes = notesToPrint(entry, b.options);
  for (const note of notes) out.push(...renderNote(note, b));
  if (notes.length) out.push('');
  return out;
}

/** Quote lines as a blockquote; lines that follow each other end with a hard break (a backslash). */
function blockquote(lines: string[]): string[] {
  return lines.map((line, i) => {
    if (!line) return '>';
    const next = lines[i + 1];
    return next ? `> ${line}\\` : `> ${line}`;
  });
}

function renderNote(note: BriefingNote, b: Briefing): string[] {
  const text = escapeMarkdownInline;
  const who = `**${text(note.author.name)}**${text(b.labels.noteMeta(note.time, note.isReply))}`;
  const lines = note.text.trim() ? escapeMarkdownLines(note.text.trim()) : [text(b.labels.highlightOnly)];
  const broken = lines.map((line, i) => (line && lines[i + 1] ? `${line}\\` : line));
  const [first, ...rest] = broken;
  return [`- ${who}${text(b.labels.colon)}${first}`, ...rest.map((line) => (line ? `  ${line}` : ''))];
}
