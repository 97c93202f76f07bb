/**
 * Every fixed word of a briefing, in Chinese (公文 usage) and English, so the model and all renderers
 * say the same thing.
 */
export type Language = 'zh' | 'en';

/** What a source line cites of a document (the model's BriefingSource adds its number and the line itself). */
export type SourceCitation = {
  title: string;
  issuer?: string;
  docNumber?: string;
  publishedAt?: string;
  url?: string;
  readAt?: string;
};

const CN_DIGITS = '零一二三四五六七八九';

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (up to 9999; larger numbers stay Arabic). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999) return String(n);
  if (n < 10) return CN_DIGITS[n]!;
  const units = ['', '十', '百', '千'];
  const digits = String(n).split('').map(Number);
  let out = '';
  let pendingZero = false;
  digits.forEach((digit, i) => {
    const unit = units[digits.length - 1 - i]!;
    if (digit === 0) {
      pendingZero = out !== '';
      return;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    out += (digit === 1 && unit === '十' && out === '' ? '' : CN_DIGITS[digit]) + unit;
  });
  return out;
}

export type Labels = {
  defaultMasthead: string;
  issue: (issueNumber: string) => string;
  groupLabel: (n: number) => string;
  entryLabel: (group: number, n: number) => string;
  untagged: string;
  noClause: string;
  unknownDocument: string;
  untitledDocument: string;
  authorGroup: (name: string) => string;
  documentTitle: (title: string) => string;
  orphanMark: string;
  orphanExplanation: string;
  replyMark: string;
  /** What follows an annotator's name: （回复，2024年3月5日 10:20） or (reply, 5 March 2024, 10:20). */
  noteMeta: (time: string, isReply: boolean) => string;
  /** Between a heading's number and its text. */
  labelGap: string;
  /** A highlight without a note, where the options ask for such lines (includeEmptyNotes). */
  highlightOnly: string;
  /** An entry's heading when its quote is empty. */
  noQuote: string;
  /** Ends a heading cut from a longer quote. */
  ellipsis: string;
  /** The line under an entry's heading that says where the quote is (its clause label path). */
  referenceLine: (reference: string) => string;
  openOnPage: string;
  summaryCaption: string;
  /** Introduces the comparison's summary paragraph (options.changeSummary). */
  changes: (summary: string) => string;
  summaryHeaders: readonly [string, string, string, string, string];
  sourcesHeading: string;
  listSeparator: string;
  noteSeparator: string;
  colon: string;
  closing: {
    reportTo: string;
    copyTo: string;
    distributeTo: string;
    issued: (date: string) => string;
    copies: (n: number) => string;
  };
  source: (s: SourceCitation) => string;
  lead: (s: {
    notes: number;
    annotators: number;
    entries: number;
    documents: number;
    tags: { tag: string; count: number }[];
    orphans: number;
  }) => string;
  scope: (s: {
    documents: string;
    tags: string[];
    from?: string;
    to?: string;
    who: 'team' | 'mine';
    /** Private ("Only me") notes in the briefing: said, so no one takes it for what the team shares. */
    privateNotes: number;
  }) => string;
  defaultTitle: (s: { documentTitle?: string; tag?: string }) => string;
  allDocuments: string;
};

const zh: Labels = {
  defaultMasthead: '工作简报',
  issue: (n) => (n === '' ? '' : /期/.test(n) ? n : `第${n}期`),
  groupLabel: (n) => `${chineseNumeral(n)}、`,
  entryLabel: (_group, n) => `（${chineseNumeral(n)}）`,
  untagged: '未分类',
  noClause: '（未识别条款）',
  unknownDocument: '来源不详的文件',
  untitledDocument: '无标题页面',
  authorGroup: (name) => `${name}的批注`,
  documentTitle: (title) => `《${title}》`,
  orphanMark: '【原文未定位】',
  orphanExplanation: '原文页面已变化，未能在现行页面上定位该条款。',
  replyMark: '（回复）',
  noteMeta: (time, isReply) => `（${isReply ? '回复，' : ''}${time}）`,
  labelGap: '',
  highlightOnly: '（仅标注，未加批注）',
  noQuote: '（未摘录原文）',
  ellipsis: '……',
  referenceLine: (reference) => `条款：${reference}`,
  openOnPage: '查看原文',
  summaryCaption: '批注一览表',
  changes: (summary) => `与上一版本相比，${summary}`,
  summaryHeaders: ['标签', '条款', '原文摘录', '批注人', '批注要点'],
  sourcesHeading: '资料来源',
  listSeparator: '、',
  noteSeparator: '；',
  colon: '：',
  closing: {
    reportTo: '报：',
    copyTo: '送：',
    distributeTo: '发：',
    issued: (date) => `${date}印发`,
    copies: (n) => `（共印${n}份）`,
  },
  source: (s) =>
    `${[
      s.title ? `《${s.title}》` : '',
      s.issuer ?? '',
      s.docNumber ?? '',
      s.publishedAt ? `${s.publishedAt}发布` : '',
      s.url ?? '',
      s.readAt ? `${s.readAt}阅读` : '',
    ]
      .filter(Boolean)
      .join('，')}。`,
  lead: (s) => {
    if (s.notes === 0) return '本期无符合条件的批注。';
    let text = `本期汇总${s.annotators}位同志对${s.documents}份文件中${s.entries}处条款所作的${s.notes}条批注`;
    if (s.tags.length) text += `，涉及${s.tags.map((t) => `“${t.tag}”${t.count}处`).join('、')}`;
    text += '。';
    if (s.orphans) text += `其中${s.orphans}处条款在原文页面上已无法定位，已注明“原文未定位”。`;
    return text;
  },
  scope: (s) =>
    `${[
      `范围：${s.documents}`,
      s.tags.length ? `标签：${s.tags.join('、')}` : '',
      s.from || s.to ? `时间：${s.from ?? '不限'}至${s.to ?? '今'}` : '',
      `批注人：${s.who === 'mine' ? '本人' : '全体成员'}`,
      s.privateNotes ? `含仅本人可见的批注${s.privateNotes}条` : '',
    ]
      .filter(Boolean)
      .join('；')}。`,
  defaultTitle: (s) =>
    s.documentTitle
      ? `《${s.documentTitle}》学习批注要点`
      : s.tag
        ? `“${s.tag}”相关条款批注要点`
        : '政策文件学习批注要点',
  allDocuments: '全部文件',
};

const en: Labels = {
  defaultMasthead: 'Briefing',
  issue: (n) => (n === '' ? '' : /^\d+$/.test(n) ? `No. ${n}` : n),
  groupLabel: (n) => `${n}.`,
  entryLabel: (group, n) => `${group}.${n}`,
  untagged: 'Untagged',
  noClause: '(no clause number)',
  unknownDocument: 'Document of unknown origin',
  untitledDocument: 'Untitled page',
  authorGroup: (name) => `Notes by ${name}`,
  documentTitle: (title) => `“${title}”`,
  orphanMark: '[Not found on the page]',
  orphanExplanation: 'The page has changed and this clause could not be found on it.',
  replyMark: '(reply)',
  noteMeta: (time, isReply) => ` (${isReply ? 'reply, ' : ''}${time})`,
  labelGap: ' ',
  highlightOnly: '(highlighted, no note)',
  noQuote: '(no quoted text)',
  ellipsis: '…',
  referenceLine: (reference) => `Clause: ${reference}`,
  openOnPage: 'Open on the page',
  summaryCaption: 'Summary',
  changes: (summary) => `Compared with the earlier version: ${summary}`,
  summaryHeaders: ['Tag', 'Clause', 'Quote', 'Annotator', 'Note'],
  sourcesHeading: 'Sources',
  listSeparator: ', ',
  noteSeparator: '; ',
  colon: ': ',
  closing: {
    reportTo: 'To: ',
    copyTo: 'Cc: ',
    distributeTo: 'Distribution: ',
    issued: (date) => `Issued ${date}`,
    copies: (n) => `(${n} ${n === 1 ? 'copy' : 'copies'})`,
  },
  source: (s) =>
    `${[
      s.title ? `“${s.title}”` : '',
      s.issuer ?? '',
      s.docNumber ?? '',
      s.publishedAt ? `published ${s.publishedAt}` : '',
      s.url ?? '',
      s.readAt ? `read ${s.readAt}` : '',
    ]
      .filter(Boolean)
      .join(', ')}.`,
  lead: (s) => {
    if (s.notes === 0) return 'No annotations match this briefing.';
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    let text = `This briefing brings together ${plural(s.notes, 'note')} by ${plural(s.annotators, 'colleague')} on ${plural(s.entries, 'clause')} in ${plural(s.documents, 'document')}.`;
    if (s.tags.length) text += ` Tags: ${s.tags.map((t) => `“${t.tag}” (${t.count})`).join(', ')}.`;
    if (s.orphans)
      text += ` ${plural(s.orphans, 'clause')} could no longer be found on ${s.orphans === 1 ? 'its page' : 'their pages'} and ${s.orphans === 1 ? 'is' : 'are'} marked “not found on the page”.`;
    return text;
  },
  scope: (s) =>
    `${[
      `Scope: ${s.documents}`,
      s.tags.length ? `tags: ${s.tags.join(', ')}` : '',
      s.from || s.to ? `dates: ${s.from ?? 'any'} to ${s.to ?? 'today'}` : '',
      `annotators: ${s.who === 'mine' ? 'mine only' : 'the whole team'}`,
      s.privateNotes
        ? `includes ${s.privateNotes === 1 ? '1 private note' : `${s.privateNotes} private notes`} (“Only me”)`
        : '',
    ]
      .filter(Boolean)
      .join('; ')}.`,
  defaultTitle: (s) =>
    s.documentTitle
      ? `Notes on “${s.documentTitle}”`
      : s.tag
        ? `Clauses tagged “${s.tag}”`
        : 'Annotated policy clauses',
  allDocuments: 'all documents',
};

export const LABELS: Record<Language, Labels> = { zh, en };
