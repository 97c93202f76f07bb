/**
 * The REST API over the query index: listing and filtering without loading rooms, tag counts, team-wide tag
 * renames and merges (entries of the team room that every reader applies, later uses included), the team's
 * units, unknown content skipped, team management.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  type Annotation,
  documentKeyFor,
  memberKey,
  notesMap,
  readTagRenames,
  roomIdFor,
  teamRoomIdFor,
  unitsMap,
  writeDocumentInfo,
} from '../../../shared/model/index.ts';
import type { AnnotationListResponse, TagEditResponse } from '../../../shared/protocol/api.ts';
import type { WebsocketProvider } from 'y-websocket';
import { annotation, authorOf, holds, writeOwn } from './fixtures.ts';
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
} from './helpers.ts';

let server: TestServer;
let team: Awaited<ReturnType<typeof createTeamWithOwner>>;
let editor: Member;
/** Per document: the owner's client and the editor's (each writes their own annotations). */
const docs = new Map<string, { doc: Y.Doc; provider: WebsocketProvider }>();
const editorDocs = new Map<string, { doc: Y.Doc; provider: WebsocketProvider }>();
const URL_A = 'https://www.suizhou.gov.cn/zwgk/t20230329_1089222.shtml';
const KEY_A = documentKeyFor(URL_A);
const KEY_B = 'docB';

const list = async (query = '') =>
  api<AnnotationListResponse>(server, 'GET', `/api/teams/${team.teamId}/annotations${query}`, {
    token: team.owner.token,
  });

beforeAll(async () => {
  server = await startTestServer({ timings: { roomIdleMs: 100, sweepMs: 100 } });
  team = await createTeamWithOwner(server, 'REST');
  editor = await addMember(server, team.teamId, 'editor', '李四');
  for (const key of [KEY_A, KEY_B]) {
    const doc = new Y.Doc();
    docs.set(key, { doc, provider: await connectProvider(server, team.owner.token, roomIdFor(team.teamId, key), doc) });
    const theirs = new Y.Doc();
    editorDocs.set(key, {
      doc: theirs,
      provider: await connectProvider(server, editor.token, roomIdFor(team.teamId, key), theirs),
    });
  }
  const a = docs.get(KEY_A)!.doc;
  writeDocumentInfo(a, {
    key: KEY_A,
    canonicalUrl: 'suizhou.gov.cn/zwgk/t20230329_1089222.shtml',
    url: URL_A,
    title: '随州市教育局通知',
  });
  const zhang = authorOf(team.owner, '张三');
  const li = authorOf(editor, '李四');
  const writeIn = (key: string, record: Annotation) =>
    writeOwn((record.author.id === editor.memberId ? editorDocs : docs).get(key)!.doc, record);
  const records: Annotation[] = [
    annotation('a1', team.teamId, KEY_A, {
      tags: ['体育', 'PPP'],
      clausePath: ['一、', '（一）'],
      author: zhang,
      note: '重点关注体育课时',
      updatedAt: 1_000,
    }),
    annotation('a2', team.teamId, KEY_A, {
      tags: ['健康'],
      clausePath: ['一、', '（二）'],
      author: li,
      updatedAt: 2_000,
    }),
    annotation('a3', team.teamId, KEY_A, {
      tags: ['体育'],
      clausePath: ['二、'],
      author: zhang,
      quote: '每天校园体育活动一小时',
      updatedAt: 3_000,
    }),
    annotation('a4', team.teamId, KEY_A, {
      tags: ['安全'],
      clausePath: ['三、'],
      author: li,
      deleted: true,
      updatedAt: 4_000,
    }),
  ];
  for (const record of records) writeIn(KEY_A, record);
  writeIn(
    KEY_B,
    annotation('b1', team.teamId, KEY_B, {
      tags: ['体育', '学校'],
      clausePath: ['第一条'],
      author: li,
      updatedAt: 5_000,
    }),
  );
  writeIn(
    KEY_B,
    annotation('b2', team.teamId, KEY_B, { tags: ['ppp'], clausePath: ['第二条'], author: zhang, updatedAt: 6_000 }),
  );
  await eventually(
    () => list(),
    (res) => res.body.annotations?.length === 5,
  );
});

afterAll(async () => {
  for (const { provider } of [...docs.values(), ...editorDocs.values()]) provider.destroy();
  await server.cleanup();
});

const ids = (res: { body: AnnotationListResponse }) => res.body.annotations.map((a) => a.id);

describe('listing annotations', () => {
  it('lists live annotations newest first, validated against the shared model', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(['b2', 'b1', 'a3', 'a2', 'a1']);
    expect(res.body.annotations[0]).toMatchObject({ teamId: team.teamId, documentKey: KEY_B, visibility: 'team' });
    expect(ids(await list('?includeDeleted=true'))).toContain('a4');
  });

  it('filters by document key and page URL, tag (normalised), author, clause prefix, text and time', async () => {
    expect(ids(await list(`?document=${KEY_B}`))).toEqual(['b2', 'b1']);
    expect(
      ids(await list(`?url=${encodeURIComponent('http://suizhou.gov.cn/zwgk/t20230329_1089222.shtml?utm_source=x')}`)),
    ).toEqual(['a3', 'a2', 'a1']);
    expect(ids(await list(`?tag=${encodeURIComponent('ＰＰＰ')}`))).toEqual(['b2', 'a1']);
    expect(ids(await list(`?author=${editor.memberId}`))).toEqual(['b1', 'a2']);
    expect(ids(await list(`?clause=${encodeURIComponent('一、')}`))).toEqual(['a2', 'a1']);
    expect(ids(await list(`?clause=${encodeURIComponent('一、')}&clause=${encodeURIComponent('（二）')}`))).toEqual([
      'a2',
    ]);
    expect(ids(await list(`?q=${encodeURIComponent('体育')}`))).toEqual(['a3', 'a1']);
    expect(ids(await list('?from=2000&to=5000'))).toEqual(['b1', 'a3', 'a2']);
    expect(ids(await list(`?from=${new Date(3_000).toISOString()}`))).toEqual(['b2', 'b1', 'a3']);
  });

  it('pages with a cursor, without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.annotations.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['b2', 'b1', 'a3', 'a2', 'a1']);
  });

  it('answers bad queries with 400 and the error shape', async () => {
    for (const [query, code] of [
      ['?limit=0', 'invalid_request'],
      ['?limit=abc', 'invalid_request'],
      ['?cursor=zzz', 'invalid_cursor'],
      ['?from=yesterday', 'invalid_request'],
      ['?url=ftp://x', 'invalid_url'],
      ['?document=bad%20key', 'invalid_request'],
    ]) {
      const res = await list(query!);
      expect(res.status, query).toBe(400);
      const { error } = res.body as unknown as { error: { code: string; params?: unknown } };
      expect(error.code, query).toBe(code);
      // The schema's complaint travels as `detail`; a bad cursor has nothing more to say.
      if (code === 'invalid_cursor') expect(error, query).not.toHaveProperty('params');
      else expect(error.params, query).toEqual({ detail: expect.any(String) });
    }
  });

  it('lists documents and tag counts', async () => {
    const documents = await api<{
      documents: { documentKey: string; annotations: number; document: { title: string } | null }[];
    }>(server, 'GET', `/api/teams/${team.teamId}/documents`, { token: team.owner.token });
    expect(documents.body.documents.find((d) => d.documentKey === KEY_A)).toMatchObject({
      annotations: 3,
      document: { title: '随州市教育局通知' },
    });
    expect(documents.body.documents.find((d) => d.documentKey === KEY_B)).toMatchObject({
      annotations: 2,
      document: null,
    });
    const tags = await api<{ tags: { tag: string; count: number }[] }>(
      server,
      'GET',
      `/api/teams/${team.teamId}/tags`,
      { token: team.owner.token },
    );
    expect(tags.body.tags).toEqual([
      { tag: '体育', count: 3 },
      { tag: 'ppp', count: 2 },
      { tag: '健康', count: 1 },
      { tag: '学校', count: 1 },
    ]);
    const late = new Y.Doc();
    const provider = await connectProvider(server, editor.token, roomIdFor(team.teamId, KEY_B), late);
    expect(holds(late, 'b1') && holds(late, 'b2')).toBe(true);
    provider.destroy();
  });

  it('credits the member behind the key, by the name the team knows them by', async () => {
    // The records name their authors "张三" and "李四"; the team knows the owner as "REST owner".
    const a1 = (await list()).body.annotations.find((a) => a.id === 'a1')!;
    expect(a1.author).toEqual({ id: team.owner.memberId, name: 'REST owner' });
    const briefing = await server.queries.teamAnnotations(team.teamId);
    expect(briefing.annotations.find((a) => a.id === 'a2')!.author).toEqual({ id: editor.memberId, name: '李四' });
  });

  it('gives a briefing its team’s annotations and documents as shared-model objects', async () => {
    const briefing = await server.queries.teamAnnotations(team.teamId);
    expect(briefing.annotations.map((a) => a.id).sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(briefing.documents.map((d) => d.key)).toEqual([KEY_A]);
    const sport = await server.queries.teamAnnotations(team.teamId, { tags: ['体育'], documentKeys: [KEY_A] });
    expect(sport.annotations.map((a) => a.id).sort()).toEqual(['a1', 'a3']);
  });
});

describe('team-wide tag renames and merges', () => {
  const tagCounts = async () =>
    (
      await api<{ tags: { tag: string; count: number }[] }>(server, 'GET', `/api/teams/${team.teamId}/tags`, {
        token: team.owner.token,
      })
    ).body.tags;

  it('renames a tag for the team: an entry in the team room, no record rewritten, every reader follows', async () => {
    const teamDoc = new Y.Doc();
    const teamProvider = await connectProvider(server, editor.token, teamRoomIdFor(team.teamId), teamDoc);
    const res = await api<TagEditResponse>(server, 'POST', `/api/teams/${team.teamId}/tags/rename`, {
      token: editor.token,
      body: { from: 'PPP', to: '政府和社会资本合作' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ renamed: ['ppp'], to: '政府和社会资本合作' });
    // A live client of the team room gets the entry, signed by the member who asked.
    await waitFor(() => readTagRenames(teamDoc).has('ppp'));
    expect(readTagRenames(teamDoc).get('ppp')).toMatchObject({ to: '政府和社会资本合作', by: editor.memberId });
    // The records keep what their authors wrote.
    const b = docs.get(KEY_B)!.doc;
    expect((notesMap(b).get(memberKey(team.owner.memberId, 'b2')) as { tags: string[] }).tags).toEqual(['ppp']);
    // Counts, filters (new name and old) and listed tags read the new name.
    expect(await tagCounts()).toContainEqual({ tag: '政府和社会资本合作', count: 2 });
    expect((await tagCounts()).map((t) => t.tag)).not.toContain('ppp');
    expect(ids(await list(`?tag=${encodeURIComponent('政府和社会资本合作')}`))).toEqual(['b2', 'a1']);
    expect(ids(await list('?tag=PPP'))).toEqual(['b2', 'a1']);
    expect((await list(`?document=${KEY_B}`)).body.annotations.find((a) => a.id === 'b2')!.tags).toEqual([
      '政府和社会资本合作',
    ]);
    // A use of the old tag that arrives later (a colleague offline until now) reads as the new one.
    writeOwn(
      editorDocs.get(KEY_B)!.doc,
      annotation('b3', team.teamId, KEY_B, { tags: ['PPP'], author: authorOf(editor, '李四'), updatedAt: 7_000 }),
    );
    await eventually(
      () => list(`?tag=${encodeURIComponent('政府和社会资本合作')}`),
      (r) => ids(r).includes('b3'),
    );
    expect(await tagCounts()).toContainEqual({ tag: '政府和社会资本合作', count: 3 });
    const briefing = await server.queries.teamAnnotations(team.teamId, { tags: ['ppp'] });
    expect(briefing.annotations.map((a) => [a.id, a.tags]).sort()).toEqual([
      ['a1', ['体育', '政府和社会资本合作']],
      ['b2', ['政府和社会资本合作']],
      ['b3', ['政府和社会资本合作']],
    ]);
    teamProvider.destroy();
  });

  it('merges tags, counting an annotation that had both once, and reads the briefing through the merge', async () => {
    const res = await api<TagEditResponse>(server, 'POST', `/api/teams/${team.teamId}/tags/merge`, {
      token: team.owner.token,
      body: { from: ['健康', '学校'], to: '体育' },
    });
    expect(res.body).toEqual({ renamed: ['健康', '学校'], to: '体育' });
    expect(await tagCounts()).toContainEqual({ tag: '体育', count: 4 });
    const b1 = (await list('?document=docB')).body.annotations.find((a) => a.id === 'b1')!;
    expect(b1.tags).toEqual(['体育']);
    const markdown = await api<string>(
      server,
      'GET',
      `/api/teams/${team.teamId}/briefing?format=md&tags=${encodeURIComponent('学校')}`,
      { token: team.owner.token },
    );
    expect(markdown.status).toBe(200);
    expect(markdown.body).toContain('体育');
    expect(markdown.body).not.toContain('学校');
  });

  it('renames what sits in rooms nobody has open, and refuses an empty target', async () => {
    const key = 'docIdle';
    const doc = new Y.Doc();
    const provider = await connectProvider(server, team.owner.token, roomIdFor(team.teamId, key), doc);
    writeOwn(doc, annotation('idle1', team.teamId, key, { tags: ['冷门'], author: authorOf(team.owner) }));
    await eventually(
      () => list(`?document=${key}`),
      (r) => r.body.annotations.length === 1,
    );
    provider.destroy();
    await eventually(
      async () => server.roomsLoaded(),
      (n) => n === 2,
      5_000,
    );
    const res = await api(server, 'POST', `/api/teams/${team.teamId}/tags/rename`, {
      token: team.owner.token,
      body: { from: '冷门', to: '热门' },
    });
    expect(res.body).toEqual({ renamed: ['冷门'], to: '热门' });
    expect((await list(`?document=${key}`)).body.annotations[0]!.tags).toEqual(['热门']);
    const empty = await api(server, 'POST', `/api/teams/${team.teamId}/tags/rename`, {
      token: team.owner.token,
      body: { from: '热门', to: ' ' },
    });
    expect(empty.status).toBe(400);
  });

  it('lists the team’s units, kept by editors in the team room', async () => {
    const teamDoc = new Y.Doc();
    const provider = await connectProvider(server, editor.token, teamRoomIdFor(team.teamId), teamDoc);
    teamDoc.transact(() => {
      unitsMap(teamDoc).set('u-jc', { name: '基础教育科', aliases: ['基教科'], by: editor.memberId, at: 1 });
      unitsMap(teamDoc).set('u-old', { name: '教研室', mergedInto: 'u-jc', by: editor.memberId, at: 2 });
      unitsMap(teamDoc).set('u-bg', { name: '办公室', by: editor.memberId, at: 3 });
    });
    const units = await eventually(
      () =>
        api<{ units: { id: string; name: string; aliases: string[] }[]; records: Record<string, unknown> }>(
          server,
          'GET',
          `/api/teams/${team.teamId}/units`,
          { token: team.owner.token },
        ),
      (r) => Object.keys(r.body.records ?? {}).length === 3,
    );
    expect(units.body.units).toEqual([
      { id: 'u-bg', name: '办公室', aliases: [] },
      { id: 'u-jc', name: '基础教育科', aliases: ['基教科', '教研室'] },
    ]);
    expect(units.body.records['u-old']).toMatchObject({ name: '教研室', mergedInto: 'u-jc' });
    provider.destroy();
  });
});

describe('team management', () => {
  it('lets owners invite, change roles, remove members; keeps at least one owner', async () => {
    const invite = await api<{ id: string; inviteCode: string; role: string }>(
      server,
      'POST',
      `/api/teams/${team.teamId}/invites`,
      {
        token: team.owner.token,
        body: { role: 'viewer', maxUses: 1 },
      },
    );
    expect(invite.status).toBe(201);
    expect(invite.body.role).toBe('viewer');
    const joined = await api<Member>(server, 'POST', '/api/join', {
      body: { inviteCode: invite.body.inviteCode.toLowerCase(), displayName: '王五' },
    });
    expect(joined.body.role).toBe('viewer');
    const again = await api(server, 'POST', '/api/join', {
      body: { inviteCode: invite.body.inviteCode, displayName: 'x' },
    });
    expect(again.status).toBe(410);

    const members = await api<{ members: { id: string; role: string; displayName: string }[] }>(
      server,
      'GET',
      `/api/teams/${team.teamId}/members`,
      { token: editor.token },
    );
    expect(members.body.members.map((m) => m.displayName)).toEqual(['REST owner', '李四', '王五']);

    const promote = await api(server, 'PATCH', `/api/teams/${team.teamId}/members/${joined.body.memberId}`, {
      token: team.owner.token,
      body: { role: 'editor' },
    });
    expect(promote.body).toMatchObject({ role: 'editor' });
    const me = await api<{ role: string }>(server, 'GET', '/api/me', { token: joined.body.token });
    expect(me.body.role).toBe('editor');

    const demoteLast = await api(server, 'PATCH', `/api/teams/${team.teamId}/members/${team.owner.memberId}`, {
      token: team.owner.token,
      body: { role: 'editor' },
    });
    expect(demoteLast.status).toBe(409);

    const removed = await api(server, 'DELETE', `/api/teams/${team.teamId}/members/${joined.body.memberId}`, {
      token: team.owner.token,
    });
    expect(removed.status).toBe(204);
    expect((await api(server, 'GET', '/api/me', { token: joined.body.token })).status).toBe(401);

    const invites = await api<{ invites: { id: string; uses: number }[] }>(
      server,
      'GET',
      `/api/teams/${team.teamId}/invites`,
      { token: team.owner.token },
    );
    expect(invites.body.invites.find((i) => i.id === invite.body.id)).toMatchObject({ uses: 1 });
    expect(JSON.stringify(invites.body)).not.toContain(invite.body.inviteCode);
    expect(
      (await api(server, 'DELETE', `/api/teams/${team.teamId}/invites/${invite.body.id}`, { token: team.owner.token }))
        .status,
    ).toBe(204);
  });

  it('exposes health and Prometheus metrics', async () => {
    const metrics = await fetch(`${server.url}/metrics`);
    const text = await metrics.text();
    for (const name of [
      'pizhu_connections',
      'pizhu_rooms_loaded',
      'pizhu_updates_per_second',
      'pizhu_bytes_stored',
      'pizhu_rejected_messages_total',
      'pizhu_append_seconds_bucket',
      'pizhu_fanout_seconds_bucket',
      'nodejs_eventloop_lag_max_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/pizhu_updates_total \d+/);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('slows down invite-code guessing (429)', async () => {
    const guessing = await startTestServer({ limits: { joinAttemptsPerMinute: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await api(guessing, 'POST', '/api/join', { body: { inviteCode: `WRONG-${i}000`, displayName: 'x' } }))
            .status,
        );
      }
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
    } finally {
      await guessing.cleanup();
    }
  });
});
