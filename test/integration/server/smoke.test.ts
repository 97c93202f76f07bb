import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type Annotation, roomIdFor } from '../../../shared/model/index.ts';
import { annotation, authorOf, holds, writeOwn } from './fixtures.ts';
import {
  api,
  connectProvider,
  eventually,
  createTeamWithOwner,
  startTestServer,
  type TestServer,
  waitFor,
} from './helpers.ts';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.cleanup();
  server = null;
});

describe('sync server smoke', () => {
  it('serves health and demo, syncs two y-websocket clients and indexes what they write', async () => {
    server = await startTestServer();
    // The integration-postgres project runs this file again on PostgreSQL.
    const store = process.env.PIZHU_TEST_STORE === 'postgres' ? /^postgres:\/\// : /pizhu-test-/;
    expect(server.dataLocation).toMatch(store);
    expect((await api(server, 'GET', '/health')).body).toEqual({ status: 'ok' });
    const demo = await fetch(`${server.url}/demo`);
    expect(demo.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await demo.text()).toContain('随州');

    const team = await createTeamWithOwner(server);
    expect(team.owner.role).toBe('owner');
    const room = roomIdFor(team.teamId, 'doc1');
    const a = new Y.Doc();
    const b = new Y.Doc();
    const pa = await connectProvider(server, team.owner.token, room, a);
    const pb = await connectProvider(server, team.owner.token, room, b);
    writeOwn(a, annotation('a1', team.teamId, 'doc1', { author: authorOf(team.owner) }));
    await waitFor(() => holds(b, 'a1'));

    const listed = await eventually(
      async () =>
        (
          await api<{ annotations: Annotation[] }>(server!, 'GET', `/api/teams/${team.teamId}/annotations`, {
            token: team.owner.token,
          })
        ).body,
      (body) => body.annotations.length === 1,
    );
    expect(listed.annotations.map((x) => x.id)).toEqual(['a1']);
    pa.destroy();
    pb.destroy();
  });
});
