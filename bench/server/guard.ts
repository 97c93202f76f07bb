// `npx tsx bench/server/guard.ts`: what the update guard (server/guard/) adds to the hot path for a typical update,
// the edit of one note (about 0.5 KB), in a room of 1,000 notes: decoding it once, bounding its shape, checking the
// write rules and client ids, set against applying it to the document. Medians over 5 rounds of 2,000 updates.
import * as Y from 'yjs';
import { testGuard } from '../../server/guard/testing.ts';
import { definePageRoom, writeAnnotation } from '../../shared/model/index.ts';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { median } from '../stats.ts';

const MEMBER = 'm1';
const author = { id: MEMBER, name: '张三' };
const NOTES = 1_000;
const UPDATES = 2_000;

function round() {
  const { guard } = testGuard();
  const server = new Y.Doc();
  definePageRoom(server);
  const client = new Y.Doc();
  client.transact(() => {
    for (let i = 0; i < NOTES; i++) {
      writeAnnotation(client, sampleAnnotation({ id: `a${i}`, author, note: `第${i}条的批注` }), MEMBER);
    }
  });
  Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
  const updates: Uint8Array[] = [];
  client.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < UPDATES; i++) {
    const note = `修改第${i}次：加强学校体育工作，保障学生每天校内体育活动时间不少于一小时，各校要落实课时。`;
    writeAnnotation(
      client,
      sampleAnnotation({ id: `a${i % NOTES}`, author, note, tags: ['体育', '学校'], updatedAt: 10 + i }),
      MEMBER,
    );
  }
  const room = { id: 'team.doc', documentKey: 'doc' };
  const writer = { memberId: MEMBER, role: 'editor' as const };
  const time = { decode: 0, inspect: 0, review: 0, apply: 0 };
  for (const update of updates) {
    let t = performance.now();
    Y.decodeUpdate(update);
    time.decode += performance.now() - t;
    t = performance.now();
    const inspected = guard.inspect(update);
    time.inspect += performance.now() - t;
    if (!inspected.ok) throw new Error(inspected.reason);
    t = performance.now();
    const refused = guard.review(room, server, writer, inspected, []);
    time.review += performance.now() - t;
    if (refused) throw new Error(refused.reason);
    t = performance.now();
    Y.applyUpdate(server, update);
    guard.applied(room, inspected);
    time.apply += performance.now() - t;
  }
  const bytes = updates.reduce((sum, u) => sum + u.byteLength, 0) / updates.length;
  const perUpdate = (ms: number) => (ms / updates.length) * 1000;
  return {
    bytes,
    decode: perUpdate(time.decode),
    inspect: perUpdate(time.inspect),
    review: perUpdate(time.review),
    apply: perUpdate(time.apply),
  };
}

round(); // warm-up
const rounds = Array.from({ length: 5 }, round);
const pick = (key: keyof ReturnType<typeof round>) => median(rounds.map((r) => r[key]));
const [inspect, review, apply] = [pick('inspect'), pick('review'), pick('apply')];
console.log(
  [
    `update guard, one note edited (${Math.round(pick('bytes'))} bytes) in a room of ${NOTES} notes, µs per update (median of 5 x ${UPDATES}):`,
    `  Y.decodeUpdate alone                 ${pick('decode').toFixed(1)}`,
    `  inspect (one decode + shape bounds)  ${inspect.toFixed(1)}`,
    `  review (write rules, client ids)     ${review.toFixed(1)}`,
    `  Y.applyUpdate (what is guarded)      ${apply.toFixed(1)}`,
    `  guard / apply                        ${((inspect + review) / apply).toFixed(2)}x`,
  ].join('\n'),
);
