/** The 落实情况 report as Markdown: everything people wrote is escaped as text, links are http(s) only. */
import { escapeMarkdownInline, escapeMarkdownLines, safeHttpUrl } from '../briefing/escape.ts';
import { chineseNumeral } from '../briefing/i18n.ts';
import type { ProgressReport, ReportItem } from './report.ts';

export function renderReportMarkdown(report: ProgressReport): string {
  const { labels } = report;
  const zh = report.language === 'zh';
  const out: string[] = [`# ${escapeMarkdownInline(report.title)}`, ''];
  out.push(labels.periodLine(report.period.from, report.period.to, report.today), '');
  out.push(labels.summary(report.counts), '');
  out.push(`**${labels.summaryCaption}**`, '');
  out.push(
    tableRow(labels.summaryHeaders(report.groupBy)),
    tableRow(labels.summaryHeaders(report.groupBy).map(() => '---')),
  );
  for (const group of [...report.groups, { title: labels.total, counts: report.counts, items: [] }]) {
    const c = group.counts;
    out.push(
      tableRow([
        escapeMarkdownInline(group.title),
        ...[c.total, c.done, c.doing, c.todo, c.overdue, c.reported].map(String),
      ]),
    );
  }
  out.push('');
  report.groups.forEach((group, g) => {
    const number = group.numbered ? '' : zh ? `${chineseNumeral(g + 1)}、` : `${g + 1}. `;
    out.push(`## ${number}${escapeMarkdownInline(labels.groupHeading(group.title, group.counts))}`, '');
    group.items.forEach((item, i) => {
      out.push(...renderItem(report, item, zh ? `（${chineseNumeral(i + 1)}）` : `${i + 1}. `), '');
    });
  });
  // Groups numbered by the notice's own labels leave the overdue list unnumbered, not 七、 after its 六、.
  const overdueNumber = report.groups.some((g) => g.numbered)
    ? ''
    : zh
      ? `${chineseNumeral(report.groups.length + 1)}、`
      : `${report.groups.length + 1}. `;
  out.push(`## ${overdueNumber}${labels.overdueHeading}`, '');
  if (!report.overdue.length) out.push(labels.noOverdue, '');
  else {
    out.push(tableRow(labels.overdueHeaders), tableRow(labels.overdueHeaders.map(() => '---')));
    for (const item of report.overdue) {
      out.push(
        tableRow([
          String(item.no),
          escapeMarkdownInline(item.clausePath),
          escapeMarkdownInline(item.task),
          escapeMarkdownInline(item.leadUnits.join(labels.listSeparator)),
          escapeMarkdownInline(item.due?.text ?? ''),
          String(item.overdueDays ?? ''),
        ]),
      );
    }
    out.push('');
  }
  if (report.unit) out.push(escapeMarkdownInline(report.unit), '');
  out.push(labels.date(report.today), '');
  return out.join('\n');
}

function renderItem(report: ProgressReport, item: ReportItem, number: string): string[] {
  const { labels } = report;
  const lines = [`### ${number}${escapeMarkdownInline(item.task)}`, '', escapeMarkdownInline(labels.meta(item)), ''];
  if (item.requirement) {
    const [first = '', ...rest] = escapeMarkdownLines(item.requirement).filter(Boolean);
    lines.push(`${labels.requirement}${first}`, ...rest.flatMap((line) => ['', line]), '');
  }
  if (!item.latest) {
    lines.push(labels.noProgress);
    return lines;
  }
  const link = safeHttpUrl(item.latest.link);
  const [first = '', ...rest] = escapeMarkdownLines(item.latest.text).filter(Boolean);
  lines.push(
    `${escapeMarkdownInline(labels.latest(item.latest))}${first}${link ? ` [${labels.attachmentLink}](<${link}>)` : ''}`,
  );
  for (const line of rest) lines.push('', line);
  return lines;
}

/** Cells are escaped already (escapeMarkdownInline escapes |) or are numbers and fixed words. */
function tableRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}
