/**
 * The briefing as one self-contained HTML page for printing to PDF from the browser: A4 pages with the
 * GB/T 9704 margins, "— 1 —" page numbers in the bottom margin (odd pages right, even pages left), the red
 * header, the summary table (its header row repeats on every page), notes on one clause side by side.
 *
 * All user text is escaped, and the page carries a Content-Security-Policy that allows no script, no
 * network and no forms, so even a mistake in escaping could not run anything.
 */
import { escapeHtml, safeHttpUrl } from './escape.ts';
import { type Briefing, type BriefingEntry, type BriefingNote, notesToPrint } from './model.ts';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const FONTS = {
  fangsong:
    '"FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif',
  heiti: '"SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif',
  kaiti: '"KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "STKaiti", "AR PL UKai CN", "Noto Serif CJK SC", serif',
  xiaobiaosong:
    '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "FZXBSJW--GB1-0", "Noto Serif CJK SC", "Source Han Serif SC", serif',
  songti: '"SimSun", "宋体", "Noto Serif CJK SC", serif',
  english: '"Times New Roman", "Liberation Serif", "Noto Serif", serif',
};

function styles(language: 'zh' | 'en'): string {
  const zh = language === 'zh';
  const body = zh ? `"Times New Roman", ${FONTS.fangsong}` : FONTS.english;
  const pageNumber = `content: "— " counter(page) " —"; font: 14pt ${FONTS.songti};`;
  return `
@page { size: A4; margin: ${zh ? '37mm 26mm 35mm 28mm' : '25mm 25mm 25mm 25mm'}; }
@page :right { @bottom-right { ${pageNumber} padding-right: 1em; vertical-align: top; padding-top: 7mm; } }
@page :left { @bottom-left { ${pageNumber} padding-left: 1em; vertical-align: top; padding-top: 7mm; } }
html { background: #f3f3f3; }
body { margin: 0 auto; padding: 20mm 26mm 20mm 28mm; max-width: 156mm; background: #fff; color: #000;
  font: ${zh ? '16pt' : '12pt'}/${zh ? '28.95pt' : '1.5'} ${body}; }
@media print { html { background: none; } body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
p { margin: 0; ${zh ? 'text-indent: 2em;' : 'margin-bottom: 0.5em;'} overflow-wrap: anywhere; }
.masthead { text-align: center; }
.masthead .mark { text-align: left; text-indent: 0; font-family: ${FONTS.heiti}; }
.masthead h1 { margin: 0; color: ${zh ? '#e60000' : '#000'}; font: ${zh ? '42pt/1.4' : 'bold 26pt/1.4'} ${zh ? FONTS.xiaobiaosong : FONTS.english}; letter-spacing: ${zh ? '0.2em' : '0'}; }
.masthead .issue { text-indent: 0; }
.masthead .unit-date { display: flex; justify-content: space-between; text-indent: 0; padding: 0 1em 4pt;
  border-bottom: ${zh ? '2pt solid #e60000' : '1pt solid #000'}; margin-bottom: 2em; }
h1.title { margin: 0 0 1em; text-align: center; font: ${zh ? '22pt/1.5' : 'bold 16pt/1.4'} ${zh ? FONTS.xiaobiaosong : FONTS.english}; }
h2 { margin: 0; font: ${zh ? `16pt/28.95pt ${FONTS.heiti}` : `bold 13pt/1.5 ${FONTS.english}`}; ${zh ? 'text-indent: 2em;' : 'margin-top: 1em;'} }
h3 { margin: 0; font: ${zh ? `16pt/28.95pt ${FONTS.kaiti}` : `bold 12pt/1.5 ${FONTS.english}`}; ${zh ? 'text-indent: 2em;' : 'margin-top: 0.6em;'} }
.scope { font-family: ${zh ? FONTS.kaiti : FONTS.english}; }
.summary table { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 0.5em 0 1em; font-size: ${zh ? '12pt' : '10pt'}; line-height: 1.45; }
.summary caption { font-family: ${zh ? FONTS.heiti : FONTS.english}; font-weight: ${zh ? 'normal' : 'bold'}; padding-bottom: 0.3em; }
.summary th, .summary td { border: 0.75pt solid #000; padding: 2pt 4pt; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
.summary th { font-family: ${zh ? FONTS.heiti : FONTS.english}; font-weight: ${zh ? 'normal' : 'bold'}; background: #f2f2f2; }
.summary thead { display: table-header-group; }
.summary tr { break-inside: avoid; }
.reference { text-indent: 0; margin: 0.1em 0 0.1em 2em; font-size: 0.8em; color: #333; }
blockquote { margin: 0.2em 0 0.2em 2em; padding-left: 0.8em; border-left: 3pt solid #999; white-space: pre-wrap; overflow-wrap: anywhere; font-family: ${zh ? FONTS.kaiti : FONTS.english}; }
.open { font-size: 0.75em; white-space: nowrap; }
.orphan { color: #b00000; }
.orphan b { font-weight: bold; }
.notes { display: grid; grid-template-columns: repeat(auto-fit, minmax(60mm, 1fr)); gap: 3mm; margin: 0.3em 0 0.8em 2em; }
.note { border: 0.75pt solid #aaa; padding: 2mm 3mm; break-inside: avoid; }
.note .who { text-indent: 0; font-size: 0.85em; }
.note .who b, .note .text, blockquote, td, .reference { unicode-bidi: isolate; }
.note .text { text-indent: 0; white-space: pre-wrap; }
.note.empty .text { color: #666; }
.sources { margin-top: 1em; font-size: ${zh ? '12pt' : '10pt'}; line-height: 1.5; }
.sources ol { margin: 0; padding-left: 2em; }
.sources li { overflow-wrap: anywhere; }
sup a { text-decoration: none; }
.closing { margin-top: 2em; border-top: 1pt solid #000; border-bottom: 1pt solid #000; font-size: 14pt; line-height: 1.8; }
.closing p { text-indent: 0; padding: 0 1em; border-bottom: 0.5pt solid #000; }
.closing p:last-child { border-bottom: none; display: flex; justify-content: space-between; }
.empty-briefing { margin: 1em 0; }
`;
}

export function renderHtml(b: Briefing): string {
  const t = escapeHtml;
  const { header, labels } = b;
  const html: string[] = [];
  html.push(
    '<!DOCTYPE html>',
    `<html lang="${b.language === 'zh' ? 'zh-CN' : 'en'}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${t(header.title)}</title>`,
    `<style>${styles(b.language)}</style>`,
    '</head>',
    '<body>',
    '<header class="masthead">',
    header.mark ? `<p class="mark">${t(header.mark)}</p>` : '',
    `<h1>${t(header.masthead)}</h1>`,
    header.issue ? `<p class="issue">${t(header.issue)}</p>` : '',
    `<p class="unit-date"><span>${t(header.unit)}</span><span>${t(header.date)}</span></p>`,
    '</header>',
    '<main>',
    `<h1 class="title">${t(header.title)}</h1>`,
    `<p class="lead${b.groups.length ? '' : ' empty-briefing'}">${t(b.lead)}</p>`,
    b.changes ? `<p class="changes">${t(b.changes)}</p>` : '',
    `<p class="scope">${t(b.scope)}</p>`,
  );

  if (b.summary.length) {
    html.push('<section class="summary"><table>', `<caption>${t(labels.summaryCaption)}</caption>`);
    html.push(
      '<colgroup><col style="width:12%"><col style="width:18%"><col style="width:28%"><col style="width:12%"><col style="width:30%"></colgroup>',
    );
    html.push(
      `<thead><tr>${labels.summaryHeaders.map((h) => `<th scope="col">${t(h)}</th>`).join('')}</tr></thead><tbody>`,
    );
    for (const row of b.summary) {
      const cells = [row.tags, row.clause, row.quote, row.annotators, row.notes];
      html.push(`<tr>${cells.map((c) => `<td>${t(c)}</td>`).join('')}</tr>`);
    }
    html.push('</tbody></table></section>');
  }

  for (const group of b.groups) {
    html.push(`<section class="group" data-group="${t(group.key)}">`);
    html.push(`<h2>${t(group.title)}${group.sourceNumber !== null ? sourceRef(group.sourceNumber) : ''}</h2>`);
    for (const entry of group.entries) html.push(renderEntry(entry, b));
    html.push('</section>');
  }

  if (b.sources.length) {
    html.push(`<section class="sources"><h2>${t(labels.sourcesHeading)}</h2><ol>`);
    for (const s of b.sources) html.push(`<li id="source-${s.number}">${t(s.text)}</li>`);
    html.push('</ol></section>');
  }
  html.push('</main>');

  if (b.closing) {
    html.push('<footer class="closing">');
    for (const line of b.closing.lines) html.push(`<p>${t(line.label)}${t(line.text)}</p>`);
    const copies = b.closing.copies ? ` ${t(b.closing.copies)}` : '';
    html.push(`<p><span>${t(b.closing.unit)}</span><span>${t(b.closing.issued)}${copies}</span></p>`);
    html.push('</footer>');
  }
  html.push('</body>', '</html>');
  return `${html.filter(Boolean).join('\n')}\n`;
}

function sourceRef(n: number): string {
  return `<sup><a href="#source-${n}">[${n}]</a></sup>`;
}

function renderEntry(entry: BriefingEntry, b: Briefing): string {
  const t = escapeHtml;
  const parts: string[] = [];
  const ref = entry.sourceNumber !== null && b.options.groupBy !== 'document' ? sourceRef(entry.sourceNumber) : '';
  parts.push(`<article class="entry${entry.orphaned ? ' orphaned' : ''}" data-entry="${t(entry.id)}">`);
  parts.push(`<h3>${t(entry.title)}${ref}</h3>`);
  if (entry.orphaned)
    parts.push(`<p class="orphan"><b>${t(b.labels.orphanMark)}</b>${t(b.labels.orphanExplanation)}</p>`);
  const link = safeHttpUrl(entry.link);
  const open = link
    ? ` <a class="open" href="${t(link)}" rel="noopener noreferrer">〔${t(b.labels.openOnPage)}〕</a>`
    : '';
  parts.push(`<p class="reference">${t(b.labels.referenceLine(entry.reference))}${open}</p>`);
  if (!entry.headingIsQuote) parts.push(`<blockquote>${t(entry.quote.trim())}</blockquote>`);
  const notes = notesToPrint(entry, b.options);
  if (notes.length) parts.push('<div class="notes">', ...notes.map((n) => renderNote(n, b)), '</div>');
  parts.push('</article>');
  return parts.join('\n');
}

function renderNote(note: BriefingNote, b: Briefing): string {
  const t = escapeHtml;
  const empty = note.text.trim() === '';
  const text = empty ? b.labels.highlightOnly : note.text.trim();
  return (
    `<div class="note${empty ? ' empty' : ''}${note.isReply ? ' reply' : ''}" data-annotation="${t(note.annotationId)}">` +
    `<p class="who"><b>${t(note.author.name)}</b>${t(b.labels.noteMeta(note.time, note.isReply))}</p>` +
    `<p class="text">${t(text)}</p></div>`
  );
}
