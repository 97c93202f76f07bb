/**
 * `npm run bench:tasks`: the task library on the paths users hit.
 *   - 1,000 tasks to the 任务分解表 as XLSX and as DOCX (target: each under 1 s), beside the same cells written
 *     by exceljs and docx with no layout (the floor for any table built on them) and CSV;
 *   - the 落实情况 report of 1,000 tasks as DOCX and Markdown;
 *   - extractTaskHints over every clause of the longest corpus page (07, 1,408 clauses, segmented with
 *     shared/anchoring in jsdom; target under 50 ms), beside segmenting that page.
 * Prints the median wall and CPU time of RUNS runs after a warm-up. Not a test: figures depend on the machine and
 * its load (printed with them).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Document, Packer, Table, TableCell, TableRow, Paragraph as DocxParagraph } from 'docx';
import ExcelJS from 'exceljs';
import { JSDOM } from 'jsdom';
import { forgetPageIndex, segmentClauses } from '../../shared/anchoring/index.ts';
import { extractTaskHints, renderProgressReport, renderTaskTable, type TaskRow } from '../../shared/tasks/index.ts';
import { prepareTable } from '../../shared/tasks/table.ts';
import { generatedRows } from '../../test/fixtures/tasks/sample.ts';
import { type Figure, measure, RUNS } from '../measure.ts';

const TASKS = Number(process.env.BENCH_TASKS ?? 1_000);
const PAGE = join(import.meta.dirname, '../../test/fixtures/corpus/pages/07-spp-criminal-procedure-rules-2019.html');

/** The same cells in a workbook with no styles, widths, freeze, filter or print setup. */
async function plainXlsx(rows: TaskRow[]): Promise<unknown> {
  const table = prepareTable(rows, { format: 'xlsx', title: 't' });
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('t');
  for (const row of table.rows) sheet.addRow(table.columns.map((c) => row.text[c]));
  return workbook.xlsx.writeBuffer();
}

/** The same cells in a Word table with no styles, widths or header row. */
function plainDocx(rows: TaskRow[]): Promise<Uint8Array> {
  const table = prepareTable(rows, { format: 'docx', title: 't' });
  const tableRows = table.rows.map(
    (row) =>
      new TableRow({
        children: table.columns.map((c) => new TableCell({ children: [new DocxParagraph(row.text[c])] })),
      }),
  );
  return Packer.pack(new Document({ sections: [{ children: [new Table({ rows: tableRows })] }] }), 'uint8array');
}

const rows = generatedRows(TASKS);
const [load] = loadavg();
console.log(
  `Task benchmark: ${TASKS} tasks, ${RUNS} runs each, Node ${process.versions.node} (load average ${load!.toFixed(2)})\n`,
);

const xlsx = await measure('任务分解表 XLSX (frozen header, filter, dates, print)', () =>
  renderTaskTable(rows, { format: 'xlsx', title: '任务分解表', today: '2023-07-03' }),
);
const xlsxPeer = await measure('  peer: exceljs, same cells, no layout', () => plainXlsx(rows));
const docx = await measure('任务分解表 DOCX (GB/T 9704 attachment)', () =>
  renderTaskTable(rows, { format: 'docx', title: '任务分解表', today: '2023-07-03' }),
);
const docxPeer = await measure('  peer: docx, same cells, no layout', () => plainDocx(rows));
await measure('任务分解表 CSV', () => renderTaskTable(rows, { format: 'csv', title: '任务分解表' }));

const reportInput = {
  title: '落实情况',
  unit: '办公室',
  period: { from: '2023-04-01', to: '2023-06-30' },
  today: '2023-07-03',
  groupBy: 'unit' as const,
  tasks: rows.map((row, i) => ({
    ...row,
    progress: [{ at: `2023-0${4 + (i % 3)}-1${i % 10}`, by: '张敏', text: '已完成阶段性任务，材料已归档。' }],
  })),
};
await measure('落实情况 report DOCX', () => renderProgressReport(reportInput, { format: 'docx' }));
await measure('落实情况 report Markdown', () => renderProgressReport(reportInput, { format: 'md' }));

const dom = new JSDOM(readFileSync(PAGE, 'utf8'), { url: 'https://www.spp.gov.cn/rules.html' });
const clauses = segmentClauses(dom.window.document);
const texts = clauses.map((c) => c.text);
const ownTexts = clauses.map((c) => c.text.slice(0, c.ownEnd - c.start));
const chars = (list: string[]) => list.reduce((n, t) => n + t.length, 0);
console.log(
  `\nLongest corpus page: ${clauses.length} clauses; ${chars(texts)} characters of clause text with sub-clauses, ${chars(ownTexts)} without`,
);
const hints = await measure(
  'extractTaskHints, every clause (with sub-clauses)',
  () => {
    for (const text of texts) extractTaskHints(text, { year: 2019 });
  },
  15,
);
await measure(
  'extractTaskHints, every clause (own text)',
  () => {
    for (const text of ownTexts) extractTaskHints(text, { year: 2019 });
  },
  15,
);
await measure(
  '  context: segmenting the page (shared/anchoring, jsdom)',
  () => {
    forgetPageIndex(dom.window.document);
    segmentClauses(dom.window.document);
  },
  5,
);

const ratio = (a: Figure, b: Figure) => `${(a.cpu / b.cpu).toFixed(2)}x`;
console.log('\nCPU time against the plain writers:');
console.log(`  XLSX / plain exceljs   ${ratio(xlsx, xlsxPeer)}`);
console.log(`  DOCX / plain docx      ${ratio(docx, docxPeer)}`);
const verdict = (figure: Figure, limit: number) => (figure.cpu < limit ? 'met' : 'NOT met');
console.log(
  `\nTargets (CPU time): XLSX < 1000 ms ${verdict(xlsx, 1000)}, DOCX < 1000 ms ${verdict(docx, 1000)}, hints < 50 ms ${verdict(hints, 50)}`,
);
