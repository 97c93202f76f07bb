/**
 * `npm run check:compare [outDir]`: compares sample versions (the 北京市审计条例 2017 and 2023 revisions, the
 * 全国年节及纪念日放假办法 2013 and 2024, the reference notice and its republished copy), renders each 新旧对照表
 * as DOCX and Markdown into outDir (default .output/compare-check), writes the summaries, and, when
 * LibreOffice and poppler-utils are installed, converts each DOCX to PDF and PNG pages to look at. Not part of
 * `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JSDOM } from 'jsdom';
import type { Language } from '../shared/briefing/i18n.ts';
import { compareClauses, renderComparison, snapshotOf, summarizeChanges } from '../shared/compare/index.ts';

const outDir = resolve(process.argv[2] ?? '.output/compare-check');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const fixtures = resolve(import.meta.dirname, '../test/fixtures');
const cases: { name: string; before: string; after: string; language: Language; onlyChanges?: boolean }[] = [
  {
    name: 'audit-zh',
    before: 'compare/beijing-audit-regulations-2017.html',
    after: 'compare/beijing-audit-regulations-2023.html',
    language: 'zh',
  },
  { name: 'holidays-zh', before: 'compare/holidays-2013.html', after: 'compare/holidays-2024.html', language: 'zh' },
  { name: 'holidays-en', before: 'compare/holidays-2013.html', after: 'compare/holidays-2024.html', language: 'en' },
  {
    name: 'suizhou-changes-zh',
    before: 'corpus/pages/01-suizhou-edu-2023.html',
    after: 'corpus/edits/01-suizhou-edu-2023.v2.html',
    language: 'zh',
    onlyChanges: true,
  },
];

function load(file: string): Document {
  return new JSDOM(readFileSync(join(fixtures, file), 'utf8')).window.document;
}

function has(command: string): boolean {
  return spawnSync('which', [command], { encoding: 'utf8' }).status === 0;
}

const canConvert = has('soffice') && has('pdftoppm');
for (const { name, before, after, language, onlyChanges } of cases) {
  const [oldDoc, newDoc] = [load(before), load(after)];
  const changes = compareClauses(oldDoc, newDoc);
  const input = { before: snapshotOf(oldDoc), after: snapshotOf(newDoc), changes, language, onlyChanges };
  for (const format of ['docx', 'md'] as const) {
    writeFileSync(join(outDir, `${name}.${format}`), (await renderComparison(input, format)).body);
  }
  writeFileSync(join(outDir, `${name}.summary.txt`), `${summarizeChanges(changes, language)}\n`);
  if (!canConvert) continue;
  const profile = join(outDir, '.lo-profile');
  const converted = spawnSync(
    'soffice',
    [
      `-env:UserInstallation=file://${profile}`,
      '--headless',
      '--convert-to',
      'pdf',
      '--outdir',
      outDir,
      join(outDir, `${name}.docx`),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (converted.status !== 0) {
    console.error(`LibreOffice could not convert ${name}.docx:`, converted.stderr || converted.stdout);
    process.exitCode = 1;
    continue;
  }
  spawnSync('pdftoppm', ['-png', '-r', '80', join(outDir, `${name}.pdf`), join(outDir, `${name}-page`)]);
}
rmSync(join(outDir, '.lo-profile'), { recursive: true, force: true });

console.log(`Wrote ${outDir}:`);
for (const file of readdirSync(outDir).sort()) console.log(`  ${file}`);
if (!canConvert) {
  console.log('\nLibreOffice (soffice) or pdftoppm is missing: no PDF or PNG pages. On Debian:');
  console.log('  sudo apt-get install -y libreoffice-writer-nogui poppler-utils fonts-noto-cjk');
}
