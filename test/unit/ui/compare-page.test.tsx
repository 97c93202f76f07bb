// @vitest-environment jsdom
/**
 * The comparison page as a component (React Testing Library, jsdom, fake IndexedDB): picking the other
 * version, the rows with their badges and marked words, the filter, each side's annotations and tasks, and what
 * "沿用到新版" asks the background. The real thing, with the built extension and the server, is
 * test/e2e/compare.test.ts. (jsdom rather than happy-dom: happy-dom's Ranges in a document made with
 * createHTMLDocument hold no text, and the carried annotation is described on such a document.)
 */
import 'fake-indexeddb/auto';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { anchor } from '../../../shared/anchoring/index.ts';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import type { CarryItem } from '../../../extension/lib/compare-messages.ts';
import type { TaskCarry } from '../../../extension/lib/tasks-messages.ts';
import type { TaskRecord } from '../../../shared/tasks/index.ts';
import { sampleAnnotation } from '../../fixtures/annotation.ts';
import { noticeHtml, sampleSnapshot } from '../../fixtures/snapshot.ts';
import { sampleTask } from '../../fixtures/tasks/sample.ts';

vi.mock('wxt/browser', () => import('./wxt-browser-mock.ts'));
const { fake } = await import('./wxt-browser-mock.ts');

const { CompareApp } = await import('../../../extension/components/compare/CompareApp.tsx');
const { PizhuDatabase } = await import('../../../extension/lib/store/db.ts');
const { AnnotationStore } = await import('../../../extension/lib/store/annotation-store.ts');
const { SnapshotStore } = await import('../../../extension/lib/store/snapshots.ts');
const { StoreQueries } = await import('../../../extension/lib/store/queries.ts');
const { TaskStore } = await import('../../../extension/lib/store/tasks-store.ts');

const OLD_ITEMS = [
  '加强学校体育工作，保证学生每天校园体育活动时间不少于1小时。',
  '完善学生资助体系。',
  '开展师德师风建设年活动。',
  '严格落实校园安全责任制。',
];
const NEW_ITEMS = [
  '加强学校体育工作，保证学生每天综合体育活动时间不少于2小时。',
  '推进教师队伍建设，开展全员培训。',
  '完善学生资助体系。',
  '严格落实校园安全责任制。',
];
const OLD = sampleSnapshot(OLD_ITEMS, '关于做好2023年全市教育工作的通知');
const NEW = sampleSnapshot(NEW_ITEMS, '关于做好2024年全市教育工作的通知');
const doc = (key: string, title: string): DocumentInfo => ({
  key,
  canonicalUrl: `example.gov.cn/${key}`,
  url: `https://example.gov.cn/${key}`,
  title,
});
const onOld = (clause: number, overrides: Partial<Annotation>): Annotation =>
  sampleAnnotation({
    documentKey: 'y2023',
    teamId: null,
    visibility: 'private',
    clausePath: OLD.clauses[clause]!.path,
    quote: OLD.clauses[clause]!.text.slice(0, 8),
    selectors: [
      { type: 'TextQuoteSelector', exact: OLD.clauses[clause]!.text.slice(0, 8) },
      { type: 'ClauseSelector', path: OLD.clauses[clause]!.path, hash: OLD.clauses[clause]!.hash },
    ],
    ...overrides,
  });

let serial = 0;
let db: InstanceType<typeof PizhuDatabase>;
let carried: CarryItem[][];
let carriedTasks: { documentKey: string; items: TaskCarry[] }[];
let team: { teamId: string; role: 'editor' | 'viewer' } | null;

beforeEach(async () => {
  db = new PizhuDatabase(`compare-page-${++serial}`);
  const store = new AnnotationStore(db);
  await store.putDocument(doc('y2023', OLD.title));
  await store.putDocument(doc('y2024', NEW.title));
  const snapshots = new SnapshotStore(db);
  await snapshots.keep('y2023', OLD, undefined, 1);
  await snapshots.keep('y2024', NEW, undefined, 2);
  await store.put([
    onOld(0, { id: 'sport', tags: ['体育'], note: '去年的考核重点' }),
    onOld(1, { id: 'aid', tags: ['资助'] }),
    onOld(2, { id: 'ethics', note: '已取消' }),
  ]);
  carried = [];
  carriedTasks = [];
  team = null;
  fake.answerBackground((message) => {
    if (message.type === 'settings.get') {
      return {
        ok: true,
        value: {
          team: team && {
            ...team,
            teamName: '教育局',
            serverUrl: 'http://127.0.0.1:1',
            memberId: 'm1',
            displayName: '张伟',
            joinedAt: 1,
          },
          status: { state: 'not-joined' },
          preferences: { defaultColor: 'yellow', defaultVisibility: 'team', language: 'auto', disabledSites: [] },
        },
      };
    }
    if (message.type === 'compare.carry') {
      carried.push(message.items as CarryItem[]);
      return { ok: true, value: { carried: [], skipped: [], failed: [] } };
    }
    if (message.type === 'tasks.carry') {
      carriedTasks.push({ documentKey: message.documentKey as string, items: message.items as TaskCarry[] });
      return { ok: true, value: { carried: [], skipped: [], failed: [] } };
    }
    return { ok: false, error: `unexpected ${message.type}` };
  });
});

afterEach(() => {
  cleanup();
  db.close();
});

function renderAt(search: string) {
  history.replaceState(null, '', `/compare.html${search}`);
  return render(<CompareApp queries={new StoreQueries(db)} />);
}

const rows = () => screen.getAllByRole('listitem').filter((el) => el.hasAttribute('data-status'));

describe('the comparison page', () => {
  it('offers the documents like this one, and compares the earlier with the later', async () => {
    renderAt('?doc=y2024');
    const similar = await screen.findByTestId('picker-similar');
    fireEvent.click(within(similar).getByRole('button', { name: 'Compare with this' }));
    await screen.findByTestId('compare-counts');
    expect(new URLSearchParams(location.search).get('before')).toBe(`y2023.${OLD.contentHash}`);
    expect(new URLSearchParams(location.search).get('after')).toBe(`y2024.${NEW.contentHash}`);
    expect(screen.getByTestId('version-before').textContent).toContain(OLD.title);
  });

  it('shows counts, badges, label paths, marked words and each side’s annotations; filters to changes', async () => {
    renderAt(`?doc=y2024&before=y2023.${OLD.contentHash}&after=y2024.${NEW.contentHash}`);
    const counts = await screen.findByTestId('compare-counts');
    expect(counts.textContent).toBe('Added 1Modified 1Removed 1Unchanged 21 of them only renumbered');
    expect(rows().map((r) => r.dataset.status)).toEqual(['modified', 'added', 'unchanged', 'removed', 'unchanged']);
    const modified = rows()[0]!;
    expect(modified.dataset.before).toBe('1.');
    expect([...modified.querySelectorAll('del')].map((d) => d.textContent)).toEqual(['校园', '1']);
    expect([...modified.querySelectorAll('ins')].map((d) => d.textContent)).toEqual(['综合', '2']);
    expect(await within(modified).findByText('去年的考核重点')).toBeTruthy();
    expect(within(rows()[3]!).getByText('已取消')).toBeTruthy();
    // nothing to carry a removed clause's highlight to
    expect(rows()[3]!.querySelector('[data-carry]')).toBeNull();
    expect(screen.getByTestId('compare-summary').textContent).toMatch(/^1 clause added, 1 modified, 1 removed/);

    fireEvent.click(screen.getByTestId('only-changes'));
    expect(rows().map((r) => r.dataset.status)).toEqual(['modified', 'added', 'unchanged', 'removed']);
  });

  it('on a narrow window shows each change inline: one text, both sides’ annotations, still carried', async () => {
    // jsdom has no matchMedia: a window 600 px wide, as the browser would answer the page's query
    vi.stubGlobal('matchMedia', (query: string) => ({
      matches: query === '(max-width: 800px)',
      addEventListener() {},
      removeEventListener() {},
    }));
    try {
      renderAt(`?before=y2023.${OLD.contentHash}&after=y2024.${NEW.contentHash}`);
      await screen.findByTestId('compare-counts');
      const [modified, added, renumbered] = rows();
      expect(rows().every((r) => r.classList.contains('pz-change-inline'))).toBe(true);
      const text = modified!.querySelector('.pz-clause-text')!;
      expect(text.textContent).toBe('加强学校体育工作，保证学生每天校园综合体育活动时间不少于12小时。');
      expect([...text.querySelectorAll('del')].map((d) => d.textContent)).toEqual(['校园', '1']);
      expect([...text.querySelectorAll('ins')].map((d) => d.textContent)).toEqual(['综合', '2']);
      expect(modified!.querySelectorAll('.pz-clause-text')).toHaveLength(1);
      expect(added!.querySelector('.pz-path')!.textContent).toBe('2.');
      expect(renumbered!.querySelector('.pz-path')!.textContent).toBe('2. → 3.');
      expect(await within(modified!).findByText('去年的考核重点')).toBeTruthy();
      await waitFor(() => expect(modified!.querySelector('[data-carry="sport"]')).not.toBeNull());
      fireEvent.click(modified!.querySelector('[data-carry="sport"]')!);
      await waitFor(() => expect(carried).toHaveLength(1));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('carries one highlight, or all that fit, with selectors that anchor in the new clause', async () => {
    renderAt(`?before=y2023.${OLD.contentHash}&after=y2024.${NEW.contentHash}`);
    await screen.findByTestId('compare-counts');
    // the buttons come once the settings say the user may write
    await waitFor(() => expect(rows()[0]!.querySelector('[data-carry="sport"]')).not.toBeNull());
    fireEvent.click(rows()[0]!.querySelector('[data-carry="sport"]')!);
    await waitFor(() => expect(carried).toHaveLength(1));
    const [item] = carried[0]!;
    expect(item).toMatchObject({ from: 'sport', documentKey: 'y2024', clausePath: ['1.'] });
    expect(item!.selectors).toContainEqual({ type: 'ClauseSelector', path: ['1.'], hash: NEW.clauses[0]!.hash });
    // on the new page as published, the selectors find the carried words
    const page = new DOMParser().parseFromString(noticeHtml(NEW.title, NEW_ITEMS), 'text/html');
    const found = anchor(page, item!.selectors);
    expect(found.status).toBe('exact');
    expect(found.range!.toString()).toBe(item!.quote);

    // carrying one keeps the buttons busy until the background answered: carry all once they are free again
    await waitFor(() => expect(screen.getByTestId('carry-all')).toHaveProperty('disabled', false));
    fireEvent.click(screen.getByTestId('carry-all'));
    await waitFor(() => expect(carried).toHaveLength(2));
    expect(carried[1]!.map((i) => i.from).sort()).toEqual(['aid', 'sport']);
  });

  it('shows each side’s tasks beside their clause and carries the old ones with the highlights', async () => {
    team = { teamId: 't1', role: 'editor' };
    const task = (documentKey: string, clause: number, overrides: Partial<TaskRecord>): TaskRecord => {
      const c = (documentKey === 'y2023' ? OLD : NEW).clauses[clause]!;
      return sampleTask({
        id: `t${clause}`,
        clause: { path: c.path, text: `${c.label}${c.text}`, hash: c.hash, index: clause },
        due: { text: '6月底前', date: '2023-06-30' },
        status: 'doing',
        ...overrides,
      });
    };
    const tasks = new TaskStore(db);
    await tasks.putTasks('t1', 'y2023', [
      task('y2023', 0, { task: '保证每天体育活动时间', status: 'done' }),
      task('y2023', 1, { task: '落实资助政策' }),
    ]);
    // 完善学生资助体系 (old 2., new 3.) was carried already
    await tasks.putTasks('t1', 'y2024', [
      task('y2024', 2, { id: 'n1', task: '落实资助政策', carriedFrom: { id: 't1', documentKey: 'y2023' } }),
    ]);
    renderAt(`?before=y2023.${OLD.contentHash}&after=y2024.${NEW.contentHash}`);
    await screen.findByTestId('compare-counts');
    const [modified, , renumbered] = rows();
    const sport = await waitFor(() => within(modified!).getByText('保证每天体育活动时间').closest('li')!);
    expect(sport.closest('.pz-side-old')).not.toBeNull();
    expect(sport.dataset.taskStatus).toBe('done');
    expect(sport.textContent).toContain('6月底前');
    // both sides of the renumbered clause: the old task (carried already) and the new one, marked as carried
    const aid = renumbered!.querySelectorAll('[data-task-id]');
    expect([...aid].map((li) => li.closest('.pz-side')!.classList.contains('pz-side-old'))).toEqual([true, false]);
    expect(aid[0]!.querySelector('[data-carried="true"]')).not.toBeNull();
    expect(aid[1]!.querySelector('.pz-carried-from')).not.toBeNull();

    // "carry all": the two highlights of paired clauses and the one task not carried yet
    await waitFor(() => expect(screen.getByTestId('carry-all').textContent).toContain('(3)'));
    fireEvent.click(screen.getByTestId('carry-all'));
    await waitFor(() => expect(carriedTasks).toHaveLength(1));
    expect(carriedTasks[0]).toEqual({
      documentKey: 'y2024',
      items: [
        {
          from: { id: 't0', documentKey: 'y2023' },
          clause: { path: ['1.'], text: `1.${NEW_ITEMS[0]}`, hash: NEW.clauses[0]!.hash, index: 0 },
        },
      ],
    });
    expect(carried[0]!.map((i) => i.from).sort()).toEqual(['aid', 'sport']);

    // one task by itself
    await waitFor(() => expect(sport.querySelector('[data-carry-task="t0"]')).not.toBeNull());
    fireEvent.click(sport.querySelector('[data-carry-task="t0"]')!);
    await waitFor(() => expect(carriedTasks).toHaveLength(2));
  });

  /** The team's task on the old version's first clause (体育). */
  async function sportTaskOn2023(): Promise<void> {
    const c = OLD.clauses[0]!;
    const clause = { path: c.path, text: c.text, hash: c.hash, index: 0 };
    await new TaskStore(db).putTasks('t1', 'y2023', [sampleTask({ id: 't0', clause, task: '保证每天体育活动时间' })]);
  }

  it('lets a viewer see the tasks but not carry them', async () => {
    team = { teamId: 't1', role: 'viewer' };
    await sportTaskOn2023();
    renderAt(`?before=y2023.${OLD.contentHash}&after=y2024.${NEW.contentHash}`);
    await screen.findByTestId('compare-counts');
    const sport = await waitFor(() => within(rows()[0]!).getByText('保证每天体育活动时间').closest('li')!);
    expect(sport.querySelector('[data-carry-task]')).toBeNull();
    expect(screen.queryByTestId('carry-all')).toBeNull();
  });

  it('offers no task to carry between two versions of one address: they share their tasks', async () => {
    team = { teamId: 't1', role: 'editor' };
    await new SnapshotStore(db).keep('y2023', NEW, undefined, 3);
    await sportTaskOn2023();
    renderAt(`?before=y2023.${OLD.contentHash}&after=y2023.${NEW.contentHash}`);
    await screen.findByTestId('compare-counts');
    await waitFor(() => expect(within(rows()[0]!).getAllByText('保证每天体育活动时间').length).toBeGreaterThan(0));
    await waitFor(() => expect(screen.getByTestId('carry-all')).toBeTruthy());
    expect(document.querySelector('[data-carry-task]')).toBeNull();
  });

  it('says so when a version’s snapshot is missing', async () => {
    renderAt(`?before=y2023.${OLD.contentHash}&after=y2024.nothingHere`);
    expect((await screen.findByRole('alert')).textContent).toMatch(/missing/);
  });
});
