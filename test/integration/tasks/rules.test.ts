/**
 * Who may write tasks and progress (docs/room-layout.md), against the real server on a real SQLite file, over
 * HTTP push and over real y-websocket clients: every rule allowed once and refused once.
 *   tasks:    editors and owners, a valid record under its own id, `updatedBy` the writer;
 *   progress: under the writer's own key, valid, author and id as in the key; editors and owners on any task, a
 *             viewer only on a task one of whose units is the viewer's (after merges), never on a missing task.
 * Members get their unit from the owner (PATCH /members/<id>, or the CLI `member-unit`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { roomIdFor, TEAM_ROOM_KEY } from '../../../shared/model/index.ts';
import { bytesToBase64, CLOSE_CODES, type MeResponse } from '../../../shared/protocol/api.ts';
import {
  PROGRESS_KEY,
  progressKey,
  progressMap,
  TASKS_KEY,
  tasksMap,
  writeProgress,
  writeTask,
} from '../../../shared/tasks/index.ts';
import { runCommand } from '../../../server/cli.ts';
import { annotation, authorOf, writeOwn } from '../server/fixtures.ts';
import {
  addMember,
  api,
  connectProvider,
  createTeamWithOwner,
  eventually,
  type Member,
  startTestServer,
  type TestServer,
  waitFor,
} from '../server/helpers.ts';
import { progressEntry, push, taskRecord, unitRecord, writeUnits } from './fixtures.ts';

let server: TestServer;
let team: Awaited<ReturnType<typeof createTeamWithOwner>>;
let editor: Member;
let viewerInUnit: Member;
let viewerElsewhere: Member;
let viewerNoUnit: Member;
const room = () => roomIdFor(team.teamId, 'notice');
const teamRoom = () => roomIdFor(team.teamId, TEAM_ROOM_KEY);

const pushAs = (member: Member, change: (doc: Y.Doc) => void, roomId = room()) =>
  push(server, member, team.teamId, roomId, change);

async function setUnit(member: Member, unit: string | null, token = team.owner.token) {
  return api<{ unit: { id: string; name: string } | null }>(
    server,
    'PATCH',
    `/api/teams/${team.teamId}/members/${member.memberId}`,
    { token, body: { unit } },
  );
}

beforeAll(async () => {
  server = await startTestServer();
  team = await createTeamWithOwner(server, '教育局');
  editor = await addMember(server, team.teamId, 'editor', '办公室');
  viewerInUnit = await addMember(server, team.teamId, 'viewer', '基教科干部');
  viewerElsewhere = await addMember(server, team.teamId, 'viewer', '财务科干部');
  viewerNoUnit = await addMember(server, team.teamId, 'viewer', '新同事');
  // The team's units, with 基教科 merged into 基础教育科.
  const units = await pushAs(
    editor,
    (doc) =>
      writeUnits(doc, {
        'u-twy': unitRecord('体育卫生与艺术教育科', editor),
        'u-jcjy': unitRecord('基础教育科', editor),
        'u-old': unitRecord('基教科', editor, { mergedInto: 'u-jcjy' }),
      }),
    teamRoom(),
  );
  expect(units.ok).toBe(true);
  await eventually(
    () => server.queries.units(team.teamId),
    (u) => Object.keys(u).length === 3,
  );
  expect((await setUnit(viewerInUnit, '基础教育科')).body.unit).toEqual({ id: 'u-jcjy', name: '基础教育科' });
  expect((await setUnit(viewerElsewhere, '计划财务科')).status).toBe(200);
  const tasks = await pushAs(editor, (doc) => {
    writeTask(doc, taskRecord('t-jcjy', editor));
    writeTask(doc, taskRecord('t-merged', editor, { leadUnits: ['u-old'], units: [] }));
    writeTask(doc, taskRecord('t-twy', editor, { leadUnits: ['u-twy'], units: [] }));
  });
  expect(tasks).toEqual({ room: room(), ok: true });
});

afterAll(async () => {
  await server?.cleanup();
});

describe('tasks', () => {
  it('lets editors and owners write a valid task signed by themselves', async () => {
    expect((await pushAs(team.owner, (doc) => writeTask(doc, taskRecord('t-owner', team.owner)))).ok).toBe(true);
    const edited = taskRecord('t-jcjy', team.owner, { status: 'doing', createdBy: authorOf(editor) });
    expect((await pushAs(team.owner, (doc) => writeTask(doc, edited))).ok).toBe(true);
  });

  it('refuses viewers, records signed by someone else, invalid records and a key that is not the id', async () => {
    const cases: [Member, (doc: Y.Doc) => void, string][] = [
      [viewerInUnit, (doc) => writeTask(doc, taskRecord('t-v', viewerInUnit)), 'not_allowed'],
      [editor, (doc) => writeTask(doc, taskRecord('t-forged', team.owner)), 'invalid_value'],
      [editor, (doc) => tasksMap(doc).set('t-bad', { ...taskRecord('t-bad', editor), task: '' }), 'invalid_value'],
      [editor, (doc) => tasksMap(doc).set('t-other', taskRecord('t-key', editor)), 'invalid_value'],
      [editor, (doc) => tasksMap(doc).set('t a', taskRecord('t a', editor)), 'not_allowed'],
      [editor, (doc) => tasksMap(doc).set('t-nested', new Y.Map()), 'invalid_value'],
    ];
    for (const [member, change, code] of cases) {
      const result = await pushAs(member, change);
      expect(result.ok, code).toBe(false);
      expect(result.error?.code).toBe(code);
    }
    const listed = await api<{ tasks: { id: string }[] }>(server, 'GET', `/api/teams/${team.teamId}/tasks`, {
      token: editor.token,
    });
    const ids = listed.body.tasks.map((t) => t.id);
    for (const refused of ['t-v', 't-forged', 't-bad', 't-key', 't-other', 't-nested'])
      expect(ids).not.toContain(refused);
  });
});

describe('progress', () => {
  it('lets editors add their own entries to any task, and refuses entries under or signed with another key', async () => {
    const own = progressEntry('p-editor', editor, 't-twy');
    expect((await pushAs(editor, (doc) => writeProgress(doc, own))).ok).toBe(true);
    const forged = { ...progressEntry('p-forged', editor, 't-twy'), by: { id: team.owner.memberId, name: '局长' } };
    const refusals: [(doc: Y.Doc) => void, string][] = [
      [(doc) => writeProgress(doc, forged), 'not_allowed'],
      [(doc) => progressMap(doc).set(progressKey(editor.memberId, 'p-x'), forged), 'invalid_value'],
      [(doc) => progressMap(doc).set(progressKey(editor.memberId, 'p-y'), own), 'invalid_value'],
      [(doc) => progressMap(doc).set('p-nokey', own), 'not_allowed'],
      [
        (doc) => progressMap(doc).set(progressKey(editor.memberId, 'p-z'), { ...own, id: 'p-z', text: '' }),
        'invalid_value',
      ],
    ];
    for (const [change, code] of refusals) {
      const result = await pushAs(editor, change);
      expect(result.error?.code, code).toBe(code);
    }
  });

  it("lets a viewer add progress to the tasks of their unit, a merged unit's included, and nothing else", async () => {
    const allowed = [progressEntry('p-v1', viewerInUnit, 't-jcjy'), progressEntry('p-v2', viewerInUnit, 't-merged')];
    for (const entry of allowed) expect((await pushAs(viewerInUnit, (doc) => writeProgress(doc, entry))).ok).toBe(true);
    const refused: [Member, string][] = [
      [viewerInUnit, 't-twy'],
      [viewerInUnit, 't-missing'],
      [viewerElsewhere, 't-jcjy'],
    ];
    for (const [member, taskId] of refused) {
      const result = await pushAs(member, (doc) => writeProgress(doc, progressEntry(`p-${taskId}`, member, taskId)));
      expect(result, `${taskId}`).toMatchObject({ ok: false, error: { code: 'invalid_value' } });
    }
    // A viewer without a unit may write nothing: the push is refused as a whole.
    const doc = new Y.Doc();
    writeProgress(doc, progressEntry('p-none', viewerNoUnit, 't-jcjy'));
    const none = await api(server, 'POST', `/api/teams/${team.teamId}/push`, {
      token: viewerNoUnit.token,
      body: { updates: [{ room: room(), update: bytesToBase64(Y.encodeStateAsUpdate(doc)) }] },
    });
    expect(none.status).toBe(403);
    // A viewer with a unit still writes nothing else: no annotation, no task, no unit.
    const note = await pushAs(viewerInUnit, (doc) =>
      writeOwn(doc, annotation('a-viewer', team.teamId, 'notice', { author: authorOf(viewerInUnit) })),
    );
    expect(note.error?.code).toBe('not_allowed');
    const unit = await pushAs(
      viewerInUnit,
      (doc) => writeUnits(doc, { 'u-v': unitRecord('我的科室', viewerInUnit) }),
      teamRoom(),
    );
    expect(unit.error?.code).toBe('not_allowed');
  });

  it('applies the same rules over a live socket: the allowed entry reaches colleagues, the refused one closes it', async () => {
    const editorDoc = new Y.Doc();
    const editorClient = await connectProvider(server, editor.token, room(), editorDoc);
    const viewerDoc = new Y.Doc();
    const viewerClient = await connectProvider(server, viewerInUnit.token, room(), viewerDoc);
    let closed: number | null = null;
    viewerClient.on('connection-close', (event) => (closed ??= event?.code ?? 0));
    writeProgress(viewerDoc, progressEntry('p-live', viewerInUnit, 't-jcjy', '本周完成校园排查'));
    const key = progressKey(viewerInUnit.memberId, 'p-live');
    await waitFor(() => progressMap(editorDoc).has(key), 10_000, 'the entry to reach the editor');
    expect(closed).toBeNull();
    writeProgress(viewerDoc, progressEntry('p-live-2', viewerInUnit, 't-twy'));
    await waitFor(() => closed !== null, 10_000, 'the refused entry to close the socket');
    expect(closed).toBe(CLOSE_CODES.forbidden);
    expect(progressMap(editorDoc).has(progressKey(viewerInUnit.memberId, 'p-live-2'))).toBe(false);
    editorClient.destroy();
    viewerClient.destroy();
    expect(editorDoc.share.has(TASKS_KEY) && editorDoc.share.has(PROGRESS_KEY)).toBe(true);
  });
});

describe('members and their units', () => {
  it('lets the owner set, show and clear a unit; nobody else may', async () => {
    expect((await setUnit(viewerNoUnit, '基础教育科', editor.token)).status).toBe(403);
    expect((await setUnit(viewerNoUnit, 'x'.repeat(101))).status).toBe(400);
    const me = await api<MeResponse>(server, 'GET', '/api/me', { token: viewerInUnit.token });
    expect(me.body.unit).toEqual({ id: 'u-jcjy', name: '基础教育科' });
    const members = await api<{ members: { id: string; unit: { name: string } | null }[] }>(
      server,
      'GET',
      `/api/teams/${team.teamId}/members`,
      { token: viewerNoUnit.token },
    );
    const unitOf = new Map(members.body.members.map((m) => [m.id, m.unit?.name ?? null]));
    expect(unitOf.get(viewerInUnit.memberId)).toBe('基础教育科');
    expect(unitOf.get(viewerElsewhere.memberId)).toBe('计划财务科');
    expect(unitOf.get(viewerNoUnit.memberId)).toBeNull();
    expect((await setUnit(viewerElsewhere, null)).body.unit).toBeNull();
    // Taken away: the viewer may no longer write anything.
    const doc = new Y.Doc();
    writeProgress(doc, progressEntry('p-e', viewerElsewhere, 't-jcjy'));
    const refused = await api(server, 'POST', `/api/teams/${team.teamId}/push`, {
      token: viewerElsewhere.token,
      body: { updates: [{ room: room(), update: bytesToBase64(Y.encodeStateAsUpdate(doc)) }] },
    });
    expect(refused.status).toBe(403);
  });

  it('sets a unit from the command line, also while the server runs, and lists it', async () => {
    // The CLI opens the store the server uses: its data folder, or its PostgreSQL database.
    const store = server.config.databaseUrl
      ? { DATABASE_URL: server.config.databaseUrl }
      : { DATA_DIR: server.dataDir };
    const env = { ...process.env, ...store };
    expect(await runCommand(['member-unit', viewerNoUnit.memberId, '基教科'], env)).toMatch(/基础教育科/);
    expect(await runCommand(['members', team.teamId], env)).toMatch(new RegExp(`${viewerNoUnit.memberId}.*基础教育科`));
    const entry = progressEntry('p-cli', viewerNoUnit, 't-merged');
    // Another process set it: on PostgreSQL the server hears of it by a note (milliseconds later), not at once.
    await eventually(
      () => pushAs(viewerNoUnit, (doc) => writeProgress(doc, entry)),
      (result) => result.ok,
    );
    expect(await runCommand(['member-unit', viewerNoUnit.memberId, '--none'], env)).toMatch(/no unit/);
    await expect(runCommand(['member-unit', 'm-nobody', '基教科'], env)).rejects.toThrow(/No member/);
  });
});
