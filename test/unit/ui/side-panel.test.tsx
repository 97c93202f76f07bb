// @vitest-environment happy-dom
/**
 * The side panel as a component (React Testing Library, happy-dom, fake IndexedDB): what it shows from the
 * store, and what it asks the page and the background. The real thing is covered end to end in ui-panel.test.ts.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { documentKeyFor, canonicalUrl } from '../../../shared/model/canonical-url.ts';
import { deepLinkFor } from '../../../shared/model/deep-link.ts';
import type { PageReport } from '../../../extension/lib/messages.ts';

vi.mock('wxt/browser', () => import('./wxt-browser-mock.ts'));
const { fake } = await import('./wxt-browser-mock.ts');

const { SidePanelApp } = await import('../../../extension/components/panel/SidePanelApp.tsx');
const { PizhuDatabase } = await import('../../../extension/lib/store/db.ts');
const { AnnotationStore } = await import('../../../extension/lib/store/annotation-store.ts');
const { StoreQueries } = await import('../../../extension/lib/store/queries.ts');

const URL_A = 'http://127.0.0.1:8080/notice.html';
const URL_B = 'http://127.0.0.1:8080/other.html';
const KEY_A = documentKeyFor(URL_A);
const KEY_B = documentKeyFor(URL_B);
let serial = 0;

function annotation(partial: Partial<Annotation> & { quote: string; start: number }): Annotation {
  const { start, ...rest } = partial;
  const id = `a${++serial}`;
  return {
    id,
    documentKey: KEY_A,
    teamId: 'team1',
    selectors: [
      { type: 'TextQuoteSelector', exact: partial.quote },
      { type: 'TextPositionSelector', start, end: start + partial.quote.length },
    ],
    clausePath: [],
    tags: [],
    note: '',
    color: 'yellow',
    author: { id: 'zhang', name: '张伟' },
    visibility: 'team',
    replyTo: null,
    createdAt: 1_700_000_000_000 + serial,
    updatedAt: 1_700_000_000_000 + serial,
    deleted: false,
    ...rest,
  };
}

const documentA: DocumentInfo = {
  key: KEY_A,
  canonicalUrl: canonicalUrl(URL_A),
  url: URL_A,
  title: '关于印发2023年工作要点的通知',
  issuer: '市教育局',
};
const documentB: DocumentInfo = { key: KEY_B, canonicalUrl: canonicalUrl(URL_B), url: URL_B, title: '政务新媒体意见' };

describe('side panel', () => {
  let db: InstanceType<typeof PizhuDatabase>;
  let rows: Annotation[];

  beforeEach(async () => {
    history.replaceState(null, '', `/sidepanel.html?url=${encodeURIComponent(URL_A)}&tabId=7`);
    db = new PizhuDatabase(`panel-test-${++serial}`);
    const eight = annotation({
      quote: '促进学生身心健康全面发展',
      start: 500,
      clausePath: ['二、', '8.'],
      tags: ['体育'],
      color: 'green',
    });
    rows = [
      eight,
      annotation({
        quote: '加强教育系统党的领导',
        start: 100,
        clausePath: ['一、', '2.'],
        tags: ['党建'],
        note: '<img src=x onerror=alert(1)>',
      }),
      annotation({
        quote: '扎实推进“双减”工作',
        start: 900,
        clausePath: ['三、', '12.'],
        tags: ['双减', '减负'],
        author: { id: 'li', name: '李娜' },
        color: 'blue',
      }),
      annotation({ quote: '已被删改的一句话', start: 50, clausePath: ['一、', '1.'], tags: ['体育'] }),
      annotation({
        quote: eight.quote,
        start: 500,
        clausePath: eight.clausePath,
        replyTo: eight.id,
        note: '同意，列入简报',
        author: { id: 'li', name: '李娜' },
      }),
      annotation({ quote: '坚持需求引领', start: 10, documentKey: KEY_B, tags: ['体育', '新媒体'] }),
      annotation({ quote: '删除了的', start: 20, deleted: true, tags: ['删除'] }),
    ];
    const store = new AnnotationStore(db);
    await store.putDocument(documentA);
    await store.putDocument(documentB);
    await store.put(rows);
    fake.answerBackground((message) => {
      if (message.type === 'settings.get') {
        return {
          ok: true,
          value: {
            team: {
              teamId: 'team1',
              teamName: '政策研究组',
              serverUrl: 'http://127.0.0.1:8787',
              memberId: 'zhang',
              displayName: '张伟',
              role: 'editor',
              joinedAt: 1,
            },
            status: { state: 'online' },
            preferences: { defaultColor: 'yellow', defaultVisibility: 'team', language: 'auto', disabledSites: [] },
          },
        };
      }
      return { ok: true, value: { changed: 1 } };
    });
    const orphan = rows[3]!.id;
    fake.answerTab((_tab, message) => {
      if (message.type === 'page.report') {
        const report: PageReport = {
          documentKey: KEY_A,
          ready: true,
          anchors: Object.fromEntries(
            rows.filter((r) => r.documentKey === KEY_A).map((r) => [r.id, r.id === orphan ? 'orphan' : 'exact']),
          ),
          order: [rows[1]!.id, rows[0]!.id, rows[2]!.id],
          clausePaths: {},
          hasSelection: true,
        };
        return report;
      }
      if (message.type === 'page.reattach') return { ok: true };
      return { ok: true };
    });
  });

  afterEach(async () => {
    cleanup();
    db.close();
    fake.sent.length = 0;
  });

  async function tagRow(tag: string): Promise<HTMLElement> {
    return waitFor(() => {
      const row = document.querySelector<HTMLElement>(`li[data-tag="${tag}"]`);
      if (!row) throw new Error(`no row for tag ${tag}`);
      return row;
    });
  }

  async function renderPanel() {
    render(<SidePanelApp queries={new StoreQueries(db)} />);
    await screen.findByText('加强教育系统党的领导');
    await screen.findByText('已被删改的一句话');
  }

  it('groups this page in document order under clause labels; orphans apart; replies under their highlight', async () => {
    await renderPanel();
    const labels = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(labels.slice(0, 3)).toEqual(['一、2.', '二、8.', '三、12.']);
    const orphans = screen.getByTestId('orphans');
    expect(within(orphans).getByText('已被删改的一句话')).toBeTruthy();
    expect(within(orphans).getByRole('button', { name: 'Re-attach to the selection' })).toBeTruthy();
    const eight = screen.getByText('促进学生身心健康全面发展').closest('article')!;
    expect(within(eight as HTMLElement).getByText('同意，列入简报')).toBeTruthy();
    expect(screen.queryByText('删除了的')).toBeNull();
    expect(screen.queryByText('坚持需求引领')).toBeNull();
    expect(screen.getByTestId('shown-count').textContent).toBe('4 annotations');
  });

  it('shows a hostile note as text', async () => {
    await renderPanel();
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    expect(document.querySelector('img[src="x"]')).toBeNull();
  });

  it('header: sync status, team and account', async () => {
    await renderPanel();
    await waitFor(() => expect(screen.getByTestId('account').textContent).toContain('政策研究组'));
    expect(document.querySelector('[data-sync-state="online"]')?.textContent).toBe('Synced');
  });

  it('filters by author (a reply counts for its author), tag, visibility and text', async () => {
    await renderPanel();
    fireEvent.change(screen.getByLabelText('Filter by author'), { target: { value: 'li' } });
    expect(screen.getByTestId('shown-count').textContent).toBe('Showing 2 of 4');
    expect(screen.getByText('扎实推进“双减”工作')).toBeTruthy();
    expect(screen.getByText('促进学生身心健康全面发展')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));

    fireEvent.change(screen.getByLabelText('Filter by tag'), { target: { value: '体育' } });
    expect(screen.getByTestId('shown-count').textContent).toBe('Showing 2 of 4');
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));

    fireEvent.change(screen.getByLabelText('Visible to'), { target: { value: 'private' } });
    expect(screen.getByText('No annotation matches these filters.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));

    fireEvent.change(screen.getByLabelText('Search quotes, notes, tags'), { target: { value: '列入简报' } });
    expect(screen.getByTestId('shown-count').textContent).toBe('Showing 1 of 4');
  });

  it('filters by colour', async () => {
    await renderPanel();
    fireEvent.click(
      within(screen.getByRole('group', { name: 'Filter by colour' })).getByRole('button', { name: 'Blue' }),
    );
    expect(screen.getByTestId('shown-count').textContent).toBe('Showing 1 of 4');
    expect(screen.getByText('扎实推进“双减”工作')).toBeTruthy();
  });

  it('clicking an annotation asks its tab to scroll to it; re-attach asks the page to use the selection', async () => {
    await renderPanel();
    fireEvent.click(screen.getByText('扎实推进“双减”工作'));
    await waitFor(() =>
      expect(fake.sent.find((s) => s.message.type === 'page.scrollTo')).toEqual({
        to: 'tab',
        tabId: 7,
        message: { type: 'page.scrollTo', id: rows[2]!.id },
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Re-attach to the selection' }));
    await screen.findByText('Re-attached.');
    expect(fake.sent.find((s) => s.message.type === 'page.reattach')?.message).toEqual({
      type: 'page.reattach',
      id: rows[3]!.id,
    });
  });

  it('tells the user when the page is not open', async () => {
    fake.answerTab(() => {
      throw new Error('Could not establish connection. Receiving end does not exist.');
    });
    render(<SidePanelApp queries={new StoreQueries(db)} />);
    fireEvent.click(await screen.findByText('扎实推进“双减”工作'));
    await screen.findByText(/Open this page in the browser first/);
  });

  it('team library: documents with counts, tags with counts across documents, clauses by tag', async () => {
    await renderPanel();
    fireEvent.click(screen.getByRole('tab', { name: 'Team library' }));
    await screen.findByText('Annotated documents (2)');
    expect(screen.getByText('4 annotations · 4 tags')).toBeTruthy();
    expect(screen.getByText('1 annotation · 2 tags')).toBeTruthy();
    const sport = document.querySelector('li[data-tag="体育"]') as HTMLElement;
    expect(sport.textContent).toContain('3 in 2 documents');
    fireEvent.click(within(sport).getByText('体育'));
    const tagged = await screen.findByTestId('library-results');
    await waitFor(() =>
      expect(
        within(tagged)
          .getAllByRole('heading', { level: 2 })
          .map((h) => h.textContent),
      ).toEqual(['关于印发2023年工作要点的通知', '政务新媒体意见']),
    );
    expect(within(tagged).getByRole('heading', { level: 1 }).textContent).toBe('Clauses tagged “体育”');
    fireEvent.click(within(tagged).getByText('坚持需求引领'));
    expect(fake.browser.tabs.create).toHaveBeenCalledWith({ url: deepLinkFor(URL_B, rows[5]!) });
    expect(deepLinkFor(URL_B, rows[5]!)).toMatch(new RegExp(`^${URL_B}#pizhu=${rows[5]!.id}:~:text=`));
  });

  it('team library: searches every document (quotes, notes, tags, titles), marks the terms, combines filters', async () => {
    await renderPanel();
    fireEvent.click(screen.getByRole('tab', { name: 'Team library' }));
    await screen.findByText('Annotated documents (2)');
    const search = screen.getByLabelText('Search every annotation: quotes, notes, tags, titles');

    // A word of the other document's title finds its annotation; the title is shown with the term marked.
    fireEvent.change(search, { target: { value: '新媒体' } });
    const results = await screen.findByTestId('library-results');
    await waitFor(() => expect(within(results).getByTestId('results-count').textContent).toBe('1 found'));
    expect(within(results).getByText('坚持需求引领')).toBeTruthy();
    expect([...results.querySelectorAll('h2 mark')].map((m) => m.textContent)).toEqual(['新媒体']);

    // Chinese without spaces, in a quote and a tag of this page's document.
    fireEvent.change(search, { target: { value: '双减' } });
    await waitFor(() =>
      expect([...results.querySelectorAll('blockquote mark')].map((m) => m.textContent)).toEqual(['双减']),
    );
    expect(within(results).getByTestId('results-count').textContent).toBe('1 found');

    // A note, then the same search narrowed by author: the reply is Li's, the highlight Zhang's.
    fireEvent.change(search, { target: { value: '身心健康' } });
    await waitFor(() => expect(within(results).getByTestId('results-count').textContent).toBe('2 found'));
    fireEvent.change(screen.getByLabelText('Filter by author'), { target: { value: 'li' } });
    await waitFor(() => expect(within(results).getByTestId('results-count').textContent).toBe('1 found'));
    expect(within(results).getByText('同意，列入简报')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Filter by document'), { target: { value: KEY_B } });
    await waitFor(() =>
      expect(within(results).getByTestId('results-count').textContent).toBe('No annotation matches.'),
    );

    // The results open the notice at the annotation.
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    fireEvent.change(search, { target: { value: '需求' } });
    const term = await within(await screen.findByTestId('library-results')).findByText('需求', { selector: 'mark' });
    fireEvent.click(term);
    expect(fake.browser.tabs.create).toHaveBeenCalledWith({ url: deepLinkFor(URL_B, rows[5]!) });
  });

  it('marks approximate matches in the list, as the cards do', async () => {
    await renderPanel();
    expect(screen.queryAllByTestId('approximate')).toEqual([]);
    fake.answerTab((_tab, message) =>
      message.type === 'page.report'
        ? ({
            documentKey: KEY_A,
            anchors: { [rows[0]!.id]: 'exact', [rows[1]!.id]: 'exact', [rows[2]!.id]: 'fuzzy' },
            order: [rows[1]!.id, rows[0]!.id, rows[2]!.id],
            clausePaths: {},
            hasSelection: false,
            ready: true,
          } satisfies PageReport)
        : undefined,
    );
    const marked = await screen.findByTestId('approximate', {}, { timeout: 4_000 });
    expect(marked.closest('article')?.getAttribute('data-annotation-id')).toBe(rows[2]!.id);
    expect(marked.textContent).toBe('Approximate');
    expect(marked.getAttribute('title')).toBe('The text changed; this is the closest match');
  });

  it('the quick Markdown export leaves "Only me" notes out, as the dialog does unless its box is ticked', async () => {
    const secret = annotation({ quote: '只给自己看的一句', start: 700, visibility: 'private', teamId: null });
    await new AnnotationStore(db).put([secret]);
    const files: Blob[] = [];
    const createObjectURL = vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      files.push(blob as Blob);
      return 'blob:pizhu-test';
    });
    try {
      await renderPanel();
      await screen.findByText('只给自己看的一句');
      fireEvent.click(screen.getByRole('button', { name: 'Markdown' }));
      await waitFor(() => expect(files).toHaveLength(1));
      const quick = await files[0]!.text();
      expect(quick).toContain('促进学生身心健康全面发展');
      expect(quick).not.toContain('只给自己看的一句');

      fireEvent.click(screen.getByRole('button', { name: 'Briefing…' }));
      const dialog = await screen.findByRole('dialog');
      const includePrivate = within(dialog).getByLabelText('Include my private annotations') as HTMLInputElement;
      expect(includePrivate.checked).toBe(false);
      fireEvent.click(within(dialog).getByLabelText('Markdown'));
      fireEvent.click(within(dialog).getByRole('button', { name: 'Export' }));
      await waitFor(() => expect(files).toHaveLength(2));
      expect(await files[1]!.text()).not.toContain('只给自己看的一句');

      fireEvent.click(includePrivate);
      fireEvent.click(within(dialog).getByRole('button', { name: 'Export' }));
      await waitFor(() => expect(files).toHaveLength(3));
      const withPrivate = await files[2]!.text();
      expect(withPrivate).toContain('只给自己看的一句');
      expect(withPrivate).toContain('含仅本人可见的批注1条');
    } finally {
      createObjectURL.mockRestore();
    }
  });

  it('renames a tag and merges tags through the background', async () => {
    await renderPanel();
    fireEvent.click(screen.getByRole('tab', { name: 'Team library' }));
    const row = await tagRow('减负');
    fireEvent.click(within(row).getByRole('button', { name: 'Rename' }));
    fireEvent.change(within(row).getByLabelText('New name for “减负”'), { target: { value: ' 减轻负担 ' } });
    fireEvent.click(within(row).getByRole('button', { name: 'Save' }));
    await screen.findByText('Renamed “减负” to “减轻负担”');
    expect(fake.sent.find((s) => s.message.type === 'tags.rename')?.message).toEqual({
      type: 'tags.rename',
      from: '减负',
      to: '减轻负担',
    });

    fireEvent.click(screen.getByLabelText('Select tag 双减'));
    fireEvent.click(screen.getByLabelText('Select tag 党建'));
    fireEvent.change(screen.getByLabelText('Merge the 2 selected tags into'), { target: { value: 'ＰＰＰ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Merge' }));
    await screen.findByText('Merged 2 tags into “ppp”');
    expect(fake.sent.find((s) => s.message.type === 'tags.merge')?.message).toEqual({
      type: 'tags.merge',
      from: ['双减', '党建'],
      to: 'ppp',
    });
  });

  it('words the background’s refusal from its code; an unknown code shows a generic line and what it said', async () => {
    let refusal: unknown = { code: 'viewer_cannot_edit', params: { team: '政策研究组' } };
    fake.answerBackground((message) =>
      message.type === 'tags.rename' ? { ok: false, error: refusal } : { ok: true, value: null },
    );
    await renderPanel();
    fireEvent.click(screen.getByRole('tab', { name: 'Team library' }));
    const rename = async () => {
      const row = await tagRow('党建');
      fireEvent.click(within(row).getByRole('button', { name: 'Rename' }));
      fireEvent.change(within(row).getByLabelText('New name for “党建”'), { target: { value: '党的建设' } });
      fireEvent.click(within(row).getByRole('button', { name: 'Save' }));
      return (await screen.findByRole('alert')).textContent;
    };
    expect(await rename()).toBe(
      'You joined “政策研究组” as a viewer: you can read its annotations but not change them',
    );
    refusal = { code: 'brand_new_code', detail: 'Tags are frozen during the audit' };
    cleanup();
    await renderPanel();
    fireEvent.click(screen.getByRole('tab', { name: 'Team library' }));
    expect(await rename()).toBe('Something went wrong: Tags are frozen during the audit');
  });

  it('empty page: tells a member that colleagues’ annotations come here, and a newcomer to join', async () => {
    history.replaceState(null, '', `/sidepanel.html?url=${encodeURIComponent('http://127.0.0.1:8080/empty.html')}`);
    render(<SidePanelApp queries={new StoreQueries(db)} />);
    const empty = await screen.findByTestId('empty-page');
    expect(empty.textContent).toContain('Select text in the document');
    await waitFor(() => expect(empty.textContent).toContain('colleagues’ shared annotations'));
    expect(empty.textContent).not.toContain('Join your team');
    // The membership, where a member looks for it: team, role and server, and the way to manage or leave.
    expect(screen.getByTestId('empty-membership').textContent).toBe(
      'Team “政策研究组” · role: Editor · server http://127.0.0.1:8787 Manage or leave the team',
    );
    cleanup();
    fake.answerBackground((message) =>
      message.type === 'settings.get'
        ? {
            ok: true,
            value: {
              team: null,
              status: { state: 'not-joined' },
              preferences: {
                defaultColor: 'yellow',
                defaultVisibility: 'private',
                language: 'auto',
                disabledSites: [],
              },
            },
          }
        : { ok: true, value: null },
    );
    render(<SidePanelApp queries={new StoreQueries(db)} />);
    await waitFor(() => expect(screen.getByTestId('empty-page').textContent).toContain('Join your team'));
  });

  it('cut off from the server: says why and how many changes wait, retries on opening and on "Reconnect now"', async () => {
    fake.answerBackground((message) =>
      message.type === 'settings.get'
        ? {
            ok: true,
            value: {
              team: {
                teamId: 'team1',
                teamName: '政策研究组',
                serverUrl: 'http://127.0.0.1:8787',
                memberId: 'zhang',
                displayName: '张伟',
                role: 'editor',
                joinedAt: 1,
              },
              status: {
                state: 'offline',
                error: { code: 'unreachable', params: { server: 'http://127.0.0.1:8787' } },
                pending: 2,
                unsent: 3,
              },
              preferences: { defaultColor: 'yellow', defaultVisibility: 'team', language: 'auto', disabledSites: [] },
            },
          }
        : { ok: true, value: { state: 'offline' } },
    );
    await renderPanel();
    const notice = await screen.findByTestId('sync-notice');
    expect(notice.textContent).toContain('Cannot reach the server at http://127.0.0.1:8787');
    expect(within(notice).getByTestId('sync-unsent').textContent).toBe('3 changes waiting to be sent');
    const asked = () => fake.sent.filter((s) => s.message.type === 'sync.now').length;
    // Opening the panel while cut off is one retry, not one per re-render.
    await waitFor(() => expect(asked()).toBe(1));
    fireEvent.click(within(notice).getByRole('button', { name: 'Reconnect now' }));
    await waitFor(() => expect(asked()).toBe(2));
  });

  it('keyboard: arrow keys move between the two tabs', async () => {
    await renderPanel();
    const pageTab = screen.getByRole('tab', { name: 'This page' });
    act(() => pageTab.focus());
    fireEvent.keyDown(pageTab, { key: 'ArrowRight' });
    const libraryTab = screen.getByRole('tab', { name: 'Team library' });
    expect(libraryTab.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(libraryTab);
  });
});
