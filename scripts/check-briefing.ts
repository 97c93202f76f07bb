/**
 * `npm run check:briefing [outDir]`: renders the sample briefings (Chinese, grouped by tag and by document;
 * English; empty; a longer generated one) in every format into outDir (default .output/briefing-check), and,
 * when LibreOffice and poppler-utils are installed, converts each DOCX to PDF and PNG pages to look at.
 *
 * It then checks what the eye would: the closing block (版记) is on the last page and its last rule lies on the
 * last line of the text block (found in a grey rendering of that page: the lowest dark line across the text
 * width, against the bottom margin the DOCX declares). A misplaced block sets a non-zero exit code.
 *
 * LibreOffice ignores the fallbacks declared in the DOCX font table (see shared/briefing/docx-fonts.ts), so the
 * conversion runs with a fontconfig file that maps the official font names to the free Noto CJK faces, closer
 * to what an official sees than fontconfig's default (a sans face for everything): scripts/office-pages.ts.
 * Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import {
  type BriefingInput,
  type BriefingOptionsInput,
  buildBriefing,
  renderBriefing,
} from '../shared/briefing/index.ts';
import { englishSample, generatedData, sampleData } from '../test/unit/briefing/sample.ts';
import { fontconfigFile, has } from './office-pages.ts';

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
const generated = generatedData(40, 3);
const cases: { name: string; input: BriefingInput }[] = [
  {
    name: 'zh-by-tag',
    input: { ...zh, options: { ...header, groupBy: 'tag' }, anchoring: { [zh.orphanId]: 'orphan' } },
  },
  {
    name: 'zh-by-document',
    input: {
      ...zh,
      options: { ...header, groupBy: 'document', summaryTable: false, includeEmptyNotes: true },
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
  { name: 'zh-generated', input: { ...generated, options: { ...header, groupBy: 'document' } } },
];

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, env });
}

/** A binary greymap (PGM "P5", 8 bits) as rows of bytes. */
function readGreymap(file: string): { width: number; height: number; pixel: (x: number, y: number) => number } {
  const data = readFileSync(file);
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error(`${file} is not a binary greymap`);
  const [whole, width, height] = [header[0].length, Number(header[1]), Number(header[2])];
  return { width, height, pixel: (x, y) => data[whole + y * width + x]! };
}

/**
 * Where the closing block ends on the last page of a PDF rendered from `docx`: the lowest line (in points from
 * the top) that is dark across the text block's width, and where the text block ends, from the DOCX's margins.
 */
function closingBlockPosition(docx: string, pdf: string): { pages: number; lastRule: number | null; blockEnd: number } {
  const document = strFromU8(unzipSync(readFileSync(docx))['word/document.xml']!);
  const twips = (name: string) => Number(new RegExp(`<w:pgMar [^>]*w:${name}="(\\d+)"`).exec(document)?.[1]);
  const pageHeight = Number(/<w:pgSz [^>]*w:h="(\d+)"/.exec(document)?.[1]) / 20;
  const [left, right, bottom] = [twips('left') / 20, twips('right') / 20, twips('bottom') / 20];
  const pages = Number(/Pages:\s+(\d+)/.exec(run('pdfinfo', [pdf]).stdout)?.[1]);
  const prefix = `${pdf}.last`;
  // 72 dots per inch: one pixel is one point
  run('pdftoppm', ['-gray', '-r', '72', '-f', String(pages), '-l', String(pages), pdf, prefix]);
  const file = readdirSync(outDir).find((f) => join(outDir, f).startsWith(prefix) && f.endsWith('.pgm'))!;
  const page = readGreymap(join(outDir, file));
  rmSync(join(outDir, file));
  const [x0, x1] = [Math.ceil(left) + 1, page.width - Math.ceil(right) - 1];
  let lastRule: number | null = null;
  for (let y = 0; y < page.height; y++) {
    let dark = 0;
    for (let x = x0; x < x1; x++) if (page.pixel(x, y) < 128) dark++;
    if (dark >= 0.97 * (x1 - x0)) lastRule = y;
  }
  return { pages, lastRule, blockEnd: pageHeight - bottom };
}

const canConvert = has('soffice') && has('pdftoppm') && has('pdfinfo');
const fonts = canConvert ? fontconfigFile(outDir) : '';
const checks: string[] = [];
for (const { name, input } of cases) {
  const briefing = buildBriefing(input);
  for (const format of ['docx', 'md', 'html', 'json'] as const) {
    const file = await renderBriefing(briefing, format);
    writeFileSync(join(outDir, `${name}.${format}`), file.body);
  }
  if (!canConvert) continue;
  const docx = join(outDir, `${name}.docx`);
  const pdf = join(outDir, `${name}.pdf`);
  const converted = run(
    'soffice',
    [
      `-env:UserInstallation=file://${join(outDir, '.lo-profile')}`,
      '--headless',
      '--convert-to',
      'pdf',
      '--outdir',
      outDir,
      docx,
    ],
    { ...process.env, FONTCONFIG_FILE: fonts },
  );
  if (converted.status !== 0) {
    console.error(`LibreOffice could not convert ${name}.docx:`, converted.stderr || converted.stdout);
    process.exitCode = 1;
    continue;
  }
  run('pdftoppm', ['-png', '-r', '80', pdf, join(outDir, `${name}-page`)]);
  if (!briefing.closing) continue;
  const { pages, lastRule, blockEnd } = closingBlockPosition(docx, pdf);
  const lastPageText = run('pdftotext', ['-f', String(pages), '-l', String(pages), pdf, '-']).stdout.replace(
    /\s+/g,
    '',
  );
  const onLastPage = lastPageText.includes(briefing.closing.issued.replace(/\s+/g, ''));
  // the rule is about a point thick: its lowest row is within two points of the text block's end
  const placed = onLastPage && lastRule !== null && Math.abs(lastRule - blockEnd) <= 2;
  checks.push(
    `${placed ? 'ok  ' : 'FAIL'} ${name}: 版记 ${onLastPage ? `on page ${pages} of ${pages}` : 'NOT on the last page'}, ` +
      `last rule at ${lastRule ?? 'none'} pt, text block ends at ${blockEnd.toFixed(1)} pt`,
  );
  if (!placed) process.exitCode = 1;
}
rmSync(join(outDir, '.lo-profile'), { recursive: true, force: true });
rmSync(join(outDir, '.fonts.conf'), { force: true });

console.log(`Wrote ${outDir}:`);
for (const file of readdirSync(outDir).sort()) console.log(`  ${file}`);
if (checks.length)
  console.log(`\nClosing block (版记) in the LibreOffice rendering:\n${checks.map((c) => `  ${c}`).join('\n')}`);
if (!canConvert) {
  console.log(
    '\nLibreOffice (soffice) or poppler-utils (pdftoppm, pdfinfo) is missing: no PDF or PNG pages. On Debian:',
  );
  console.log('  sudo apt-get install -y libreoffice-writer-nogui poppler-utils fonts-noto-cjk');
}
