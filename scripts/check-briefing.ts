/**
 * `npm run check:briefing [outDir]`: renders the sample briefings (Chinese, grouped by tag and by document;
 * English; empty) in every format into outDir (default .output/briefing-check), and, when LibreOffice and
 * poppler-utils are installed, converts each DOCX to PDF and PNG pages to look at. Not part of `npm test`.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type BriefingInput,
  type BriefingOptionsInput,
  buildBriefing,
  renderBriefing,
} from '../shared/briefing/index.ts';
import { englishSample, sampleData } from '../test/unit/briefing/sample.ts';
import { canConvert, convertToPages, printMissingTools } from './office-pages.ts';

const outDir = resolve(process.argv[2] ?? '.output/briefing-check');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const header: BriefingOptionsInput = {
  unit: '市教育局办公室',
  issueNumber: '3',
  mark: '内部资料',
  reportTo: '市委办公室，市政府办公室',
  copyTo: '各区县教育局',
  distributeTo: '局机关各科室',
  copies: 20,
};

const zh = sampleData();
const en = englishSample();
const cases: { name: string; input: BriefingInput }[] = [
  {
    name: 'zh-by-tag',
    input: { ...zh, options: { ...header, groupBy: 'tag' }, anchoring: { [zh.orphanId]: 'orphan' } },
  },
  {
    name: 'zh-by-document',
    input: {
      ...zh,
      options: { ...header, groupBy: 'document', summaryTable: false },
      anchoring: { [zh.orphanId]: 'orphan' },
    },
  },
  {
    name: 'en',
    input: {
      ...en,
      options: { unit: 'Sector San Francisco', issueNumber: '7', reportTo: 'District 11 Commander', copies: 5 },
    },
  },
  { name: 'zh-empty', input: { annotations: [], documents: [], now: zh.now, options: header } },
];

for (const { name, input } of cases) {
  const briefing = buildBriefing(input);
  for (const format of ['docx', 'md', 'html', 'json'] as const) {
    const file = await renderBriefing(briefing, format);
    writeFileSync(join(outDir, `${name}.${format}`), file.body);
  }
  if (canConvert && !convertToPages(outDir, [join(outDir, `${name}.docx`)])) process.exitCode = 1;
}

console.log(`Wrote ${outDir}:`);
for (const file of readdirSync(outDir).sort()) console.log(`  ${file}`);
if (!canConvert) printMissingTools();
