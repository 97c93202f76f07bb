/**
 * The extension's sync client and background service, two "browsers" (each its own fake IndexedDB) against a
 * tiny sync server on 127.0.0.1 with real HTTP and WebSockets: catch-up, offline edits and backoff, restarts,
 * concurrent edits, realtime and presence, bad servers, viewers, leaving a team, backup, and private
 * annotations never leaving the device.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import type { PagePort } from '../../../extension/lib/background/page-ports.ts';
import { Background } from '../../../extension/lib/background/root.ts';
import type { PagePortOut } from '../../../extension/lib/messages.ts';
import { PizhuDatabase } from '../../../extension/lib/store/db.ts';
import type { WebSocketFactory } from '../../../extension/lib/sync/connection.ts';
import { annotationsMap, memberKey, notesMap, roomIdFor } from '../../../shared/model/room.ts';
import type { DocumentInfo } from '../../../shared/model/annotation.ts';
import { fakeIndexedDb } from './fixtures.ts';
import { tapReads } from './fixtures-quota.ts';
import { TinySyncServer } from './tiny-sync-server.ts';

const PAGE: DocumentInfo = {
  key: 'docA',
  canonicalUrl: 'example.gov.cn/notice/a',
  url: 'https://example.gov.cn/notice/a',
  title: '关于印发2023年工作要点的通知',
  contentHash: 'hash-v1',
};

type Browser = {
  name: string;
  options: ReturnType<typeof fakeIndexedDb>;
  db: PizhuDatabase;
  service: Background;
  /** Runs `teamsRead.next` right after the service next reads its team (to stage a race). */
  teamsRead: { next: (() => void) | null };
};

let server: TinySyncServer;
const browsers: Browser[] = [];

function launch(name: string, options = fakeIndexedDb()): Browser {
  const db = new PizhuDatabase('pizhu', options);
  const teamsRead = tapReads(db, 'teams');
  const service = new Background(db, { WebSocketImpl: WebSocket as unknown as WebSocketFactory, graceMs: 50 });
  const browser = { name, options, db, service, teamsRead };
  browsers.push(browser);
  return browser;
}

/** A browser restart: the same IndexedDB, a new service (nothing kept in memory). */
async function restart(browser: Browser): Promise<Browser> {
  await browser.service.rooms.flushAll();
  browser.db.close();
  return launch(browser.name, browser.options);
}

function port(): PagePort & { messages: PagePortOut[] } {
  const messages: PagePortOut[] = [];
  return { messages, post: (message) => messages.push(message) };
}

const selection = (quote: string) => ({
  documentKey: PAGE.key,
  selectors: [{ type: 'TextQuoteSelector' as const, exact: quote }],
  clausePath: ['二、', '8.'],
  quote,
});

async function until<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  what: string,
  ms = 5_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function joinBoth(role: 'editor' | 'viewer' = 'editor') {
  const a = launch('a');
  const b = launch('b');
  await a.service.membership.join(server.url, server.invite('t1'), '张伟');
  await b.service.membership.join(server.url, server.invite('t1', role), '李娜');
  await a.service.engine.idle();
  await b.service.engine.idle();
  return { a, b };
}

beforeEach(async () => {
  server = await new TinySyncServer().start();
});

afterEach(async () => {
  for (const browser of browsers.splice(0)) {
    browser.service.engine.cancel();
    await browser.service.engine.idle();
    await browser.service.rooms.flushAll();
    browser.db.close();
  }
  await server.stop();
});

describe('catch-up through the bulk endpoints', () => {
  it("brings a colleague's team annotations, searchable offline, and never sends private ones", async () => {
    const { a, b } = await joinBoth();
    const shared = await a.service.annotations.create(
      { ...selection('促进学生身心健康全面发展'), tags: ['体育'], note: '本学期重点' },
      PAGE,
    );
    const secret = await a.service.annotations.create(
      { ...selection('加强义务教育阶段学生体育锻炼'), note: '只给自己看的私人备注', visibility: 'private' },
      PAGE,
    );
    expect(await a.service.sync.syncNow()).toMatchObject({ state: 'online' });
    await b.service.sync.syncNow();

    expect(await b.service.annotations.list(PAGE.key)).toEqual([shared]);
    expect((await b.service.queries.find({ text: '身心健康' })).groups.flatMap((g) => g.items)).toEqual([shared]);
    expect((await b.service.tags.library()).map((t) => t.tag)).toEqual(['体育']);
    expect((await b.db.documents.get(PAGE.key))?.title).toBe(PAGE.title);

    const traffic = server.traffic();
    expect(traffic).toContain('本学期重点');
    expect(traffic).not.toContain(secret.note);
    expect(traffic).not.toContain(secret.id);
    expect(traffic).not.toContain(secret.quote);
  });

  it('keeps offline edits, backs off, and delivers them when the server is back', async () => {
    const { a, b } = await joinBoth();
    server.goDown();
    const note = await a.service.annotations.create({ ...selection('第一条'), note: '离线时写的' }, PAGE);
    const run = await a.service.engine.syncNow();
    expect(run.ok).toBe(false);
    expect(a.service.sync.status()).toMatchObject({
      state: 'offline',
      error: { code: 'unreachable', params: { server: server.url } },
      pending: 1,
      unsent: 1,
    });
    const state = await a.db.syncState.get('t1');
    expect(state).toMatchObject({ failures: 1 });
    expect(state!.nextAttemptAt!).toBeGreaterThan(Date.now());
    expect(await a.service.engine.tick()).toEqual({ ok: false, skipped: 'backing off' });

    server.mode = 'ok';
    expect((await a.service.engine.syncNow()).ok).toBe(true);
    expect(await a.db.rooms.get(roomIdFor('t1', PAGE.key))).toMatchObject({ dirty: 0 });
    expect(a.service.sync.status()).toMatchObject({ state: 'online' });
    expect(a.service.sync.status().pending).toBeUndefined();
    await b.service.sync.syncNow();
    expect(await b.service.annotations.list(PAGE.key)).toEqual([note]);
  });

  it('after a restart in the middle, the offline edits are still there and sync', async () => {
    let { a, b } = await joinBoth();
    const first = await a.service.annotations.create({ ...selection('第一条'), note: 'v1' }, PAGE);
    const second = await b.service.annotations.create({ ...selection('第二条'), note: 'v1' }, PAGE);
    await a.service.sync.syncNow();
    await b.service.sync.syncNow();
    await a.service.sync.syncNow();
    server.goDown();
    await a.service.annotations.update(first.id, { note: 'A 离线修改' });
    await b.service.annotations.update(second.id, { color: 'green', tags: ['教育'] });
    a = await restart(a);
    b = await restart(b);
    expect((await a.service.annotations.list(PAGE.key)).find((x) => x.id === first.id)?.note).toBe('A 离线修改');
    server.mode = 'ok';
    await a.service.sync.start();
    await b.service.sync.start();
    await a.service.sync.syncNow();
    await b.service.sync.syncNow();
    await a.service.sync.syncNow();
    const byId = (list: { id: string }[]) => [...list].sort((x, y) => x.id.localeCompare(y.id));
    const [fromA, fromB] = [
      byId(await a.service.annotations.list(PAGE.key)),
      byId(await b.service.annotations.list(PAGE.key)),
    ];
    expect(fromA).toEqual(fromB);
    expect(fromA.find((x) => x.id === first.id)).toMatchObject({ note: 'A 离线修改' });
    expect(fromA.find((x) => x.id === second.id)).toMatchObject({ color: 'green', tags: ['教育'] });
  });

  it('reports a server answering garbage or errors clearly and loses nothing', async () => {
    const { a } = await joinBoth();
    const kept = await a.service.annotations.create({ ...selection('第一条'), note: 'kept' }, PAGE);
    await a.service.sync.syncNow();
    const cursor = (await a.db.syncState.get('t1'))?.cursor;

    server.mode = 'garbage';
    await a.service.sync.syncNow();
    expect(a.service.sync.status()).toMatchObject({
      state: 'error',
      error: { code: 'unexpected_answer', params: { server: server.url } },
    });
    server.mode = 'error500';
    await a.service.sync.syncNow();
    expect(a.service.sync.status()).toMatchObject({
      state: 'error',
      error: { code: 'not_pizhu_server', params: { server: server.url, status: 500 } },
    });
    expect(await a.service.annotations.list(PAGE.key)).toEqual([kept]);
    expect((await a.db.syncState.get('t1'))?.cursor).toBe(cursor);

    server.mode = 'unauthorized';
    await a.service.sync.syncNow();
    expect(a.service.sync.status()).toMatchObject({
      state: 'error',
      error: { code: 'token_rejected', params: { team: expect.any(String) } },
    });
  });

  it('skips a room record that fails validation, says so, and keeps syncing the rest', async () => {
    const { a } = await joinBoth();
    const bad = server.roomDoc(roomIdFor('t1', 'docBad'));
    const record = new Y.Map<unknown>();
    annotationsMap(bad).set('evil-1', record);
    record.set('quote', '<script>alert(1)</script>');
    record.set('color', 'octarine');
    const good = launch('c');
    await good.service.membership.join(server.url, server.invite('t1'), '王芳');
    await good.service.annotations.create({ ...selection('第二条'), note: 'fine' }, PAGE);
    await good.service.sync.syncNow();

    await a.service.sync.syncNow();
    expect(await a.db.annotations.get('evil-1')).toBeUndefined();
    expect((await a.service.annotations.list(PAGE.key)).map((x) => x.note)).toEqual(['fine']);
    expect(a.service.sync.status()).toMatchObject({
      state: 'online',
      problems: [{ code: 'record_invalid', params: { id: 'evil-1' }, detail: expect.any(String) }],
    });
  });
});

describe('editing team annotations', () => {
  it("bases a local edit on the room as it is now, so a change from the author's other device is kept", async () => {
    const { a } = await joinBoth();
    const shared = await a.service.annotations.create({ ...selection('第一条'), note: '初稿' }, PAGE);
    const roomId = roomIdFor('t1', PAGE.key);
    const lease = await a.service.rooms.acquire(roomId);
    // A edits the colour; a note from A's other device arrives while A is between reading and writing.
    const otherDevice = new Y.Doc();
    Y.applyUpdate(otherDevice, Y.encodeStateAsUpdate(lease.room.doc));
    const key = memberKey(shared.author.id, shared.id);
    notesMap(otherDevice).set(key, { ...(notesMap(otherDevice).get(key) as object), note: '另一台电脑刚改的' });
    let arriving: Promise<void> = Promise.resolve();
    a.teamsRead.next = () => {
      arriving = lease.room.applyRemote(Y.encodeStateAsUpdate(otherDevice, Y.encodeStateVector(lease.room.doc)));
    };
    const edited = await a.service.annotations.update(shared.id, { color: 'pink' });
    await arriving;
    lease.release();
    expect(edited).toMatchObject({ note: '另一台电脑刚改的', color: 'pink' });
    expect(await a.db.annotations.get(shared.id)).toMatchObject({ note: '另一台电脑刚改的', color: 'pink' });
  });

  it("refuses to change a colleague's annotation; an owner may delete it for everyone", async () => {
    const owner = launch('o');
    const editor = launch('e');
    await owner.service.membership.join(server.url, server.invite('t1', 'owner'), '张伟');
    await editor.service.membership.join(server.url, server.invite('t1'), '李娜');
    const theirs = await editor.service.annotations.create({ ...selection('第一条'), note: '李娜的批注' }, PAGE);
    const mine = await owner.service.annotations.create({ ...selection('第二条'), note: '张伟的批注' }, PAGE);
    await editor.service.sync.syncNow();
    await owner.service.sync.syncNow();
    await editor.service.sync.syncNow();
    await expect(editor.service.annotations.update(mine.id, { note: '改别人的' })).rejects.toMatchObject({
      code: 'author_only',
    });
    await expect(editor.service.annotations.setDeleted(mine.id, true)).rejects.toMatchObject({ code: 'author_only' });
    await expect(owner.service.annotations.update(theirs.id, { note: '改别人的' })).rejects.toMatchObject({
      code: 'owner_delete_only',
    });
    await owner.service.annotations.setDeleted(theirs.id, true);
    await owner.service.sync.syncNow();
    await editor.service.sync.syncNow();
    expect(await editor.db.annotations.get(theirs.id)).toMatchObject({ deleted: true, note: '李娜的批注' });
    expect(await editor.db.annotations.get(mine.id)).toMatchObject({ deleted: false, note: '张伟的批注' });
  });
});

describe('realtime', () => {
  it("shows a colleague's new annotation and presence on an open page without a catch-up", async () => {
    const { a, b } = await joinBoth();
    const pageA = port();
    const pageB = port();
    await a.service.pages.open(pageA, PAGE.key, PAGE);
    await b.service.pages.open(pageB, PAGE.key, PAGE);
    await until(
      () => pageB.messages.filter((m) => m.type === 'presence').at(-1),
      (m) => m?.type === 'presence' && m.peers.some((p) => p.name === '张伟'),
      'presence of A in B',
    );
    const created = await a.service.annotations.create({ ...selection('第三条'), note: '实时' }, PAGE);
    const seen = await until(
      () =>
        pageB.messages
          .filter((m): m is Extract<PagePortOut, { type: 'annotations' }> => m.type === 'annotations')
          .at(-1),
      (m) => Boolean(m?.annotations.some((x) => x.id === created.id)),
      'the annotation in B',
    );
    expect(seen!.annotations.find((x) => x.id === created.id)).toEqual(created);
    expect(pageA.messages.some((m) => m.type === 'status' && m.status.state === 'online')).toBe(true);
    a.service.pages.close(pageA);
    b.service.pages.close(pageB);
  });
});

describe('team membership and settings', () => {
  it("refuses a viewer's edit to team annotations locally, with a clear message", async () => {
    const { a, b } = await joinBoth('viewer');
    const shared = await a.service.annotations.create({ ...selection('第一条') }, PAGE);
    await a.service.sync.syncNow();
    await b.service.sync.syncNow();
    const asViewer = { code: 'viewer_cannot_edit', params: { team: 'Team t1' } };
    await expect(b.service.annotations.update(shared.id, { note: 'mine now' })).rejects.toMatchObject(asViewer);
    await expect(
      b.service.annotations.create({ ...selection('第二条'), visibility: 'team' }, PAGE),
    ).rejects.toMatchObject(asViewer);
    // A viewer may still keep private notes.
    expect(
      (await b.service.annotations.create({ ...selection('第三条'), visibility: 'private' }, PAGE)).visibility,
    ).toBe('private');
  });

  it('leaves a team, removing its data on request and keeping own private notes', async () => {
    const { a } = await joinBoth();
    const shared = await a.service.annotations.create({ ...selection('第一条'), tags: ['共享'] }, PAGE);
    const mine = await a.service.annotations.create(
      { ...selection('第二条'), visibility: 'private', tags: ['私人'] },
      PAGE,
    );
    await a.service.sync.syncNow();
    const token = (await a.db.teams.toCollection().first())!.token;
    expect(await a.service.membership.leave(true)).toEqual({ removed: 1, keptPrivate: 1, tokenRevoked: true });
    // The server no longer takes the token it gave this browser.
    const answer = await fetch(`${server.url}/api/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ room: roomIdFor('t1', PAGE.key) }),
    });
    expect(answer.status).toBe(401);
    expect(await a.db.annotations.get(shared.id)).toBeUndefined();
    expect(await a.db.annotations.get(mine.id)).toEqual({ ...mine, teamId: null });
    expect(await a.db.roomUpdates.count()).toBe(0);
    expect((await a.service.tags.library()).map((t) => t.tag)).toEqual(['私人']);
    expect(a.service.sync.status()).toEqual({ state: 'not-joined' });
    expect((await a.service.membership.settings()).team).toBeNull();
  });

  it('refuses to remove team data that has not reached the server', async () => {
    const { a } = await joinBoth();
    server.goDown();
    await a.service.annotations.create({ ...selection('第一条'), note: 'unsent' }, PAGE);
    await expect(a.service.membership.leave(true)).rejects.toMatchObject({
      code: 'leave_unsent',
      params: { pages: 1 },
    });
    expect((await a.service.annotations.list(PAGE.key)).map((x) => x.note)).toEqual(['unsent']);
    // Leaving and keeping the team's data works with the server down: the token could not be revoked, and says so.
    expect(await a.service.membership.leave(false)).toEqual({ removed: 0, keptPrivate: 0, tokenRevoked: false });
    expect((await a.service.annotations.list(PAGE.key)).map((x) => x.note)).toEqual(['unsent']);
    expect((await a.service.membership.settings()).team).toBeNull();
  });

  it('stores preferences and uses them for new annotations', async () => {
    const a = launch('solo');
    await a.service.membership.updatePreferences({ displayName: '赵敏', defaultColor: 'blue' });
    const created = await a.service.annotations.create({ ...selection('第一条') }, PAGE);
    expect(created).toMatchObject({ color: 'blue', visibility: 'private', teamId: null, author: { name: '赵敏' } });
    expect((await a.service.membership.settings()).preferences).toMatchObject({
      displayName: '赵敏',
      defaultColor: 'blue',
    });
  });
});

describe('damaged records', () => {
  it('hides a damaged row, repairs a team one from its room and reports a private one, deleting nothing', async () => {
    const { a } = await joinBoth();
    const shared = await a.service.annotations.create({ ...selection('第一条'), note: '团队的' }, PAGE);
    const mine = await a.service.annotations.create(
      { ...selection('第二条'), note: '自己的', visibility: 'private' },
      PAGE,
    );
    // Something outside Pizhu (a bug, a disk error) damages both rows in IndexedDB.
    await a.db.annotations.update(shared.id, { color: 42 as never });
    await a.db.annotations.update(mine.id, { selectors: 'garbage' as never });

    expect(await a.service.annotations.list(PAGE.key)).toEqual([]);
    await until(
      () => a.db.annotations.get(shared.id),
      (row) => row?.color === shared.color,
      'the team record to be repaired',
    );
    expect(await a.service.annotations.list(PAGE.key)).toEqual([shared]);
    expect(((await a.db.annotations.get(mine.id)) as unknown as { selectors: unknown }).selectors).toBe('garbage');
    const problems = await until(
      () => a.service.sync.status().problems ?? [],
      (p) => p.length > 0,
      'the damaged private record to be reported',
    );
    expect(problems).toEqual([{ code: 'annotation_damaged', params: { id: mine.id }, detail: expect.any(String) }]);
  });
});

describe('documents', () => {
  it('flags a page whose text changed since it was annotated', async () => {
    const a = launch('solo');
    await a.service.annotations.create({ ...selection('第一条') }, PAGE);
    await a.service.pages.open(port(), PAGE.key, { ...PAGE, contentHash: 'hash-v2' });
    expect(await a.db.documents.get(PAGE.key)).toMatchObject({ contentHash: 'hash-v1', seenHash: 'hash-v2' });
  });
});

describe('backup', () => {
  it('exports everything as W3C JSON and imports it idempotently, newer versions winning', async () => {
    const { a } = await joinBoth();
    const shared = await a.service.annotations.create({ ...selection('第一条'), tags: ['体育'], note: '团队' }, PAGE);
    const mine = await a.service.annotations.create(
      { ...selection('第二条'), visibility: 'private', note: '私人' },
      PAGE,
    );
    const json = await a.service.backup.export();
    expect(JSON.parse(json)).toMatchObject({ type: 'AnnotationCollection', total: 2 });
    expect(await a.service.backup.import(json)).toMatchObject({ imported: 0, unchanged: 2, errors: [] });

    // Another member (a new join is a new member) gets the private record; the team one stays its author's.
    const fresh = launch('restored');
    await fresh.service.membership.join(server.url, server.invite('t1'), '张伟');
    await fresh.service.engine.idle();
    expect(await fresh.service.backup.import(json)).toMatchObject({
      imported: 1,
      unchanged: 0,
      errors: [
        { kind: 'annotation', position: null, id: shared.id, error: expect.objectContaining({ code: 'author_only' }) },
      ],
    });
    expect(await fresh.service.backup.import(json)).toMatchObject({ imported: 0, unchanged: 1 });
    expect(await fresh.service.annotations.list(PAGE.key)).toEqual([mine]);

    // An older copy does not overwrite a newer record; a newer one does.
    const edited = await fresh.service.annotations.update(mine.id, { note: '改过' });
    expect(await fresh.service.backup.import(json)).toMatchObject({ imported: 0, unchanged: 1 });
    expect((await fresh.db.annotations.get(mine.id))?.note).toBe(edited.note);
  });

  it('refuses a file that is not an annotation collection, and lists bad records while importing the rest', async () => {
    const a = launch('solo');
    await expect(a.service.backup.import('{"not":"annotations"')).rejects.toMatchObject({ code: 'not_a_backup' });
    const json = JSON.parse(
      await (async () => {
        await a.service.annotations.create({ ...selection('第一条'), note: 'ok' }, PAGE);
        return a.service.backup.export();
      })(),
    ) as { first: { items: Record<string, unknown>[] } };
    json.first.items.push({ ...json.first.items[0], id: 'urn:pizhu:annotation:bad one', 'pizhu:color': 'octarine' });
    const other = launch('other');
    const summary = await other.service.backup.import(JSON.stringify(json));
    expect(summary.imported).toBe(1);
    expect(summary.errors).toEqual([
      {
        kind: 'annotation',
        position: 2,
        id: 'urn:pizhu:annotation:bad one',
        error: {
          code: 'invalid_input',
          params: { detail: expect.stringMatching(/color/) },
          detail: expect.any(String),
        },
      },
    ]);
  });
});
