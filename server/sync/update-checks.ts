/** Questions about a Yjs update asked before or after applying it. */
import * as Y from 'yjs';

/** Whether a state vector says "I have nothing" (then the answer is the whole, cacheable, state). */
export function isEmptyStateVector(stateVector: Uint8Array): boolean {
  return Y.decodeStateVector(stateVector).size === 0;
}

/**
 * Whether applying `update` to `doc` would change nothing: every struct is already there and every deletion
 * already happened. A viewer's client answers the server's sync step 1 with such an update (it holds nothing
 * new, but Yjs always sends the whole delete set); anything more from a viewer is a write and is refused.
 * Throws on a malformed update.
 */
export function addsNothing(doc: Y.Doc, update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return false;
  }
  if (ds.clients.size === 0) return true;
  const existing = Y.createDeleteSetFromStructStore(doc.store);
  for (const [client, items] of ds.clients) {
    const deleted = existing.clients.get(client) ?? [];
    for (const item of items) {
      const end = item.clock + item.len;
      if (!deleted.some((d) => d.clock <= item.clock && end <= d.clock + d.len)) return false;
    }
  }
  return true;
}

/** Whether the update carries no structs and no deletions at all (cheap check before loading a document). */
export function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
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
