/**
 * Tasks and units across two server processes on one PostgreSQL and one Redis: a task edited through instance
 * A is listed by the REST API of instance B within 2 s, and a member's unit set or changed through B governs
 * what A accepts from that member (each instance hears of the change by a PostgreSQL note).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomIdFor, TEAM_ROOM_KEY } from '../../../shared/model/index.ts';
import * as Y from 'yjs';
import { bytesToBase64, type JoinResponse, type PushResponse } from '../../../shared/protocol/api.ts';
import type { TaskListResponse } from '../../../shared/protocol/tasks-api.ts';
import { writeProgress, writeTask } from '../../../shared/tasks/index.ts';
import { api, eventually, join } from '../server/helpers.ts';
import { AT, progressEntry, push, taskRecord, unitRecord, writeUnits } from '../tasks/fixtures.ts';
import { type Cluster, startCluster } from './cluster.ts';

let cluster: Cluster;
let viewer: JoinResponse;
const notice = () => roomIdFor(cluster.teamId, 'notice');

beforeAll(async () => {
  cluster = await startCluster(2);
  const [a] = cluster.instances;
  const { owner, teamId } = cluster;
  const invite = await api<{ inviteCode: string }>(a!, 'POST', `/api/teams/${teamId}/invites`, {
    token: owner.token,
    body: { role: 'viewer' },
  });
  viewer = await join(a!, invite.body.inviteCode, '基教科干部');
  // 基教科 was merged into 基础教育科: a task of either is the other's too.
  const units = await push(a!, owner, teamId, roomIdFor(teamId, TEAM_ROOM_KEY), (doc) =>
    writeUnits(doc, {
      'u-twy': unitRecord('体育卫生与艺术教育科', owner),
      'u-jcjy': unitRecord('基础教育科', owner),
      'u-old': unitRecord('基教科', owner, { mergedInto: 'u-jcjy' }),
    }),
  );
  expect(units.ok).toBe(true);
  await eventually(
    () =>
      api<{ records: Record<string, unknown> }>(cluster.instances[1]!, 'GET', `/api/teams/${teamId}/units`, {
        token: owner.token,
      }),
    (response) => Object.keys(response.body.records ?? {}).length === 3,
  );
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('tasks on several instances', () => {
  it('lists a task edited through instance A in the REST API of instance B within 2 s', async () => {
    const [a, b] = cluster.instances;
    const { owner, teamId } = cluster;
    const listOnB = async () =>
      (await api<TaskListResponse>(b!, 'GET', `/api/teams/${teamId}/tasks?today=2023-06-25`, { token: owner.token }))
        .body.tasks;
    // One document, as the extension keeps it: the edit follows the task it changes.
    const doc = new Y.Doc();
    const pushDoc = () =>
      api<PushResponse>(a!, 'POST', `/api/teams/${teamId}/push`, {
        token: owner.token,
        body: { updates: [{ room: notice(), update: bytesToBase64(Y.encodeStateAsUpdate(doc)) }] },
      });
    writeTask(doc, taskRecord('t-edit', owner));
    expect((await pushDoc()).body.results[0]!.ok).toBe(true);
    await eventually(listOnB, (tasks) => tasks.some((t) => t.id === 't-edit'));

    writeTask(doc, taskRecord('t-edit', owner, { status: 'doing', task: '改过的任务', updatedAt: AT + 1 }));
    expect((await pushDoc()).body.results[0]!.ok).toBe(true);
    const deadline = Date.now() + 2_000;
    let listed = await listOnB();
    while (Date.now() < deadline && listed.find((t) => t.id === 't-edit')?.status !== 'doing') {
      await new Promise((r) => setTimeout(r, 50));
      listed = await listOnB();
    }
    expect(listed.find((t) => t.id === 't-edit')).toMatchObject({ status: 'doing', task: '改过的任务' });
  });

  it("lets A accept a viewer's progress once B gave the unit, and refuse it once B changed the unit", async () => {
    const [a, b] = cluster.instances;
    const { owner, teamId } = cluster;
    expect(
      (
        await push(a!, owner, teamId, notice(), (doc) =>
          writeTask(doc, taskRecord('t-old', owner, { leadUnits: ['u-old'], units: [] })),
        )
      ).ok,
    ).toBe(true);
    const setUnitOnB = (unit: string) =>
      api(b!, 'PATCH', `/api/teams/${teamId}/members/${viewer.memberId}`, { token: owner.token, body: { unit } });
    const progressOnA = (id: string) =>
      push(a!, viewer, teamId, notice(), (doc) => writeProgress(doc, progressEntry(id, viewer, 't-old')));

    expect((await setUnitOnB('u-jcjy')).status).toBe(200);
    // A hears of the unit by a note a few milliseconds after B's commit; 2 s is far more than it needs.
    const accepted = await eventually(
      () => progressOnA('p-1'),
      (result) => result.ok,
      2_000,
    );
    expect(accepted.ok).toBe(true);

    expect((await setUnitOnB('u-twy')).status).toBe(200);
    const refused = await eventually(
      () => progressOnA('p-2'),
      (result) => !result.ok,
      2_000,
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_value' } });
  });
});
