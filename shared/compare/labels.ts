/** Every fixed word of a comparison export and its summary, in Chinese (the default) and English. */
import type { Language } from '../briefing/i18n.ts';
import type { ChangeStatus } from './types.ts';

export type ComparisonLabels = {
  title: (before: string, after: string) => string;
  versions: { before: string; after: string };
  headers: readonly [string, string, string];
  status: Record<ChangeStatus, string>;
  renumbered: (from: string, to: string) => string;
  untitled: string;
  none: string;
  /** "新增 1 条，修改 3 条，删除 0 条" */
  counts: (added: number, modified: number, removed: number) => string;
  /** One kind of change and its clause labels: "新增第七条、第八条". */
  list: (status: 'added' | 'modified' | 'removed', labels: string[], more: number) => string;
  renumberedOnly: (n: number, labels: string[], more: number) => string;
  formerly: (path: string) => string;
  nothingChanged: string;
  listSeparator: string;
  sentenceEnd: string;
  colon: string;
};

const zh: ComparisonLabels = {
  title: (before, after) => (before === after ? `《${after}》新旧对照表` : `《${before}》与《${after}》新旧对照表`),
  versions: { before: '原版本', after: '新版本' },
  headers: ['原条款', '新条款', '变化'],
  status: { unchanged: '未变', modified: '修改', added: '新增', removed: '删除' },
  renumbered: (from, to) => `条号变更：${from} → ${to}`,
  untitled: '未命名文件',
  none: '（无）',
  counts: (a, m, r) => `新增 ${a} 条，修改 ${m} 条，删除 ${r} 条`,
  list: (status, labels, more) =>
    `${{ added: '新增', modified: '修改', removed: '删除' }[status]}${labels.join('、')}${more ? `等 ${labels.length + more} 条` : ''}`,
  renumberedOnly: (n, labels, more) => `另有 ${n} 条仅条号变更（${labels.join('、')}${more ? '等' : ''}）`,
  formerly: (path) => `（原${path}）`,
  nothingChanged: '两个版本的条款内容相同，没有新增、修改或删除',
  listSeparator: '；',
  sentenceEnd: '。',
  colon: '：',
};

const en: ComparisonLabels = {
  title: (before, after) =>
    before === after ? `${after}: comparison of versions` : `${before} and ${after}: comparison`,
  versions: { before: 'Old version', after: 'New version' },
  headers: ['Old clause', 'New clause', 'Change'],
  status: { unchanged: 'Unchanged', modified: 'Modified', added: 'Added', removed: 'Removed' },
  renumbered: (from, to) => `Renumbered: ${from} → ${to}`,
  untitled: 'Untitled document',
  none: '(none)',
  counts: (a, m, r) => `${a} ${a === 1 ? 'clause' : 'clauses'} added, ${m} modified, ${r} removed`,
  list: (status, labels, more) => `${status} ${labels.join(', ')}${more ? ` and ${more} more` : ''}`,
  renumberedOnly: (n, labels, more) =>
    `${n} ${n === 1 ? 'clause' : 'clauses'} only renumbered (${labels.join(', ')}${more ? ', …' : ''})`,
  formerly: (path) => ` (formerly ${path})`,
  nothingChanged: 'The clauses of both versions are the same: nothing added, modified or removed',
  listSeparator: '; ',
  sentenceEnd: '.',
  colon: ': ',
};

export function comparisonLabels(language: Language): ComparisonLabels {
  return language === 'en' ? en : zh;
}
