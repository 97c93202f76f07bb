/**
 * Local-first sync end to end: two Chromium profiles with the built extension and the real server (each
 * profile behind its own recording proxy, which also plays the network going away). Annotations are made
 * through the extension's own message contract from an extension page (what the page UI and side panel use),
 * so the test exercises the real background, IndexedDB, Yjs rooms, realtime connection and bulk catch-up.
 *   - concurrent edits to the team's annotations and one page merge, live; a colleague's annotation is its
 *     author's to change (room layout version 2), answered with a reply;
 *   - one profile goes offline, both edit, its browser restarts while offline (the edits survive), it comes
 *     back, both converge and nothing is lost;
 *   - private annotations never appear in any request body or WebSocket frame the profile sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';
import type { Annotation, DocumentInfo } from '../../shared/model/annotation.ts';
import type { SyncStatus } from '../../extension/lib/messages.ts';
import { createTeam, joinTeam, launchProfile, type Profile, type RunningServer, startServer } from './harness.ts';
import { RecordingProxy } from './recording-proxy.ts';
import { ask, byId, create as createFor, eventually, list as listFor, openPage } from './sync-helpers.ts';

let server: RunningServer;
let proxyA: RecordingProxy;
let proxyB: RecordingProxy;
let a: Profile;
let b: Profile;
let demoUrl: string;
let document: DocumentInfo;
let privateNote: Annotation;
let teamNote: Annotation;
let theirNote: Annotation;

const list = (profile: Profile) => listFor(profile, document.key);
const create = (profile: Profile, quote: string, extra: Record<string, unknown> = {}) =>
  createFor(profile, document, quote, extra);

/** The team's records in comparable form (tags as a set: concurrent tag adds merge as a set). */
function comparable(annotations: Annotation[]) {
  return annotations
    .filter((x) => x.visibility === 'team')
    .map((x) => ({ ...x, tags: [...x.tags].sort() }))
    .sort((x, y) => (x.id < y.id ? -1 : 1));
}

describe('sync between two browsers through the real server', () => {
  beforeAll(async () => {
    server = await startServer();
    const team = createTeam(server.dataDir, '教育局政策研究组');
    proxyA = await new RecordingProxy(server.url).start();
    proxyB = await new RecordingProxy(server.url).start();
    demoUrl = `${server.url}/demo`;
    document = {
      key: documentKeyFor(demoUrl),
      canonicalUrl: canonicalUrl(demoUrl),
      url: demoUrl,
      title: '2023年工作要点',
    };
    [a, b] = await Promise.all([launchProfile('sync-a'), launchProfile('sync-b')]);
    await joinTeam(a, proxyA.url, team.inviteCode, '张伟');
    await joinTeam(b, proxyB.url, team.inviteCode, '李娜');
    // Made before anything else, so every later message A sends is checked for it.
    privateNote = await create(a, '加强义务教育阶段学生体育锻炼', {
      visibility: 'private',
      note: '私人备注：这条只给自己看 PRIVATE-7f3a',
      tags: ['私人标签-仅本机'],
    });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await proxyA?.stop();
    await proxyB?.stop();
    await server?.stop();
  });

  it('merges concurrent edits of the team’s annotations and of one page, live; others’ are their authors’', async () => {
    await Promise.all([openPage(a, demoUrl), openPage(b, demoUrl)]);
    const [shared, theirs] = await Promise.all([
      create(a, '促进学生身心健康全面发展', { tags: ['体育'], note: '初稿' }),
      create(b, '深化体教融合', { tags: ['体育'], note: 'B 的初稿' }),
    ]);
    teamNote = shared;
    theirNote = theirs;
    await eventually(
      () => Promise.all([list(a), list(b)]),
      ([x, y]) => byId(y).has(shared.id) && byId(x).has(theirs.id),
      'each profile to receive the other’s annotation',
    );
    // B cannot change A's annotation: its author's alone. It answers with a reply instead.
    await expect(
      ask(b, { type: 'annotation.update', id: shared.id, patch: { note: 'B 改 A 的批注' } }),
    ).rejects.toThrow(/"code":"author_only"/);

    // At the same moment: A rewrites its note, B recolours and tags its own, B replies, A adds an annotation.
    const [, , fromA, reply] = await Promise.all([
      ask(a, { type: 'annotation.update', id: shared.id, patch: { note: 'A：本学期重点' } }),
      ask(b, { type: 'annotation.update', id: theirs.id, patch: { color: 'green', tags: ['体育', '安全'] } }),
      create(a, '广泛开展学生阅读活动', { note: 'A 新增' }),
      create(b, '促进学生身心健康全面发展', { note: 'B 的回复', replyTo: shared.id }),
    ]);

    const [rowsA, rowsB] = await eventually(
      async () => [await list(a), await list(b)] as const,
      ([x, y]) =>
        comparable(x).length === 4 &&
        JSON.stringify(comparable(x)) === JSON.stringify(comparable(y)) &&
        byId(x).get(shared.id)?.note === 'A：本学期重点' &&
        byId(x).get(theirs.id)?.color === 'green',
      'both profiles to converge on both edits and both new annotations',
    );
    expect(comparable(rowsA)).toEqual(comparable(rowsB));
    expect(byId(rowsA).get(shared.id)).toMatchObject({ note: 'A：本学期重点', color: shared.color });
    expect([...byId(rowsA).get(theirs.id)!.tags].sort()).toEqual(['体育', '安全'].sort());
    expect(byId(rowsA).get((fromA as Annotation).id)?.note).toBe('A 新增');
    expect(byId(rowsA).get((reply as Annotation).id)).toMatchObject({ note: 'B 的回复', replyTo: shared.id });
    // B never received A's private annotation.
    expect(byId(rowsB).has(privateNote.id)).toBe(false);
  });

  it('keeps offline edits through a browser restart, then converges when back online, losing nothing', async () => {
    proxyA.offline = true;
    await eventually(
      () => ask<SyncStatus>(a, { type: 'sync.status' }),
      (s) => s.state === 'offline',
      'A to notice it is offline',
    );

    const editedOffline = await ask<Annotation>(a, {
      type: 'annotation.update',
      id: teamNote.id,
      patch: { note: 'A 离线修改' },
    });
    const newOffline = await create(a, '坚持立德树人', { note: 'A 离线新增', tags: ['德育'] });
    await ask(b, {
      type: 'annotation.update',
      id: theirNote.id,
      patch: { color: 'blue', tags: ['体育', '安全', '健康'] },
    });
    const newOnline = await create(b, '推进教育数字化', { note: 'B 同时新增' });
    const status = await ask<SyncStatus>(a, { type: 'sync.now' });
    expect(status.state).toBe('offline');
    expect(status.pending).toBeGreaterThanOrEqual(1);

    // Restart A's browser while it is still offline: the edits are in IndexedDB, not in worker memory.
    const dir = a.dir;
    await a.close();
    a = await launchProfile('sync-a', dir);
    const afterRestart = byId(await list(a));
    expect(afterRestart.get(teamNote.id)?.note).toBe(editedOffline.note);
    expect(afterRestart.get(newOffline.id)?.note).toBe('A 离线新增');
    expect(byId(await list(b)).has(newOffline.id)).toBe(false);

    proxyA.offline = false;
    await eventually(
      () => ask<SyncStatus>(a, { type: 'sync.now' }),
      (s) => s.state === 'online',
      'A to sync once back',
    );
    await ask(b, { type: 'sync.now' });
    const [rowsA, rowsB] = await eventually(
      async () => [await list(a), await list(b)] as const,
      ([x, y]) => comparable(x).length === 6 && JSON.stringify(comparable(x)) === JSON.stringify(comparable(y)),
      'both profiles to converge after the outage',
    );
    expect(byId(rowsB).get(teamNote.id)).toMatchObject({ note: 'A 离线修改' });
    const theirs = byId(rowsA).get(theirNote.id)!;
    expect(theirs).toMatchObject({ color: 'blue' });
    expect([...theirs.tags].sort()).toEqual(['体育', '健康', '安全'].sort());
    expect(byId(rowsB).get(newOffline.id)).toMatchObject({ note: 'A 离线新增', tags: ['德育'] });
    expect(byId(rowsA).get(newOnline.id)).toMatchObject({ note: 'B 同时新增' });
    expect((await ask<SyncStatus>(a, { type: 'sync.status' })).pending).toBeUndefined();
  });

  it('never sends a private annotation to the server, in any request or WebSocket frame', async () => {
    // Touch the private note again, and sync, so there was every chance to leak it.
    await ask(a, { type: 'annotation.update', id: privateNote.id, patch: { note: `${privateNote.note}（已修改）` } });
    await ask(a, { type: 'sync.now' });
    const sent = proxyA.sentBytes();
    expect(proxyA.requests.some((r) => r.path.includes('/sync') && r.method === 'POST')).toBe(true);
    expect(proxyA.frames.length).toBeGreaterThan(0);
    // The recording does see content: the team note's text is in it.
    expect(sent.includes(Buffer.from('A 离线修改'))).toBe(true);
    for (const secret of [privateNote.id, 'PRIVATE-7f3a', '私人备注', '私人标签-仅本机']) {
      expect(sent.includes(Buffer.from(secret)), `"${secret}" must never leave the browser`).toBe(false);
    }
    // The annotation still exists, privately, in A.
    expect(byId(await list(a)).get(privateNote.id)?.visibility).toBe('private');
  });
});
