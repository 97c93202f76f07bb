import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../test/fixtures/tasks/csv.ts';
import {
  containsUnsafeText,
  HOSTILE,
  hostileRows,
  referenceProgress,
  referenceTasks,
  SAMPLE_UNITS,
} from '../../test/fixtures/tasks/sample.ts';
import { toTaskRows } from './model.ts';
import { csvField } from './render-csv.ts';
import { renderTaskTable } from './render.ts';

function read(bytes: Uint8Array): string[][] {
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parseCsv(new TextDecoder('utf-8', { fatal: true }).decode(bytes.slice(3)));
}

describe('CSV task table', () => {
  it('starts with a UTF-8 byte order mark and reads back row by row', async () => {
    const rows = toTaskRows(referenceTasks(), { units: SAMPLE_UNITS, progress: referenceProgress() });
    const table = read(await renderTaskTable(rows, { format: 'csv', title: '任务分解表', today: '2023-07-01' }));
    expect(table[0]).toEqual([
      '序号',
      '条款',
      '工作任务',
      '牵头单位',
      '责任单位',
      '分管领导',
      '完成时限',
      '工作要求',
      '状态',
      '最新进展',
    ]);
    expect(table).toHaveLength(1 + rows.length);
    rows.forEach((row, i) => {
      const fields = table[i + 1]!;
      expect(fields.slice(0, 8)).toEqual([
        String(row.no),
        row.clausePath,
        row.task,
        row.leadUnits.join('、'),
        row.units.join('、'),
        row.leader ?? '',
        row.due?.text ?? '',
        row.requirement ?? '',
      ]);
      expect(['未开始', '推进中', '已完成', '已逾期']).toContain(fields[8]);
      expect(fields[9]).toBe(
        row.latestProgress ? `${row.latestProgress.at} ${row.latestProgress.by}：${row.latestProgress.text}` : '',
      );
    });
  });

  it('quotes commas, quotes and line breaks, and defuses cells that Excel would run as formulas', async () => {
    const table = read(await renderTaskTable(hostileRows(), { format: 'csv', title: 't', language: 'en' }));
    expect(table[0]![0]).toBe('No.');
    const [first, second] = [table[1]!, table[2]!];
    expect(first[7]).toBe('He said "yes", then left,\nnew line');
    expect(first[4]).toBe(`reportgnp.exe and textiso, ${HOSTILE.formula}`);
    expect(second[1]).toBe(`'${HOSTILE.formula}`);
    expect(second[2]).toBe(`'${HOSTILE.formula}`);
    expect(second[6]).toBe("'+SUM(A1:A9)");
    expect(second[7]).toBe("'-2+3");
    const text = table.flat().join('');
    expect(containsUnsafeText(text)).toBe(false);
  });

  it('quotes only what needs it', () => {
    expect(csvField('市教育局')).toBe('市教育局');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('@SUM(1)')).toBe("'@SUM(1)");
  });
});
