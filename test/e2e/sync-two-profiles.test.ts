/**
 * Local-first sync end to end: two Chromium profiles with the built extension and the real server (each
 * profile behind its own recording proxy, which also plays the network going away). Annotations are made
 * through the extension's own message contract from an extension page (what the page UI and side panel use),
 * so the test exercises the real background, IndexedDB, Yjs rooms, realtime connection and bulk catch-up.
 *   - concurrent edits to one annotation and one page merge, live;
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

  it('merges concurrent edits of one annotation and of one page, live', async () => {
    await Promise.all([openPage(a, demoUrl), openPage(b, demoUrl)]);
    const shared = await create(a, '促进学生身心健康全面发展', { tags: ['体育'], note: '初稿' });
    teamNote = shared;
    await eventually(
      () => list(b),
      (rows) => byId(rows).has(shared.id),
      'B to receive the shared annotation',
    );

    // At the same moment: A rewrites the note, B recolours and tags it, and each adds an annotation.
    const [, , fromA, fromB] = await Promise.all([
      ask(a, { type: 'annotation.update', id: shared.id, patch: { note: 'A：本学期重点' } }),
      ask(b, { type: 'annotation.update', id: shared.id, patch: { color: 'green', tags: ['体育', '安全'] } }),
      create(a, '广泛开展学生阅读活动', { note: 'A 新增' }),
      create(b, '深化书香校园建设', { note: 'B 新增' }),
    ]);

    const [rowsA, rowsB] = await eventually(
      async () => [await list(a), await list(b)] as const,
      ([x, y]) => {
        const merged = byId(x).get(shared.id);
        return (
          comparable(x).length === 3 &&
          JSON.stringify(comparable(x)) === JSON.stringify(comparable(y)) &&
          merged?.note === 'A：本学期重点' &&
          merged.color === 'green'
        );
      },
      'both profiles to converge on the merged annotation and both new ones',
    );
    expect(comparable(rowsA)).toEqual(comparable(rowsB));
    const merged = byId(rowsA).get(shared.id)!;
    expect(merged).toMatchObject({ note: 'A：本学期重点', color: 'green' });
    expect([...merged.tags].sort()).toEqual(['体育', '安全'].sort());
    expect(byId(rowsA).get((fromA as Annotation).id)?.note).toBe('A 新增');
    expect(byId(rowsA).get((fromB as Annotation).id)?.note).toBe('B 新增');
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
      id: teamNote.id,
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
      ([x, y]) => comparable(x).length === 5 && JSON.stringify(comparable(x)) === JSON.stringify(comparable(y)),
      'both profiles to converge after the outage',
    );
    const merged = byId(rowsB).get(teamNote.id)!;
    expect(merged).toMatchObject({ note: 'A 离线修改', color: 'blue' });
    expect([...merged.tags].sort()).toEqual(['体育', '健康', '安全'].sort());
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
