/** Task records and writes for the task integration tests (the real server, real clients). */
import * as Y from 'yjs';
import { bytesToBase64, type PushResponse } from '../../../shared/protocol/api.ts';
import { type Unit, unitsMap, writeTeamEntries } from '../../../shared/model/team-room.ts';
import type { ProgressEntry, TaskRecord } from '../../../shared/tasks/index.ts';
import { api, type Member } from '../server/helpers.ts';

export const AT = Date.UTC(2023, 2, 6);

export function taskRecord(id: string, writer: Member, extra: Partial<TaskRecord> = {}): TaskRecord {
  const author = { id: writer.memberId, name: '办公室' };
  return {
    id,
    clause: { path: ['二、', '8.'], text: '8. 促进学生身心健康全面发展。', hash: 'h8', index: 9 },
    task: '促进学生身心健康全面发展',
    leadUnits: ['u-twy'],
    units: ['u-jcjy'],
    due: { text: '6月底前', date: '2023-06-30' },
    status: 'todo',
    createdBy: author,
    createdAt: AT,
    updatedBy: author,
    updatedAt: AT,
    ...extra,
  };
}

export function progressEntry(id: string, writer: Member, taskId: string, text = '已召开部署会'): ProgressEntry {
  return { id, taskId, text, at: AT + 86_400_000, by: { id: writer.memberId, name: '成员' } };
}

export function unitRecord(name: string, writer: Member, extra: Partial<Unit> = {}): Unit {
  return { name, by: writer.memberId, at: AT, ...extra };
}

/** Writes units into a team room's `units` map (shared/model/team-room.ts), as the extension does. */
export function writeUnits(doc: Y.Doc, units: Record<string, Unit>): void {
  writeTeamEntries(unitsMap(doc), new Map(Object.entries(units)));
}

/** One HTTP push of the changes `change` makes to a fresh document, as `member`; the room's result. */
export async function push(
  server: { url: string },
  member: Member,
  teamId: string,
  room: string,
  change: (doc: Y.Doc) => void,
): Promise<PushResponse['results'][number]> {
  const doc = new Y.Doc();
  change(doc);
  const response = await api<PushResponse>(server, 'POST', `/api/teams/${teamId}/push`, {
    token: member.token,
    body: { updates: [{ room, update: bytesToBase64(Y.encodeStateAsUpdate(doc)) }] },
  });
  if (response.status !== 200) throw new Error(`push answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.results[0]!;
}
