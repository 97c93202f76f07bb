/**
 * The query index batch after a large offline push, on the real server process: one member pushes 1,000 notes
 * to a room in one update (HTTP push), and the server's own event-loop lag (nodejs_eventloop_lag_max_seconds,
 * reset at each scrape) is read right after the push answers and again once the index batch has run. The second
 * figure is the longest stall the batch caused for everyone else on the server.
 *   npm run build:server && tsx bench/server/index-batch.ts [rounds=5]
 */
import * as Y from 'yjs';
import { roomIdFor, writeAnnotation } from '../../shared/model/index.ts';
import { bytesToBase64, type PushResponse } from '../../shared/protocol/api.ts';
import { startServerProcess, metric } from '../../test/integration/guard/server-process.ts';
import { api, join } from '../../test/integration/server/helpers.ts';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';

const NOTES = 1000;
const rounds = Number(process.argv[2] ?? 5);
const server = await startServerProcess({ PIZHU_MAX_ROOMS_PER_TEAM: '1000' });
const lagMs = async () => (await metric(server, 'nodejs_eventloop_lag_max_seconds')) * 1000;
try {
  const owner = await join(server, server.inviteCode, '组长');
  const author = { id: owner.memberId, name: '组长' };
  const push: number[] = [];
  const index: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const room = roomIdFor(server.teamId, `push-${round}`);
    const doc = new Y.Doc();
    doc.transact(() => {
      for (let i = 0; i < NOTES; i++) {
        const note = `第${i}条：促进学生身心健康全面发展，落实立德树人根本任务`.repeat(2);
        writeAnnotation(doc, sampleAnnotation({ id: `n${round}-${i}`, author, note }), author.id);
      }
    });
    await lagMs();
    const answer = await api<PushResponse>(server, 'POST', `/api/teams/${server.teamId}/push`, {
      token: owner.token,
      body: { updates: [{ room, update: bytesToBase64(Y.encodeStateAsUpdate(doc)) }] },
    });
    if (!answer.body.results[0]?.ok) throw new Error(`push refused: ${JSON.stringify(answer.body)}`);
    push.push(await lagMs());
    await new Promise((r) => setTimeout(r, 4000));
    index.push(await lagMs());
    const listed = await api<{ annotations: unknown[] }>(
      server,
      'GET',
      `/api/teams/${server.teamId}/annotations?documentKey=push-${round}&limit=200`,
      { token: owner.token },
    );
    if (listed.body.annotations.length !== 200) throw new Error('the index did not take the push');
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const fmt = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
  console.log(`event-loop lag max, ms (per round): push ${fmt(push)}; index batch ${fmt(index)}`);
  console.log(`median: push ${median(push).toFixed(0)} ms, index batch ${median(index).toFixed(0)} ms`);
} finally {
  await server.stop();
}
