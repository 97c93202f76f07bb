/**
 * Old rooms keep working: a room stored in room layout version 1 (as the code before version 2 wrote it: nested
 * maps under `annotations`) in a real SQLite file. A server started on that file lists its annotations; each is
 * editable by its author (the edit becomes the author's version 2 record) and refused to everyone else; an owner
 * deletes one with a removed entry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  type Annotation,
  memberKey,
  notesMap,
  readAnnotation,
  roomIdFor,
  writeAnnotation,
} from '../../../shared/model/index.ts';
import { type AnnotationListResponse, CLOSE_CODES } from '../../../shared/protocol/api.ts';
import { openDatabase } from '../../../server/storage/sqlite-db.ts';
import { SqliteUpdateStore } from '../../../server/storage/sqlite-updates.ts';
import { writeVersion1Annotation } from '../../fixtures/room-v1.ts';
import { annotation } from '../server/fixtures.ts';
import {
  addMember,
  api,
  connectProvider,
  createTeamWithOwner,
  eventually,
  type Member,
  startTestServer,
  type TestServer,
  tempDir,
  waitFor,
} from '../server/helpers.ts';

const dataDir = tempDir('pizhu-legacy-');
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeamWithOwner>>;
let author: Member;
let colleague: Member;
const DOC = 'oldnotice';
const room = () => roomIdFor(team.teamId, DOC);
/** The room as stored before the upgrade: what an old client had synced. */
let storedBeforeUpgrade: Uint8Array;

const list = async () =>
  (
    await api<AnnotationListResponse>(server, 'GET', `/api/teams/${team.teamId}/annotations?includeDeleted=true`, {
      token: team.owner.token,
    })
  ).body.annotations;

async function client(member: Member) {
  const doc = new Y.Doc();
  const provider = await connectProvider(server, member.token, room(), doc);
  let closedWith: number | null = null;
  provider.on('connection-close', (event) => {
    closedWith ??= event?.code ?? 0;
  });
  const read = (id: string) => {
    const result = readAnnotation(doc, { teamId: team.teamId, documentKey: DOC }, id);
    return result?.ok ? result.annotation : null;
  };
  return { doc, provider, read, closed: () => closedWith };
}

beforeAll(async () => {
  // The team and its members exist; then, with the server stopped, the room is stored as version 1.
  server = await startTestServer({ dataDir });
  team = await createTeamWithOwner(server, '老团队');
  author = await addMember(server, team.teamId, 'editor', '王芳');
  colleague = await addMember(server, team.teamId, 'editor', '赵强');
  await server.close();
  const legacy = new Y.Doc();
  for (const [id, member, name] of [
    ['old1', author, '王芳'],
    ['old2', author, '王芳'],
    ['old3', colleague, '赵强'],
  ] as const) {
    writeVersion1Annotation(
      legacy,
      annotation(id, team.teamId, DOC, {
        author: { id: member.memberId, name },
        note: `${name}的旧批注`,
        tags: ['体育'],
      }),
    );
  }
  storedBeforeUpgrade = Y.encodeStateAsUpdate(legacy);
  const db = openDatabase(dataDir);
  await new SqliteUpdateStore(db).append(room(), team.teamId, [storedBeforeUpgrade]);
  db.close();
  server = await startTestServer({ dataDir });
}, 60_000);

afterAll(async () => {
  await server.cleanup();
});

describe('a version 1 room on a version 2 server', () => {
  it('lists the stored annotations, credited to their authors', async () => {
    const listed = await eventually(list, (all) => all.length === 3);
    expect(listed.map((a) => [a.id, a.author.name, a.note]).sort()).toEqual([
      ['old1', '王芳', '王芳的旧批注'],
      ['old2', '王芳', '王芳的旧批注'],
      ['old3', '赵强', '赵强的旧批注'],
    ]);
  });

  it('lets the author edit one (as a version 2 record) and refuses the edit to anyone else', async () => {
    const own = await client(author);
    const old1 = own.read('old1')!;
    writeAnnotation(own.doc, { ...old1, note: '王芳改过的批注', updatedAt: old1.updatedAt + 1 }, author.memberId);
    await eventually(list, (all) => all.find((a) => a.id === 'old1')?.note === '王芳改过的批注');
    expect(own.closed()).toBeNull();

    // Someone else: under the author's key, under their own key with the same id, or in the version 1 record.
    const attempts: ((doc: Y.Doc) => void)[] = [
      (doc) => notesMap(doc).set(memberKey(author.memberId, 'old2'), { ...recordOf(own.read('old2')!), note: '改' }),
      (doc) =>
        writeAnnotation(
          doc,
          { ...own.read('old2')!, author: { id: colleague.memberId, name: '赵强' } },
          colleague.memberId,
        ),
      (doc) => writeVersion1Annotation(doc, { ...own.read('old2')!, note: '改' }),
    ];
    for (const attempt of attempts) {
      const other = await client(colleague);
      attempt(other.doc);
      await waitFor(() => other.closed() !== null);
      expect(other.closed()).toBe(CLOSE_CODES.forbidden);
      other.provider.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect((await list()).find((a) => a.id === 'old2')).toMatchObject({
      note: '王芳的旧批注',
      author: { id: author.memberId },
    });
    expect(own.read('old2')).toMatchObject({ note: '王芳的旧批注' });
    own.provider.destroy();
  });

  it('lets an owner delete a colleague’s old annotation with a removed entry', async () => {
    const owner = await client(team.owner);
    const old3 = owner.read('old3')!;
    writeAnnotation(owner.doc, { ...old3, deleted: true, updatedAt: old3.updatedAt + 1 }, team.owner.memberId);
    await eventually(list, (all) => all.find((a) => a.id === 'old3')?.deleted === true);
    expect(owner.closed()).toBeNull();
    const theirs = await client(colleague);
    expect(theirs.read('old3')).toMatchObject({ deleted: true, note: '赵强的旧批注' });
    theirs.provider.destroy();
    owner.provider.destroy();
  });
});

describe('an old client’s edits queued offline before the upgrade', () => {
  it('land when they are its author’s (an edit and a new version 1 record); a colleague’s are refused', async () => {
    const offline = new Y.Doc();
    Y.applyUpdate(offline, storedBeforeUpgrade);
    const place = { teamId: team.teamId, documentKey: DOC };
    const old2 = readAnnotation(offline, place, 'old2');
    if (!old2?.ok) throw new Error('old2 unreadable');
    writeVersion1Annotation(offline, { ...old2.annotation, note: '离线时改的', tags: ['体育', '离线'], updatedAt: 5 });
    writeVersion1Annotation(
      offline,
      annotation('old4', team.teamId, DOC, { author: { id: author.memberId, name: '王芳' }, note: '离线新建的' }),
    );
    const provider = await connectProvider(server, author.token, room(), offline);
    let closedWith: number | null = null;
    provider.on('connection-close', (event) => {
      closedWith ??= event?.code ?? 0;
    });
    const listed = await eventually(list, (all) => all.some((a) => a.id === 'old4'));
    expect(listed.find((a) => a.id === 'old4')).toMatchObject({ note: '离线新建的', author: { id: author.memberId } });
    expect(listed.find((a) => a.id === 'old2')).toMatchObject({ note: '离线时改的' });
    expect(listed.find((a) => a.id === 'old2')?.tags.sort()).toEqual(['体育', '离线'].sort());
    expect(closedWith).toBeNull();
    provider.destroy();

    // The colleague's old client had queued an edit of the author's record: refused, and nothing of it stored.
    const theirs = new Y.Doc();
    Y.applyUpdate(theirs, storedBeforeUpgrade);
    writeVersion1Annotation(theirs, { ...old2.annotation, note: '赵强离线改的' });
    const other = await client(colleague);
    Y.applyUpdate(other.doc, Y.encodeStateAsUpdate(theirs, Y.encodeStateVector(other.doc)));
    await waitFor(() => other.closed() !== null);
    expect(other.closed()).toBe(CLOSE_CODES.forbidden);
    other.provider.destroy();
    expect((await list()).find((a) => a.id === 'old2')).toMatchObject({ note: '离线时改的' });
  });
});

function recordOf(a: Annotation) {
  const { teamId: _t, documentKey: _d, visibility: _v, ...rest } = a;
  return rest;
}
