/** Questions about a Yjs update asked before or after applying it. */
import * as Y from 'yjs';
import type { DecodedUpdate } from '../guard/update-shape.ts';

/** Whether a state vector says "I have nothing" (then the answer is the whole, cacheable, state). */
export function isEmptyStateVector(stateVector: Uint8Array): boolean {
  return Y.decodeStateVector(stateVector).size === 0;
}

export type DeleteSet = ReturnType<typeof Y.createDeleteSet>;

/** What a room holds, as far as "would this update add anything?" needs to know. */
export type KnownState = { stateVector: Map<number, number>; deleteSet: DeleteSet };

export function knownStateOfDoc(doc: Y.Doc): KnownState {
  return {
    stateVector: Y.decodeStateVector(Y.encodeStateVector(doc)),
    deleteSet: Y.createDeleteSetFromStructStore(doc.store),
  };
}

/** From an encoded state vector and a struct-less update carrying the delete set: no document needed. */
export function knownStateOfEncoded(stateVector: Uint8Array, deleteSet: Uint8Array): KnownState {
  return { stateVector: Y.decodeStateVector(stateVector), deleteSet: Y.decodeUpdate(deleteSet).ds };
}

/**
 * Whether applying `update` would change nothing: every struct is already there and every deletion already
 * happened. A client answers the server's sync step 1 with such an update when it holds nothing new (Yjs always
 * sends the whole delete set); for a viewer anything more is a write and is refused. Takes the decoded update
 * (`Y.decodeUpdate`).
 */
export function addsNothing(known: KnownState, { structs, ds }: DecodedUpdate): boolean {
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    if (struct.id.clock + struct.length > (known.stateVector.get(struct.id.client) ?? 0)) return false;
  }
  for (const [client, items] of ds.clients) {
    const deleted = known.deleteSet.clients.get(client) ?? [];
    for (const item of items) {
      const end = item.clock + item.len;
      if (!deleted.some((d) => d.clock <= item.clock && end <= d.clock + d.len)) return false;
    }
  }
  return true;
}

/** Whether the update carries no structs and no deletions: in the v1 encoding exactly two zero counts. */
export function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}

/**
 * Takes the structs and deletions Yjs holds as "pending" (their dependencies are missing) out of the document,
 * as Yjs v2 updates. Left in, Yjs would keep them forever and include them in every encoding of the document.
 */
export function takePending(doc: Y.Doc): Uint8Array[] {
  const store = doc.store;
  const parts: Uint8Array[] = [];
  if (store.pendingStructs) parts.push(store.pendingStructs.update);
  if (store.pendingDs) parts.push(store.pendingDs);
  store.pendingStructs = null;
  store.pendingDs = null;
  return parts;
}

/** Drops pending structs and deletions; returns whether there were any. */
export function dropPending(doc: Y.Doc): boolean {
  const store = doc.store;
  const had = store.pendingStructs !== null || store.pendingDs !== null;
  store.pendingStructs = null;
  store.pendingDs = null;
  return had;
}
