import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addsNothing, knownStateOfDoc, knownStateOfEncoded, takePending } from './update-checks.ts';

function serverAndClient() {
  const server = new Y.Doc();
  const map = server.getMap('m');
  map.set('a', 1);
  map.set('a', 2); // overwrite: the delete set is not empty
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { server, client };
}

describe('addsNothing', () => {
  it('recognises a client’s step 2 that holds nothing new, from a doc or from the encoded state', () => {
    const { server, client } = serverAndClient();
    const answer = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
    const sv = Y.encodeStateVector(server);
    const known = [knownStateOfDoc(server), knownStateOfEncoded(sv, Y.encodeStateAsUpdate(server, sv))];
    for (const state of known) expect(addsNothing(state, Y.decodeUpdate(answer))).toBe(true);
    client.getMap('m').set('b', 3);
    const write = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
    for (const state of known) expect(addsNothing(state, Y.decodeUpdate(write))).toBe(false);
  });

  it('counts a new deletion as a change', () => {
    const { server, client } = serverAndClient();
    client.getMap('m').delete('a');
    const answer = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
    expect(addsNothing(knownStateOfDoc(server), Y.decodeUpdate(answer))).toBe(false);
  });
});

describe('takePending', () => {
  it('moves pending structs out of the doc and they apply later', () => {
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    source.getMap('m').set('k', 1);
    source.getMap('m').set('k', 2);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, updates[1]!);
    const pending = takePending(doc);
    // The overwrite is a new struct (missing its origin) and a deletion of the first value (not there yet).
    expect(pending).toHaveLength(2);
    expect(doc.store.pendingStructs).toBeNull();
    expect(Y.encodeStateAsUpdate(doc)).toEqual(Y.encodeStateAsUpdate(new Y.Doc()));
    Y.applyUpdate(doc, updates[0]!);
    for (const part of pending) Y.applyUpdateV2(doc, part);
    expect(doc.getMap('m').get('k')).toBe(2);
    expect(takePending(doc)).toEqual([]);
  });
});
