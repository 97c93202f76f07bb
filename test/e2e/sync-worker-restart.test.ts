/**
 * MV3 stops an idle service worker at any moment; syncing must resume cleanly because nothing essential lives
 * only in its memory. Real Chromium, the built extension, the real server: profile A reads the demo page while
 * its service worker is stopped (through the DevTools protocol, as the browser does when idle), once online and
 * once with an unsent offline edit, and must carry on by itself: the page reconnects, a new worker starts from
 * what IndexedDB holds, and changes flow both ways. A's store is read straight from IndexedDB, without asking
 * the background, so the test does not itself wake the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, DocumentInfo } from '../../shared/model/annotation.ts';
import { canonicalUrl, documentKeyFor } from '../../shared/model/canonical-url.ts';
import { createTeam, joinTeam, launchProfile, type Profile, type RunningServer, startServer } from './harness.ts';
import { RecordingProxy } from './recording-proxy.ts';
import {
  ask,
  byId,
  catchUpAlarm,
  create,
  eventually,
  list,
  openPage,
  stopServiceWorker,
  storedAnnotations,
} from './sync-helpers.ts';

let server: RunningServer;
let proxyA: RecordingProxy;
let a: Profile;
let b: Profile;
let document: DocumentInfo;

describe('a stopped service worker resumes syncing', () => {
  beforeAll(async () => {
    server = await startServer();
    const team = createTeam(server.dataDir, '财政局');
    proxyA = await new RecordingProxy(server.url).start();
    const demoUrl = `${server.url}/demo`;
    document = { key: documentKeyFor(demoUrl), canonicalUrl: canonicalUrl(demoUrl), url: demoUrl, title: '工作要点' };
    [a, b] = await Promise.all([launchProfile('worker-a'), launchProfile('worker-b')]);
    await joinTeam(a, proxyA.url, team.inviteCode, '张伟');
    await joinTeam(b, server.url, team.inviteCode, '李娜');
    await openPage(a, demoUrl);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await proxyA?.stop();
    await server?.stop();
  });

  it("receives a colleague's change after its worker was stopped, without being asked", async () => {
    const first = await create(b, document, '促进学生身心健康全面发展', { note: '第一条' });
    await eventually(
      () => storedAnnotations(a),
      (rows) => byId(rows).has(first.id),
      "A to store B's first annotation",
    );

    const alarm = await catchUpAlarm(a);
    expect(alarm?.periodInMinutes).toBe(1);
    await stopServiceWorker(a);
    const second = await create(b, document, '广泛开展学生阅读活动', { note: '第二条，在 A 的后台停止之后' });
    const rows = await eventually(
      () => storedAnnotations(a),
      (stored) => byId(stored).has(second.id),
      "A's page to wake a new worker that catches up",
    );
    expect(byId(rows).get(second.id)).toMatchObject({ note: second.note, visibility: 'team' });
    // The new worker kept the periodic catch-up on its schedule instead of starting its period again.
    const after = await catchUpAlarm(a);
    expect(Math.round(after!.scheduledTime - alarm!.scheduledTime) % 60_000).toBe(0);
  });

  it('sends an offline edit made before its worker was stopped, once back online, by itself', async () => {
    proxyA.offline = true;
    const edit = await create(a, document, '深化书香校园建设', { note: 'A 离线写，后台随后被停止' });
    // The pending count follows the room change a moment after the save returns.
    await expect.poll(async () => (await ask(a, { type: 'sync.status' })).pending ?? 0).toBeGreaterThanOrEqual(1);
    await stopServiceWorker(a);
    proxyA.offline = false;

    // Only B is asked to catch up; A must deliver its edit on its own (page reconnect or catch-up at start).
    const seen = await eventually(
      async () => {
        await ask(b, { type: 'sync.now' });
        return list(b, document.key);
      },
      (annotations: Annotation[]) => byId(annotations).has(edit.id),
      "B to receive A's offline edit",
      40_000,
    );
    expect(byId(seen).get(edit.id)?.note).toBe(edit.note);
    const stored = byId(await storedAnnotations(a));
    expect(stored.get(edit.id)?.note).toBe(edit.note);
  });
});
