/**
 * Exports of the 任务 tab, from what it shows (this notice, or the team's tasks under the filter): the 任务分解表
 * as XLSX, DOCX or CSV at once, and the 落实情况 report for a period (from, to; per unit or per clause) as DOCX or
 * Markdown. Made offline from the store; exceljs and docx load only when such a file is made.
 */
import { useState } from 'react';
import { addDays, type TableFormat, type TaskFilter } from '../../../../shared/tasks/index.ts';
import { currentLanguage, errorText, t } from '../../../lib/i18n.ts';
import type { StoreQueries } from '../../../lib/store/queries.ts';
import { isReversed, PeriodFields } from '../../common/DateField.tsx';
import { Notice } from '../../common/Notice.tsx';
import { saveFile } from '../briefing-export.ts';
import { exportProgressReport, exportTaskTable } from './task-export.ts';

const TABLE_FORMATS: TableFormat[] = ['xlsx', 'docx', 'csv'];

export function TaskExportBar({
  queries,
  teamId,
  filter,
  today,
  timeZone,
  titles,
  disabled,
}: {
  queries: StoreQueries;
  teamId: string;
  filter: TaskFilter;
  today: string;
  timeZone: string;
  titles: { table: string; report: string };
  disabled: boolean;
}) {
  const [reportOpen, setReportOpen] = useState(false);
  const [period, setPeriod] = useState({ from: addDays(today, -30), to: today });
  const [groupBy, setGroupBy] = useState<'unit' | 'clause'>('unit');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const language = currentLanguage() === 'en' ? 'en' : 'zh';
  const reversed = isReversed(period);

  const run = async (make: () => Promise<{ filename: string; blob: Blob }>) => {
    setBusy(true);
    setError(null);
    try {
      saveFile(await make());
    } catch (e) {
      setError(errorText(e));
    }
    setBusy(false);
  };
  const source = () => queries.tasks.export(teamId, filter, today);
  const table = (format: TableFormat) =>
    run(async () => exportTaskTable(await source(), { format, title: titles.table, language, today, timeZone }));
  const report = (format: 'docx' | 'md') =>
    run(async () =>
      exportProgressReport(await source(), {
        format,
        title: titles.report,
        period,
        groupBy,
        language,
        today,
        timeZone,
      }),
    );

  return (
    <div className="pz-task-exports">
      <div className="pz-row">
        <span className="pz-small">{t('task_export_table')}</span>
        {TABLE_FORMATS.map((format) => (
          <button
            key={format}
            type="button"
            data-export-table={format}
            disabled={disabled || busy}
            onClick={() => void table(format)}
          >
            {format.toUpperCase()}
          </button>
        ))}
        <span className="pz-spacer" />
        <button
          type="button"
          aria-expanded={reportOpen}
          data-export="report"
          disabled={disabled}
          onClick={() => setReportOpen(!reportOpen)}
        >
          {t('task_export_report')}
        </button>
      </div>
      {reportOpen && (
        <fieldset className="pz-task-report">
          <legend>{t('task_export_report')}</legend>
          <PeriodFields
            className="pz-task-date"
            names={{ from: 'from', to: 'to' }}
            labels={{ from: t('task_report_from'), to: t('task_report_to') }}
            value={period}
            onChange={(next) => next.from && next.to && setPeriod(next)}
          />
          <label>
            {t('task_report_group')}
            <select name="groupBy" value={groupBy} onChange={(e) => setGroupBy(e.target.value as 'unit' | 'clause')}>
              <option value="unit">{t('task_report_by_unit')}</option>
              <option value="clause">{t('task_report_by_clause')}</option>
            </select>
          </label>
          <div className="pz-row">
            <button
              type="button"
              data-export-report="docx"
              disabled={busy || reversed}
              onClick={() => void report('docx')}
            >
              DOCX
            </button>
            <button type="button" data-export-report="md" disabled={busy || reversed} onClick={() => void report('md')}>
              Markdown
            </button>
          </div>
        </fieldset>
      )}
      {error && <Notice kind="error">{error}</Notice>}
    </div>
  );
}
