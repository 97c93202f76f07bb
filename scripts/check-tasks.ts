/**
 * `npm run check:briefing` (after the briefings) or `npm run check:tasks [outDir]`: renders the reference
 * notice's 27 tasks as a 任务分解表 (XLSX, DOCX, CSV; Chinese with progress, English without) and the 落实情况
 * report of a quarter (DOCX and Markdown, per unit and per section) into outDir (default
 * .output/tasks-check), and converts the DOCX and XLSX files to PDF and PNG pages to look at. The files the
 * end-to-end test exported from the side panel (test-results/e2e/tasks, after `npx vitest run test/e2e/tasks`)
 * are converted too, into outDir/e2e.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  type ProgressReportInput,
  renderProgressReport,
  renderTaskTable,
  toReportTasks,
  toTaskRows,
} from '../shared/tasks/index.ts';
import { REFERENCE_SECTIONS, referenceProgress, referenceTasks, SAMPLE_UNITS } from '../test/fixtures/tasks/sample.ts';
import { canConvert, convertToPages, printMissingTools } from './office-pages.ts';

const outDir = resolve(process.argv[2] ?? '.output/tasks-check');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const tasks = referenceTasks();
const progress = referenceProgress();
const today = '2023-07-03';
const withProgress = toTaskRows(tasks, { units: SAMPLE_UNITS, progress });
const plain = toTaskRows(tasks, { units: SAMPLE_UNITS });
const office: string[] = [];

// The DOCX is the attachment a notice carries; its name differs from the workbook's so their PDFs do not clash.
const fileName = (language: string, format: string) =>
  `${format === 'docx' ? 'attachment' : 'table'}-${language}.${format}`;
for (const format of ['xlsx', 'docx', 'csv'] as const) {
  const zh = await renderTaskTable(withProgress, { format, title: '2023年工作要点任务分解表', today });
  writeFileSync(join(outDir, fileName('zh', format)), zh);
  if (format !== 'csv') office.push(join(outDir, fileName('zh', format)));
}
for (const format of ['xlsx', 'docx'] as const) {
  const en = await renderTaskTable(plain, { format, title: '2023 work plan: tasks', language: 'en', today });
  writeFileSync(join(outDir, fileName('en', format)), en);
  office.push(join(outDir, fileName('en', format)));
}

const reportTasks = toReportTasks(tasks, {
  units: SAMPLE_UNITS,
  progress,
  sectionTitle: (task) => REFERENCE_SECTIONS[task.clause.path[0]!],
});
const report: ProgressReportInput = {
  title: '2023年工作要点第二季度落实情况',
  unit: '市教育局办公室',
  period: { from: '2023-04-01', to: '2023-06-30' },
  today,
  groupBy: 'unit',
  tasks: reportTasks,
};
const reports: [string, ProgressReportInput][] = [
  ['report-unit', report],
  ['report-clause', { ...report, groupBy: 'clause' }],
  [
    'report-en',
    { ...report, title: 'Work plan 2023: second quarter', unit: 'Education Bureau Office', language: 'en' },
  ],
];
for (const [name, input] of reports) {
  for (const format of ['docx', 'md'] as const) {
    writeFileSync(join(outDir, `${name}.${format}`), (await renderProgressReport(input, { format })).body);
  }
  office.push(join(outDir, `${name}.docx`));
}

const e2eFiles = resolve('test-results/e2e/tasks');
const exported = existsSync(e2eFiles)
  ? readdirSync(e2eFiles)
      .filter((name) => /\.(xlsx|docx)$/.test(name))
      .map((name) => join(e2eFiles, name))
  : [];
if (exported.length) {
  mkdirSync(join(outDir, 'e2e'), { recursive: true });
  for (const file of exported) copyFileSync(file, join(outDir, 'e2e', basename(file)));
}

if (canConvert && !convertToPages(outDir, office)) process.exitCode = 1;
if (canConvert && exported.length) {
  const copies = exported.map((file) => join(outDir, 'e2e', basename(file)));
  if (!convertToPages(join(outDir, 'e2e'), copies)) process.exitCode = 1;
}
console.log(`Wrote ${outDir}:`);
for (const file of readdirSync(outDir).sort()) console.log(`  ${file}`);
if (exported.length) for (const file of readdirSync(join(outDir, 'e2e')).sort()) console.log(`  e2e/${file}`);
if (!canConvert) printMissingTools();
