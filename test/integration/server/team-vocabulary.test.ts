/**
 * The team's vocabulary with real clients: three members' extension backgrounds (Background over their own
 * IndexedDB, fake-indexeddb in Node) and the real server on 127.0.0.1 with its SQLite file. The third member
 * goes through a proxy that can cut them off the network. A renames or merges tags while C is offline and C
 * uses an old tag; once C is back, every member, the server's REST and its briefing read only the new tag.
 * Units are renamed and merged the same way, and a colleague's rename reaches a member reading a page live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { PagePort } from '../../../extension/lib/background/page-ports.ts';
import { Background } from '../../../extension/lib/background/root.ts';
import type { PagePortOut, SyncStatus } from '../../../extension/lib/messages.ts';
import { PizhuDatabase } from '../../../extension/lib/store/db.ts';
import type { WebSocketFactory } from '../../../extension/lib/sync/connection.ts';
import type { Annotation, DocumentInfo } from '../../../shared/model/annotation.ts';
import { fakeIndexedDb } from '../../unit/store/fixtures.ts';
import { RecordingProxy } from '../../e2e/recording-proxy.ts';
import { api, eventually, startTestServer, type TestServer } from './helpers.ts';

const PAGE: DocumentInfo = {
  key: 'docVocab',
  canonicalUrl: 'example.gov.cn/notice/vocab',
  url: 'https://example.gov.cn/notice/vocab',
  title: '2023年工作要点',
};

type Member = { name: string; service: Background; db: PizhuDatabase };

let server: TestServer;
let proxyC: RecordingProxy;
let teamId: string;
let ownerToken: string;
let a: Member;
let b: Member;
let c: Member;
let viewer: Member;

async function member(name: string, url: string, inviteCode: string): Promise<Member> {
  const db = new PizhuDatabase('pizhu', fakeIndexedDb());
  const service = new Background(db, { WebSocketImpl: WebSocket as unknown as WebSocketFactory, graceMs: 50 });
  await service.membership.join(url, inviteCode, name);
  await service.engine.idle();
  return { name, service, db };
}

const highlight = (who: Member, quote: string, tags: string[]) =>
  who.service.annotations.create(
    {
      documentKey: PAGE.key,
      selectors: [{ type: 'TextQuoteSelector', exact: quote }],
      clausePath: ['二、'],
      quote,
      tags,
    },
    PAGE,
  );

const tagsOf = async (who: Member) => (await who.service.tags.library()).map((row) => row.tag).sort();
const pageTags = async (who: Member) => (await who.service.annotations.list(PAGE.key)).map((x) => [x.quote, x.tags]);
const sync = (who: Member) => who.service.sync.syncNow();
const syncAll = async () => {
  for (const who of [a, b, c]) await sync(who);
  for (const who of [a, b, c]) await sync(who);
};

async function serverTags(): Promise<string[]> {
  const res = await api<{ tags: { tag: string }[] }>(server, 'GET', `/api/teams/${teamId}/tags`, {
    token: ownerToken,
  });
  return res.body.tags.map((t) => t.tag).sort();
}

async function briefing(): Promise<string> {
  const res = await api<string>(server, 'GET', `/api/teams/${teamId}/briefing?format=md&groupBy=tag`, {
    token: ownerToken,
  });
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  server = await startTestServer();
  const created = await server.teams.createTeam('政策研究组');
  teamId = created.teamId;
  const owner = await api<{ token: string }>(server, 'POST', '/api/join', {
    body: { inviteCode: (await server.teams.createInvite(teamId, { role: 'owner' })).inviteCode, displayName: '局长' },
  });
  ownerToken = owner.body.token;
  proxyC = await new RecordingProxy(server.url).start();
  const invite = async (role: 'editor' | 'viewer') => (await server.teams.createInvite(teamId, { role })).inviteCode;
  a = await member('张伟', server.url, await invite('editor'));
  b = await member('李娜', server.url, await invite('editor'));
  c = await member('王芳', proxyC.url, await invite('editor'));
  viewer = await member('赵敏', server.url, await invite('viewer'));
});

afterAll(async () => {
  for (const who of [a, b, c, viewer]) {
    if (!who) continue;
    who.service.engine.cancel();
    await who.service.engine.idle();
    await who.service.rooms.flushAll();
    who.db.close();
  }
  await proxyC?.stop();
  await server?.cleanup();
});

describe('a tag renamed while a colleague was offline', () => {
  it('stays renamed once the colleague is back, for every member, the REST API and the briefing', async () => {
    await highlight(b, '扎实推进年度各项工作', ['重点任务']);
    await syncAll();
    expect(await tagsOf(c)).toEqual(['重点任务']);

    proxyC.offline = true;
    await eventually(
      () => sync(c),
      (status: SyncStatus) => status.state === 'offline',
    );
    expect(await a.service.tags.merge(['重点任务'], '重点工作')).toEqual({ renamed: ['重点任务'], to: '重点工作' });
    // C, offline, still sees the old tag and uses it.
    await highlight(c, '离线时标注的条款', ['重点任务']);
    expect(await tagsOf(c)).toEqual(['重点任务']);
    await sync(a);
    await sync(b);
    expect(await tagsOf(b)).toEqual(['重点工作']);
    // The server's index reads the team room's change with its next batch.
    await eventually(serverTags, (tags) => JSON.stringify(tags) === JSON.stringify(['重点工作']));

    proxyC.offline = false;
    await eventually(
      () => sync(c),
      (status: SyncStatus) => status.state === 'online',
    );
    await syncAll();
    for (const who of [a, b, c]) {
      expect(await tagsOf(who), who.name).toEqual(['重点工作']);
      expect(await pageTags(who), who.name).toEqual(
        expect.arrayContaining([
          ['扎实推进年度各项工作', ['重点工作']],
          ['离线时标注的条款', ['重点工作']],
        ]),
      );
    }
    // C's record keeps what C wrote; it reads as the new tag everywhere.
    const cRow = (await c.db.annotations.toArray()).find((x: Annotation) => x.quote === '离线时标注的条款');
    expect(cRow?.tags).toEqual(['重点任务']);
    await eventually(serverTags, (tags) => JSON.stringify(tags) === JSON.stringify(['重点工作']));
    // The tag list was already renamed before C came back: wait for C's own record to reach the server's index.
    const rest = await eventually(
      () =>
        api<{ annotations: Annotation[] }>(
          server,
          'GET',
          `/api/teams/${teamId}/annotations?tag=${encodeURIComponent('重点工作')}`,
          { token: ownerToken },
        ),
      (answer) => answer.body.annotations.length >= 2,
    );
    expect(rest.body.annotations.map((x) => x.tags)).toEqual([['重点工作'], ['重点工作']]);
    const text = await briefing();
    expect(text).toContain('重点工作');
    expect(text).not.toContain('重点任务');
  });

  it('stays merged the same way: two tags into one while a colleague used one of them offline', async () => {
    await highlight(a, '加强学生锻炼', ['体育']);
    await highlight(b, '开展课外活动', ['运动']);
    await syncAll();
    proxyC.offline = true;
    await eventually(
      () => sync(c),
      (status: SyncStatus) => status.state === 'offline',
    );
    expect(await b.service.tags.merge(['体育', '运动'], '体育运动')).toEqual({
      renamed: ['体育', '运动'],
      to: '体育运动',
    });
    await highlight(c, '每天校园活动一小时', ['运动', '体育']);
    proxyC.offline = false;
    await eventually(
      () => sync(c),
      (status: SyncStatus) => status.state === 'online',
    );
    await syncAll();
    for (const who of [a, b, c]) {
      expect(await tagsOf(who), who.name).toEqual(['体育运动', '重点工作']);
      const rows = await who.service.tags.library();
      // The annotation that carried both merged tags counts once.
      expect(rows.find((row) => row.tag === '体育运动')?.count, who.name).toBe(3);
    }
    await eventually(serverTags, (tags) => JSON.stringify(tags) === JSON.stringify(['体育运动', '重点工作']));
    const counts = await api<{ tags: { tag: string; count: number }[] }>(server, 'GET', `/api/teams/${teamId}/tags`, {
      token: ownerToken,
    });
    expect(counts.body.tags).toContainEqual({ tag: '体育运动', count: 3 });
    const text = await briefing();
    expect(text).toContain('体育运动');
    const others = text.replaceAll('体育运动', '');
    expect(others).not.toContain('体育');
    expect(others).not.toContain('运动');
  });

  it('reaches a member reading a page live, without a catch-up, and re-sends that page its annotations', async () => {
    const messages: PagePortOut[] = [];
    const port: PagePort = { post: (message) => messages.push(message) };
    await b.service.pages.open(port, PAGE.key, PAGE);
    await eventually(
      async () => b.service.sync.status(),
      (status) => status.state === 'online',
    );
    await a.service.tags.merge(['重点工作'], '年度重点工作');
    await eventually(
      () => tagsOf(b),
      (tags) => tags.includes('年度重点工作'),
    );
    await eventually(
      async () => messages.filter((m) => m.type === 'annotations').at(-1),
      (last) => last?.type === 'annotations' && last.annotations.some((x) => x.tags.includes('年度重点工作')),
    );
    b.service.pages.close(port);
  });

  it('refuses a viewer’s rename and leaves the team’s tags alone', async () => {
    await sync(viewer);
    await expect(viewer.service.tags.merge(['体育运动'], '运动')).rejects.toMatchObject({
      code: 'viewer_cannot_edit_vocabulary',
      params: { team: expect.any(String) },
    });
    expect((await tagsOf(viewer)).sort()).toEqual(['体育运动', '年度重点工作']);
  });
});

describe('the team’s units', () => {
  it('renames and merges units while a colleague is offline; the colleague’s later use of an old name finds the unit', async () => {
    const added = await a.service.tags.changeUnits({ action: 'add', name: '基础教育科' });
    const other = await a.service.tags.changeUnits({ action: 'add', name: '教研室' });
    if (!added.ok || !other.ok) throw new Error('add failed');
    await syncAll();
    expect((await c.service.queries.units()).map((u) => u.name)).toEqual(['基础教育科', '教研室']);

    proxyC.offline = true;
    await eventually(
      () => sync(c),
      (status: SyncStatus) => status.state === 'offline',
    );
    expect(await b.service.tags.changeUnits({ action: 'rename', id: added.id, name: '基础教育与学前教育科' })).toEqual({
      ok: true,
      id: added.id,
    });
    expect(await b.service.tags.changeUnits({ action: 'merge', from: [other.id], into: added.id })).toEqual({
      ok: true,
      id: added.id,
    });
    expect(await b.service.tags.changeUnits({ action: 'rename', id: added.id, name: '教研室' })).toEqual({
      ok: true,
      id: added.id,
    });
    // C, offline, adds "基础教育科" again: it is the unit C knows, not a new one.
    expect(await c.service.tags.changeUnits({ action: 'add', name: '基础教育科' })).toEqual({ ok: true, id: added.id });
    proxyC.offline = false;
    await eventually(
      () => sync(c),
      (status: SyncStatus) => status.state === 'online',
    );
    await syncAll();
    for (const who of [a, b, c]) {
      expect(await who.service.queries.units(), who.name).toEqual([
        { id: added.id, name: '教研室', aliases: ['基础教育与学前教育科', '基础教育科'] },
      ]);
      expect((await who.service.queries.unitNamed('基础教育科'))?.id, who.name).toBe(added.id);
    }
    const res = await eventually(
      () =>
        api<{ units: { id: string; name: string }[] }>(server, 'GET', `/api/teams/${teamId}/units`, {
          token: ownerToken,
        }),
      (r) => r.body.units.length === 1,
    );
    expect(res.body.units.map((u) => [u.id, u.name])).toEqual([[added.id, '教研室']]);
    // A name another live unit has is refused, worded by the panel from the code.
    const third = await a.service.tags.changeUnits({ action: 'add', name: '办公室' });
    expect(third.ok).toBe(true);
    expect(await a.service.tags.changeUnits({ action: 'rename', id: added.id, name: '办公室' })).toEqual({
      ok: false,
      error: 'name-taken',
    });
    await expect(viewer.service.tags.changeUnits({ action: 'add', name: '督导室' })).rejects.toMatchObject({
      code: 'viewer_cannot_edit_vocabulary',
      params: { team: expect.any(String) },
    });
  });
});
