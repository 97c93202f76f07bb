/**
 * `npm run bench:briefing`: 1,000 annotations over 20 documents built into a briefing and rendered to DOCX,
 * Markdown, HTML and W3C JSON in Node. Prints median and best times of several runs, and ratios against
 * peers run side by side on the same content:
 *   - DOCX vs the docx package writing the same text as plain paragraphs (the floor for any docx-based layout);
 *   - HTML vs markdown-it turning our Markdown into HTML;
 *   - JSON vs JSON.stringify of the raw annotations.
 * Target: DOCX under 1 s. Not a test: numbers depend on the machine and its load (printed).
 */
import { loadavg } from 'node:os';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import MarkdownIt from 'markdown-it';
import { type Briefing, buildBriefing, renderBriefing } from '../../shared/briefing/index.ts';
import { generatedData } from '../../test/unit/briefing/sample.ts';
import { measure, RUNS } from '../measure.ts';

const ANNOTATIONS = Number(process.env.BENCH_ANNOTATIONS ?? 1_000);
const DOCUMENTS = 20;

/** The same words as the briefing, as plain paragraphs: what the docx package costs at the least. */
function plainDocx(b: Briefing): Promise<Uint8Array> {
  const paragraphs: Paragraph[] = [new Paragraph({ children: [new TextRun(b.header.title)] })];
  for (const group of b.groups) {
    paragraphs.push(new Paragraph({ children: [new TextRun(group.title)] }));
    for (const entry of group.entries) {
      paragraphs.push(
        new Paragraph({ children: [new TextRun(entry.title)] }),
        new Paragraph({ children: [new TextRun(entry.quote)] }),
      );
      for (const note of entry.notes)
        paragraphs.push(new Paragraph({ children: [new TextRun(`${note.author.name}：${note.text}`)] }));
    }
  }
  return Packer.pack(new Document({ sections: [{ children: paragraphs }] }), 'uint8array');
}

const data = generatedData(ANNOTATIONS, DOCUMENTS);
const [load1] = loadavg();
console.log(
  `Briefing benchmark: ${ANNOTATIONS} annotations, ${DOCUMENTS} documents, ${RUNS} runs each (load average ${load1!.toFixed(2)})\n`,
);

const options = {
  groupBy: 'tag' as const,
  unit: '市教育局办公室',
  issueNumber: '3',
  reportTo: '市政府办公室',
  copies: 20,
};
const build = () => buildBriefing({ ...data, options });
const briefing = build();
const markdownText = (await renderBriefing(briefing, 'md')).body as string;
const markdownParser = new MarkdownIt();

await measure('build the briefing model', build);
const docx = await measure('DOCX (GB/T 9704 layout, summary table)', () => renderBriefing(briefing, 'docx'));
const plain = await measure('  peer: docx package, plain paragraphs', () => plainDocx(briefing));
const md = await measure('Markdown', () => renderBriefing(briefing, 'md'));
const html = await measure('HTML (printable)', () => renderBriefing(briefing, 'html'));
const markdownIt = await measure('  peer: markdown-it, our Markdown → HTML', () => markdownParser.render(markdownText));
const json = await measure('W3C JSON', () => renderBriefing(briefing, 'json'));
const stringify = await measure('  peer: JSON.stringify(annotations)', () => JSON.stringify(data.annotations));
const endToEnd = await measure('build + DOCX (what an export costs)', async () => renderBriefing(build(), 'docx'));

const docxBytes = ((await renderBriefing(briefing, 'docx')).body as Uint8Array).length;
const ratio = (a: { cpu: number }, b: { cpu: number }) => `${(a.cpu / b.cpu).toFixed(2)}x`;
console.log(
  `\nDOCX size ${(docxBytes / 1024).toFixed(0)} KiB; ${briefing.stats.entries} clauses, ${briefing.stats.notes} notes`,
);
console.log('Ratios of CPU time:');
console.log(`  DOCX / plain docx        ${ratio(docx, plain)}`);
console.log(`  HTML / markdown-it       ${ratio(html, markdownIt)}`);
console.log(`  Markdown / markdown-it   ${ratio(md, markdownIt)}`);
console.log(`  JSON / JSON.stringify    ${ratio(json, stringify)}`);
const met = endToEnd.cpu < 1000 ? 'met' : 'NOT met';
console.log(
  `\nTarget DOCX < 1000 ms (build + render, CPU time): ${met}: ${endToEnd.cpu.toFixed(0)} ms CPU, ${endToEnd.wall.toFixed(0)} ms wall at load ${load1!.toFixed(1)}`,
);
