/**
 * GET /api/teams/<id>/tasks and /tasks/export against the real server: tasks written by real clients (HTTP push
 * and a y-websocket client) are indexed as they change, listed overdue-and-due-soon first with every filter and
 * a keyset cursor, and exported as the 任务分解表 (XLSX read back with exceljs, DOCX parsed strictly, CSV).
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { roomIdFor, TEAM_ROOM_KEY } from '../../../shared/model/index.ts';
import type { TaskListResponse } from '../../../shared/protocol/tasks-api.ts';
import { type TaskRecord, writeProgress, writeTask } from '../../../shared/tasks/index.ts';
import { allText, openOoxml } from '../../fixtures/tasks/ooxml.ts';
import {
  addMember,
  api,
  connectProvider,
  createTeamWithOwner,
  eventually,
  type Member,
  startTestServer,
  type TestServer,
} from '../server/helpers.ts';
import { AT, progressEntry, push, taskRecord, unitRecord, writeUnits } from './fixtures.ts';

let server: TestServer;
let team: Awaited<ReturnType<typeof createTeamWithOwner>>;
let editor: Member;
let viewer: Member;
let outsider: Awaited<ReturnType<typeof createTeamWithOwner>>;
const TODAY = '2023-06-25';

/** Two notices: six tasks in clause order on the first, one on the second. */
function tasksOfNotice(writer: Member): TaskRecord[] {
  const clause = (index: number, label: string) => ({
    path: ['二、', label],
    text: `${label} 条款正文`,
    hash: `h${index}`,
    index,
  });
  return [
    taskRecord('t1', writer, { clause: clause(1, '6.'), task: '思想政治工作', due: { text: '长期坚持', date: null } }),
    taskRecord('t2', writer, {
      clause: clause(2, '7.'),
      task: '教研工作',
      due: { text: '6月底前', date: '2023-06-30' },
    }),
    taskRecord('t3', writer, {
      clause: clause(3, '8.'),
      task: '学生身心健康',
      due: { text: '5月底前', date: '2023-05-31' },
      leader: '王副局长、李副局长',
    }),
    taskRecord('t4', writer, {
      clause: clause(4, '9.'),
      task: '语言文字推广',
      due: { text: '3月底前', date: '2023-03-31' },
      status: 'done',
      leadUnits: ['u-old'],
      units: [],
    }),
    taskRecord('t5', writer, {
      clause: clause(5, '10.'),
      task: '学前教育',
      due: { text: '年底前', date: '2023-12-31' },
    }),
    taskRecord('t6', writer, { clause: clause(6, '11.'), task: '已删除的任务', deleted: true }),
  ];
}

const list = async (query = '', token = editor.token) =>
  api<TaskListResponse>(
    server,
    'GET',
    `/api/teams/${team.teamId}/tasks?${query.includes('today=') ? '' : `today=${TODAY}`}${query}`,
    { token },
  );
const ids = (response: { body: TaskListResponse }) => response.body.tasks.map((t) => t.id);

beforeAll(async () => {
  server = await startTestServer();
  team = await createTeamWithOwner(server, '教育局');
  outsider = await createTeamWithOwner(server, '别的队');
  editor = await addMember(server, team.teamId, 'editor', '办公室主任');
  viewer = await addMember(server, team.teamId, 'viewer', '科员');
  const teamRoom = roomIdFor(team.teamId, TEAM_ROOM_KEY);
  await push(server, editor, team.teamId, teamRoom, (doc) =>
    writeUnits(doc, {
      'u-twy': unitRecord('体育卫生与艺术教育科', editor),
      'u-jcjy': unitRecord('基础教育科', editor),
      'u-old': unitRecord('基教科', editor, { mergedInto: 'u-jcjy' }),
    }),
  );
  const notice = await push(server, editor, team.teamId, roomIdFor(team.teamId, 'notice'), (doc) => {
    for (const task of tasksOfNotice(editor)) writeTask(doc, task);
    writeProgress(doc, progressEntry('p1', editor, 't2', '已完成调研'));
    writeProgress(doc, { ...progressEntry('p2', editor, 't2', '已召开推进会'), at: AT + 5 * 86_400_000 });
  });
  expect(notice.ok).toBe(true);
  // The second notice's task is written live, by a y-websocket client; it was carried over from the first's t2.
  const doc = new Y.Doc();
  const client = await connectProvider(server, editor.token, roomIdFor(team.teamId, 'other'), doc);
  writeTask(
    doc,
    taskRecord('t7', editor, {
      task: '另一文件的任务',
      clause: { path: ['一、'], text: '一、', hash: 'o1', index: 0 },
      due: { text: '7月1日前', date: '2023-07-01' },
      carriedFrom: { id: 't2', documentKey: 'notice' },
    }),
  );
  await eventually(
    () => list(),
    (r) => r.body.tasks?.length === 6,
  );
  client.destroy();
});

afterAll(async () => {
  await server?.cleanup();
});

describe('GET /tasks', () => {
  it('lists overdue and due-within-seven-days first (earliest due first), then in document and clause order', async () => {
    const response = await list();
    expect(response.status).toBe(200);
    // Overdue: t3 (5-31); due soon: t2 (6-30), t7 (7-01); then notice in clause order (t1, t4 done, t5), then other.
    expect(ids(response)).toEqual(['t3', 't2', 't7', 't1', 't4', 't5']);
    const byId = new Map(response.body.tasks.map((t) => [t.id, t]));
    expect(byId.get('t3')).toMatchObject({ displayStatus: 'overdue', documentKey: 'notice' });
    // a carried task keeps its link to the task it came from through the room and the index
    expect(byId.get('t7')).toMatchObject({ documentKey: 'other', carriedFrom: { id: 't2', documentKey: 'notice' } });
    expect(byId.get('t3')!.carriedFrom).toBeUndefined();
    expect(byId.get('t4')).toMatchObject({ displayStatus: 'done', leadUnitNames: ['基础教育科'] });
    expect(byId.get('t2')).toMatchObject({ leadUnitNames: ['体育卫生与艺术教育科'], unitNames: ['基础教育科'] });
    expect(byId.get('t2')!.latestProgress).toMatchObject({
      id: 'p2',
      text: '已召开推进会',
      by: { name: '办公室主任' },
    });
    expect(response.body.today).toBe(TODAY);
  });

  it('filters by document, unit (id, name or a merged unit), status, due date and leader', async () => {
    expect(ids(await list('&document=other'))).toEqual(['t7']);
    expect(ids(await list('&unit=u-jcjy'))).toEqual(['t3', 't2', 't7', 't1', 't4', 't5']);
    expect(ids(await list('&unit=u-twy'))).toEqual(['t3', 't2', 't7', 't1', 't5']);
    expect(ids(await list(`&unit=${encodeURIComponent('基教科')}`))).toContain('t4');
    expect(ids(await list(`&unit=${encodeURIComponent('不存在的科室')}`))).toEqual([]);
    expect(ids(await list('&status=overdue'))).toEqual(['t3']);
    expect(ids(await list('&status=done,overdue'))).toEqual(['t3', 't4']);
    expect(ids(await list('&status=todo'))).toEqual(['t2', 't7', 't1', 't5']);
    expect(ids(await list('&dueBefore=2023-06-30&dueAfter=2023-04-01'))).toEqual(['t3', 't2']);
    expect(ids(await list(`&leader=${encodeURIComponent('李副局长')}`))).toEqual(['t3']);
  });

  it('pages with a cursor that walks the same order, for viewers too', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: TaskListResponse } = await list(`&limit=2${cursor ? `&cursor=${cursor}` : ''}`, viewer.token);
      expect(page.body.tasks.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['t3', 't2', 't7', 't1', 't4', 't5']);
  });

  it('keeps current as the rooms change: an edit, a rename of a unit', async () => {
    // Edits start from the rooms' current state, as the extension's do: clients synced with the server.
    const notice = new Y.Doc();
    const units = new Y.Doc();
    const clients = await Promise.all([
      connectProvider(server, editor.token, roomIdFor(team.teamId, 'notice'), notice),
      connectProvider(server, editor.token, roomIdFor(team.teamId, TEAM_ROOM_KEY), units),
    ]);
    writeTask(notice, { ...tasksOfNotice(editor)[2]!, status: 'done', updatedAt: AT + 1 });
    writeUnits(units, { 'u-twy': unitRecord('体卫艺科', editor, { at: AT + 1 }) });
    const after = await eventually(
      () => list(),
      (r) => r.body.tasks.find((t) => t.id === 't3')?.displayStatus === 'done',
    );
    expect(ids(after)).toEqual(['t2', 't7', 't1', 't3', 't4', 't5']);
    await eventually(
      () => list('&document=notice&status=todo'),
      (r) => r.body.tasks[0]?.leadUnitNames[0] === '体卫艺科',
    );
    for (const client of clients) client.destroy();
  });

  it('refuses bad filters and cursors, and anyone outside the team', async () => {
    for (const query of ['&status=late', '&dueBefore=2023-02-30', '&cursor=abc', '&limit=0', '&today=tomorrow']) {
      const response = await list(query);
      expect(response.status, query).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'invalid_request' } });
    }
    expect((await api(server, 'GET', `/api/teams/${team.teamId}/tasks`)).status).toBe(401);
    expect((await list('', outsider.owner.token)).status).toBe(403);
  });
});

describe('GET /tasks/export', () => {
  const exportAs = (query: string) =>
    fetch(`${server.url}/api/teams/${team.teamId}/tasks/export?today=${TODAY}&document=notice${query}`, {
      headers: { authorization: `Bearer ${viewer.token}` },
    });

  it('renders the 任务分解表 as XLSX in clause order, with the latest progress', async () => {
    const response = await exportAs('&format=xlsx&title=2023年工作要点任务分解表');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(response.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('2023年工作要点任务分解表.xlsx')}`,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getCell('A1').value).toBe('2023年工作要点任务分解表');
    const rows = [3, 4, 5, 6, 7].map((n) => (sheet.getRow(n).values as unknown[]).slice(1));
    expect(rows.map((r) => r[2])).toEqual(['思想政治工作', '教研工作', '学生身心健康', '语言文字推广', '学前教育']);
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
    expect(rows[1]![9]).toMatch(/办公室主任：已召开推进会$/);
    expect(rows[3]![3]).toBe('基础教育科');
    expect(sheet.rowCount).toBe(7);
  });

  it('renders DOCX (well-formed parts) and CSV (with a BOM), titled after the notice by default', async () => {
    const docx = await exportAs('&format=docx');
    expect(docx.status).toBe(200);
    const parts = openOoxml(new Uint8Array(await docx.arrayBuffer()));
    parts.parseAll();
    const text = allText(parts.xml('word/document.xml'));
    for (const task of ['思想政治工作', '教研工作', '学前教育']) expect(text).toContain(task);
    expect(text).not.toContain('已删除的任务');
    const csv = await exportAs('&format=csv&language=en');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split(/\r?\n/);
    expect(lines).toHaveLength(1 + 5);
    expect(lines[0]).toMatch(/^No\.,Clause,Task/);
    expect((await exportAs('&format=pdf')).status).toBe(400);
  });
});
