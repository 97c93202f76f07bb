/**
 * Clients that write while instances, PostgreSQL or Redis fail under them, and the checks that nothing was lost:
 * shared by the scale-out fault tests.
 */
import { expect } from 'vitest';
import * as Y from 'yjs';
import { annotationIdsOf, notesMap } from '../../../shared/model/index.ts';
import { annotation, authorOf, canonicalJson, writeOwn } from '../server/fixtures.ts';
import { waitFor } from '../server/helpers.ts';
import { type Cluster, roamingProvider, stopProvider } from './cluster.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const stateOf = (doc: Y.Doc) => canonicalJson(notesMap(doc).toJSON());

export type SteadyWrites = {
  /** Every id written so far, in order; grows until `stop()`. */
  written: string[];
  /** Stops after the round in progress; resolves with every id written. */
  stop(): Promise<string[]>;
};

/** Each client writes one annotation of its own every `everyMs` until stopped. */
export function steadyWrites(c: Cluster, docs: Y.Doc[], documentKey: string, everyMs = 20): SteadyWrites {
  const written: string[] = [];
  let writing = true;
  const done = (async () => {
    for (let n = 0; writing; n++) {
      for (const [i, doc] of docs.entries()) {
        const id = `c${i}-${n}`;
        writeOwn(doc, annotation(id, c.teamId, documentKey, { author: authorOf(c.owner), note: id }));
        written.push(id);
      }
      await sleep(everyMs);
    }
  })();
  return {
    written,
    async stop() {
      writing = false;
      await done;
      return written;
    },
  };
}

/** Whether the document holds every one of `ids` (and maybe more). */
export function holdsAll(doc: Y.Doc, ids: readonly string[]): boolean {
  const has = new Set(annotationIdsOf(doc));
  return ids.every((id) => has.has(id));
}

/** Every client holds exactly `written`, and all hold the same state. */
export async function converged(docs: Y.Doc[], written: readonly string[]): Promise<void> {
  await waitFor(
    () => docs.every((doc) => annotationIdsOf(doc).length === written.length && stateOf(doc) === stateOf(docs[0]!)),
    40_000,
    `clients did not converge: ${docs.map((d) => annotationIdsOf(d).length)} of ${written.length}`,
  );
  expect(annotationIdsOf(docs[0]!).sort()).toEqual([...written].sort());
}

/** What PostgreSQL holds for a room: a client of one more instance, which never held it. */
export async function freshLoad(c: Cluster, room: string): Promise<Y.Doc> {
  const instance = await c.add(`fresh-${c.instances.length}`);
  const doc = new Y.Doc();
  stopProvider(await roamingProvider(c, instance, room, doc));
  return doc;
}
