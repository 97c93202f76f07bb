/**
 * Property: however edits interleave across clients (concurrent edits of one annotation, tags added and removed,
 * deletions, clients dropping offline and coming back), every client and the server end with the same state.
 * Real y-websocket clients against the real server; fixed seeds, printed on failure.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  memberKey,
  notesMap,
  readAnnotation,
  readRoom,
  roomIdFor,
  writeDocumentInfo,
} from '../../../shared/model/index.ts';
import { annotation, authorOf, canonicalJson, writeOwn } from './fixtures.ts';
import { connectProvider, createTeamWithOwner, startTestServer, type TestServer, waitFor } from './helpers.ts';

type Op =
  | { kind: 'write'; client: number; id: number; note: string; color: number }
  | { kind: 'tag'; client: number; id: number; tag: number; add: boolean }
  | { kind: 'delete'; client: number; id: number }
  | { kind: 'document'; client: number; title: string }
  | { kind: 'offline'; client: number }
  | { kind: 'pause'; ms: number };

const COLORS = ['yellow', 'green', 'blue', 'pink', 'purple'] as const;
const TAGS = ['体育', '健康', '学校', '课程', '安全'];

function opArbitrary(clients: number): fc.Arbitrary<Op> {
  const client = fc.nat(clients - 1);
  const id = fc.nat(5);
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('write' as const),
        client,
        id,
        note: fc.string({ maxLength: 12 }),
        color: fc.nat(4),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('tag' as const),
        client,
        id,
        tag: fc.nat(TAGS.length - 1),
        add: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), client, id }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('document' as const),
        client,
        title: fc.string({ minLength: 1, maxLength: 10 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('offline' as const), client }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 8 }) }) },
  );
}

let server: TestServer;
let team: Awaited<ReturnType<typeof createTeamWithOwner>>;
let run = 0;

beforeAll(async () => {
  server = await startTestServer({ limits: { connectionsPerMember: 64 } });
  team = await createTeamWithOwner(server, 'Convergence');
});
afterAll(async () => {
  await server.cleanup();
});

async function runScenario(clients: number, ops: Op[]): Promise<void> {
  const documentKey = `conv${++run}`;
  const room = roomIdFor(team.teamId, documentKey);
  const docs = Array.from({ length: clients }, () => new Y.Doc());
  const providers = await Promise.all(docs.map((doc) => connectProvider(server, team.owner.token, room, doc)));
  const where = { teamId: team.teamId, documentKey };
  try {
    for (const op of ops) {
      if (op.kind === 'pause') {
        await new Promise((r) => setTimeout(r, op.ms));
        continue;
      }
      const doc = docs[op.client]!;
      const key = `a${'id' in op ? op.id : 0}`;
      const current = readAnnotation(doc, where, key);
      const base = current?.ok
        ? current.annotation
        : annotation(key, team.teamId, documentKey, { author: authorOf(team.owner) });
      if (op.kind === 'write') writeOwn(doc, { ...base, note: op.note, color: COLORS[op.color]! });
      else if (op.kind === 'tag') {
        const tags = op.add ? [...base.tags, TAGS[op.tag]!] : base.tags.filter((t) => t !== TAGS[op.tag]);
        writeOwn(doc, { ...base, tags });
      } else if (op.kind === 'delete') notesMap(doc).delete(memberKey(team.owner.memberId, key));
      else if (op.kind === 'document') {
        writeDocumentInfo(doc, {
          key: documentKey,
          canonicalUrl: 'example.gov.cn/n',
          url: 'https://example.gov.cn/n',
          title: op.title,
        });
      } else if (op.kind === 'offline') {
        // Drop the connection; edits continue offline and sync on reconnect (with a fresh ticket).
        providers[op.client]!.ws?.close();
      }
    }
    // Everyone, plus a newcomer that only reads the server, must end in one state.
    const observer = new Y.Doc();
    const observerProvider = await connectProvider(server, team.owner.token, room, observer);
    providers.push(observerProvider);
    docs.push(observer);
    // Y.Map iterates in the order each replica applied keys, so compare annotations sorted by id.
    const read = (doc: Y.Doc) => {
      const result = readRoom(doc, room);
      return { ...result, annotations: result.annotations.sort((x, y) => x.id.localeCompare(y.id)) };
    };
    // State vectors do not cover deletions, so wait for equal content as well.
    const fingerprint = (doc: Y.Doc) =>
      canonicalJson([[...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(), read(doc), notesMap(doc).toJSON()]);
    await waitFor(
      () => docs.every((d) => fingerprint(d) === fingerprint(docs[0]!)),
      20_000,
      'clients did not converge',
    );
    const expected = read(docs[0]!);
    for (const doc of docs) {
      expect(read(doc)).toEqual(expected);
      expect(notesMap(doc).toJSON()).toEqual(notesMap(docs[0]!).toJSON());
    }
  } finally {
    for (const provider of providers) provider.destroy();
  }
}

describe('convergence under random concurrent edits', () => {
  it('two clients converge (seed 4242)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary(2), { minLength: 5, maxLength: 60 }), (ops) => runScenario(2, ops)),
      { seed: 4242, numRuns: 12, endOnFailure: true },
    );
  }, 120_000);

  it('ten clients converge (seed 1010)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary(10), { minLength: 20, maxLength: 120 }), (ops) => runScenario(10, ops)),
      { seed: 1010, numRuns: 5, endOnFailure: true },
    );
  }, 180_000);
});
