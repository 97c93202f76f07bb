/**
 * Issue 15, finding 4: authorship is enforced by the server. An editor created an annotation with the owner as
 * author, rewrote the owner's note and deleted the owner's annotation, and the index and briefings credited the
 * owner. Now each of these is refused before it is stored or sent (4403, a log line, a metric), over the socket and
 * over HTTP push; owners delete others' annotations with a removed entry; client ids stay their first writer's
 * across a restart; and the index names the member behind each record as the team knows them.
 * The real server on a real SQLite file, real y-websocket clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  type Annotation,
  memberKey,
  notesMap,
  readAnnotation,
  removedMap,
  roomIdFor,
  writeAnnotation,
} from '../../../shared/model/index.ts';
import {
  type AnnotationListResponse,
  bytesToBase64,
  CLOSE_CODES,
  type PushResponse,
} from '../../../shared/protocol/api.ts';
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
  refusedCount,
} from '../server/helpers.ts';

const dataDir = tempDir('pizhu-authorship-');
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeamWithOwner>>;
let editor: Member;
let logged: string[];
const room = () => roomIdFor(team.teamId, 'notice');

async function start(): Promise<void> {
  logged = [];
  server = await startTestServer({
    dataDir,
    logger: {
      info() {},
      warn: (kind, message) => logged.push(`${kind}: ${message}`),
      error: (kind, message) => logged.push(`${kind}: ${message}`),
    },
  });
}

const by = (member: Member, name: string): Annotation['author'] => ({ id: member.memberId, name });

/** A member's client on the room, and how its socket was closed (null while open). */
async function client(member: Member) {
  const doc = new Y.Doc();
  const provider: WebsocketProvider = await connectProvider(server, member.token, room(), doc);
  let closedWith: number | null = null;
  provider.on('connection-close', (event) => {
    closedWith ??= event?.code ?? 0;
  });
  return {
    doc,
    provider,
    closed: () => closedWith,
    read: (id: string) => readAnnotation(doc, { teamId: team.teamId, documentKey: 'notice' }, id),
  };
}

const list = async (query = '?includeDeleted=true') =>
  (
    await api<AnnotationListResponse>(server, 'GET', `/api/teams/${team.teamId}/annotations${query}`, {
      token: team.owner.token,
    })
  ).body.annotations;

beforeAll(async () => {
  await start();
  team = await createTeamWithOwner(server, '政策研究组');
  editor = await addMember(server, team.teamId, 'editor', '李娜');
  // The owner's annotation, stored and indexed.
  const owner = await client(team.owner);
  writeAnnotation(
    owner.doc,
    annotation('ownerNote', team.teamId, 'notice', { author: by(team.owner, '组长'), note: '组长的批注' }),
    team.owner.memberId,
  );
  await eventually(list, (all) => all.some((a) => a.id === 'ownerNote'));
  owner.provider.destroy();
});

afterAll(async () => {
  await server.cleanup();
});

describe('the server refuses what breaks the write rules, before storing or sending it', () => {
  it.each([
    [
      'an annotation created with the owner as author',
      (doc: Y.Doc) =>
        notesMap(doc).set(
          memberKey(team.owner.memberId, 'forged'),
          record(annotation('forged', team.teamId, 'notice', { author: by(team.owner, '组长') })),
        ),
      'not_allowed',
    ],
    [
      'the editor’s own key naming the owner as author',
      (doc: Y.Doc) =>
        notesMap(doc).set(
          memberKey(editor.memberId, 'forged2'),
          record(annotation('forged2', team.teamId, 'notice', { author: by(team.owner, '组长') })),
        ),
      'invalid_value',
    ],
    [
      'a rewrite of the owner’s note',
      (doc: Y.Doc) => {
        const key = memberKey(team.owner.memberId, 'ownerNote');
        notesMap(doc).set(key, { ...(notesMap(doc).get(key) as object), note: '被改写了' });
      },
      'not_allowed',
    ],
    [
      'a deletion of the owner’s annotation',
      (doc: Y.Doc) => notesMap(doc).delete(memberKey(team.owner.memberId, 'ownerNote')),
      'not_allowed',
    ],
    [
      'a version 1 record naming another member as its author',
      (doc: Y.Doc) =>
        writeVersion1Annotation(doc, annotation('legacy', team.teamId, 'notice', { author: by(team.owner, '组长') })),
      'not_allowed',
    ],
    [
      'a removed entry written by an editor',
      (doc: Y.Doc) => removedMap(doc).set(memberKey(team.owner.memberId, 'ownerNote'), { by: editor.memberId, at: 1 }),
      'not_allowed',
    ],
  ] as const)('refuses %s (4403)', async (_what, edit, metric) => {
    const before = await refusedCount(server, metric);
    const owner = await client(team.owner);
    const attacker = await client(editor);
    edit(attacker.doc);
    await waitFor(() => attacker.closed() !== null);
    expect(attacker.closed()).toBe(CLOSE_CODES.forbidden);
    attacker.provider.destroy();
    expect(await refusedCount(server, metric)).toBe(before + 1);
    expect(logged.at(-1)).toMatch(new RegExp(`^refused:${metric}: room \\S+ member ${editor.memberId}: `));
    // Nothing of it was sent to the owner's client or stored: a client that joins now sees the room as it was.
    await new Promise((r) => setTimeout(r, 100));
    const late = await client(team.owner);
    for (const doc of [owner.doc, late.doc]) {
      expect(notesMap(doc).has(memberKey(team.owner.memberId, 'forged'))).toBe(false);
      expect((notesMap(doc).get(memberKey(team.owner.memberId, 'ownerNote')) as { note: string }).note).toBe(
        '组长的批注',
      );
      expect(removedMap(doc).size).toBe(0);
      expect(doc.getMap('annotations').size).toBe(0);
    }
    owner.provider.destroy();
    late.provider.destroy();
  });

  it('refuses the same over HTTP push, room by room', async () => {
    const doc = new Y.Doc();
    notesMap(doc).set(
      memberKey(team.owner.memberId, 'pushed'),
      record(annotation('pushed', team.teamId, 'notice', { author: by(team.owner, '组长') })),
    );
    const mine = new Y.Doc();
    writeAnnotation(
      mine,
      annotation('minePushed', team.teamId, 'notice', { author: by(editor, '李娜') }),
      editor.memberId,
    );
    const push = await api<PushResponse>(server, 'POST', `/api/teams/${team.teamId}/push`, {
      token: editor.token,
      body: {
        updates: [
          { room: room(), update: bytesToBase64(Y.encodeStateAsUpdate(doc)) },
          { room: roomIdFor(team.teamId, 'other'), update: bytesToBase64(Y.encodeStateAsUpdate(mine)) },
        ],
      },
    });
    expect(push.body.results).toEqual([
      { room: room(), ok: false, error: { code: 'not_allowed', message: "notes: another member's entry" } },
      { room: roomIdFor(team.teamId, 'other'), ok: true },
    ]);
    expect(logged.at(-1)).toMatch(
      /^refused:not_allowed: push to room \S+ by member \S+: notes: another member's entry/,
    );
  });

  it('lets the owner delete the editor’s annotation with a removed entry, and everyone reads it as deleted', async () => {
    const editorClient = await client(editor);
    writeAnnotation(
      editorClient.doc,
      annotation('editorNote', team.teamId, 'notice', { author: by(editor, '李娜') }),
      editor.memberId,
    );
    const owner = await client(team.owner);
    await waitFor(() => owner.read('editorNote')?.ok === true);
    const current = owner.read('editorNote');
    writeAnnotation(
      owner.doc,
      { ...(current as { annotation: Annotation }).annotation, deleted: true },
      team.owner.memberId,
    );
    await waitFor(() => {
      const read = editorClient.read('editorNote');
      return read?.ok === true && read.annotation.deleted;
    });
    expect(owner.closed()).toBeNull();
    await eventually(list, (all) => all.find((a) => a.id === 'editorNote')?.deleted === true);
    editorClient.provider.destroy();
    owner.provider.destroy();
  });

  it('credits the member behind the key by the name the team knows, whatever name the record carries', async () => {
    const editorClient = await client(editor);
    writeAnnotation(
      editorClient.doc,
      annotation('signedAsOwner', team.teamId, 'notice', { author: { id: editor.memberId, name: '政策研究组 owner' } }),
      editor.memberId,
    );
    const listed = await eventually(list, (all) => all.some((a) => a.id === 'signedAsOwner'));
    expect(listed.find((a) => a.id === 'signedAsOwner')!.author).toEqual({ id: editor.memberId, name: '李娜' });
    const briefing = await server.queries.teamAnnotations(team.teamId);
    expect(briefing.annotations.find((a) => a.id === 'signedAsOwner')!.author.name).toBe('李娜');
    editorClient.provider.destroy();
  });

  it('keeps each client id its first writer’s across a restart', async () => {
    const owner = await client(team.owner);
    writeAnnotation(
      owner.doc,
      annotation('beforeRestart', team.teamId, 'notice', { author: by(team.owner, '组长') }),
      team.owner.memberId,
    );
    await eventually(list, (all) => all.some((a) => a.id === 'beforeRestart'));
    const ownersClient = owner.doc.clientID;
    owner.provider.destroy();
    await server.close();
    await start();
    // The editor's client writes with the owner's client id, continuing its clock range.
    const impostor = new Y.Doc();
    const provider = await connectProvider(server, editor.token, room(), impostor);
    impostor.clientID = ownersClient;
    let closedWith: number | null = null;
    provider.on('connection-close', (event) => {
      closedWith ??= event?.code ?? 0;
    });
    writeAnnotation(
      impostor,
      annotation('impostor', team.teamId, 'notice', { author: by(editor, '李娜') }),
      editor.memberId,
    );
    await waitFor(() => closedWith !== null);
    expect(closedWith).toBe(CLOSE_CODES.forbidden);
    expect(logged.at(-1)).toMatch(/edits under another member's client id/);
    // (The provider's presence still goes by the id it started with.)
    impostor.clientID = provider.awareness.clientID;
    provider.destroy();
  });
});

function record(a: Annotation) {
  const { teamId: _t, documentKey: _d, visibility: _v, ...rest } = a;
  return rest;
}
