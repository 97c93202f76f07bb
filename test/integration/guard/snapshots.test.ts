/**
 * Clause snapshots in a page room (issue 20), against the real server on a real SQLite file with y-websocket
 * clients: an editor's snapshot is stored, reaches colleagues and survives a restart; a viewer's, a lying one
 * (key or hashes), an overwrite and a deletion are refused before anything is stored or sent (4403 on the
 * socket, a refusal per room over HTTP push).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  type ClauseSnapshot,
  readRoomSnapshot,
  roomSnapshotKeys,
  writeRoomSnapshot,
} from '../../../shared/compare/index.ts';
import { roomIdFor, snapshotsMap } from '../../../shared/model/index.ts';
import { bytesToBase64, CLOSE_CODES, type PushResponse } from '../../../shared/protocol/api.ts';
import { sampleSnapshot } from '../../fixtures/snapshot.ts';
import {
  addMember,
  api,
  connectProvider,
  createTeamWithOwner,
  type Member,
  startTestServer,
  type TestServer,
  tempDir,
  waitFor,
} from '../server/helpers.ts';

const dataDir = tempDir('pizhu-snapshots-');
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeamWithOwner>>;
let editor: Member;
let viewer: Member;
const room = () => roomIdFor(team.teamId, 'notice2023');
const first = sampleSnapshot(['加强学校体育工作，保证学生每天校园体育活动时间不少于1小时。', '完善学生资助体系。']);
const second = sampleSnapshot(['加强学校体育工作，保证学生每天综合体育活动时间不少于2小时。', '完善学生资助体系。']);

async function client(member: Member) {
  const doc = new Y.Doc();
  const provider = await connectProvider(server, member.token, room(), doc);
  let closedWith: number | null = null;
  provider.on('connection-close', (event) => {
    closedWith ??= event?.code ?? 0;
  });
  return { doc, provider, closed: () => closedWith };
}

beforeAll(async () => {
  server = await startTestServer({ dataDir });
  team = await createTeamWithOwner(server, '教育局');
  editor = await addMember(server, team.teamId, 'editor', '李娜');
  viewer = await addMember(server, team.teamId, 'viewer', '王芳');
});

afterAll(async () => {
  await server.cleanup();
});

describe('snapshots in a page room', () => {
  it('stores an editor’s snapshot, sends it to colleagues and keeps it across a restart', async () => {
    const writer = await client(editor);
    const owner = await client(team.owner);
    expect(writeRoomSnapshot(writer.doc, first)).toBe('written');
    await waitFor(() => readRoomSnapshot(owner.doc, first.contentHash) !== null);
    expect(readRoomSnapshot(owner.doc, first.contentHash)).toEqual(first);
    expect(writer.closed()).toBeNull();
    writer.provider.destroy();
    owner.provider.destroy();

    await server.close();
    server = await startTestServer({ dataDir });
    const late = await client(viewer);
    expect(readRoomSnapshot(late.doc, first.contentHash)).toEqual(first);
    late.provider.destroy();
  });

  it.each([
    ['a viewer’s snapshot', () => viewer, (doc: Y.Doc) => writeRoomSnapshot(doc, second)],
    [
      'a snapshot under another version’s key',
      () => editor,
      (doc: Y.Doc) => snapshotsMap(doc).set(second.contentHash, first),
    ],
    [
      'a snapshot whose clause text does not match its hashes',
      () => editor,
      (doc: Y.Doc) => snapshotsMap(doc).set(second.contentHash, tampered(second)),
    ],
    [
      'an overwrite of a stored snapshot',
      () => team.owner,
      (doc: Y.Doc) => snapshotsMap(doc).set(first.contentHash, { ...first, title: '改过的标题' }),
    ],
    ['a deletion of a stored snapshot', () => team.owner, (doc: Y.Doc) => snapshotsMap(doc).delete(first.contentHash)],
  ] as const)('refuses %s (4403) and stores nothing of it', async (_what, who, edit) => {
    const attacker = await client(who());
    edit(attacker.doc);
    await waitFor(() => attacker.closed() !== null);
    expect(attacker.closed()).toBe(CLOSE_CODES.forbidden);
    attacker.provider.destroy();
    const late = await client(editor);
    expect(roomSnapshotKeys(late.doc)).toEqual([first.contentHash]);
    expect(readRoomSnapshot(late.doc, first.contentHash)).toEqual(first);
    late.provider.destroy();
  });

  it('takes a valid snapshot over HTTP push and refuses a lying one, room by room', async () => {
    const valid = new Y.Doc();
    writeRoomSnapshot(valid, second);
    const lying = new Y.Doc();
    snapshotsMap(lying).set(second.contentHash, tampered(second));
    const push = await api<PushResponse>(server, 'POST', `/api/teams/${team.teamId}/push`, {
      token: editor.token,
      body: {
        updates: [
          { room: roomIdFor(team.teamId, 'other'), update: bytesToBase64(Y.encodeStateAsUpdate(lying)) },
          { room: room(), update: bytesToBase64(Y.encodeStateAsUpdate(valid)) },
        ],
      },
    });
    expect(push.body.results[0]).toMatchObject({ ok: false, error: { code: 'invalid_value' } });
    expect(push.body.results[1]).toEqual({ room: room(), ok: true });
    const late = await client(team.owner);
    expect(roomSnapshotKeys(late.doc).sort()).toEqual([first.contentHash, second.contentHash].sort());
    late.provider.destroy();
  });
});

/** The snapshot with its first clause's text changed and its hashes left as they were. */
function tampered(snapshot: ClauseSnapshot): ClauseSnapshot {
  return { ...snapshot, clauses: snapshot.clauses.map((c, i) => (i ? c : { ...c, text: `${c.text}（已删去）` })) };
}
