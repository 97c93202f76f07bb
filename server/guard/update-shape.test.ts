/** What one update holds, and the bounds that keep its cost in proportion (update-shape.ts, update-scan.ts). */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sampleAnnotation } from '../../test/fixtures/annotation.ts';
import { writeAnnotation } from '../../shared/model/index.ts';
import { DEFAULT_LIMITS } from '../config.ts';
import { scanUpdate } from './update-scan.ts';
import { decodeUpdate, estimateDocHeap, shapeOf, shapeProblem } from './update-shape.ts';

const limits = DEFAULT_LIMITS;

/** The attack of issue 15: n one-character inserts at the same position, each from its own client id. */
function samePositionInserts(n: number): Uint8Array {
  const base = new Y.Doc();
  base.getText('t').insert(0, 'ab');
  const known = Y.encodeStateAsUpdate(base);
  const parts = Array.from({ length: n }, () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, known);
    const sv = Y.encodeStateVector(doc);
    doc.getText('t').insert(1, 'x');
    return Y.encodeStateAsUpdate(doc, sv);
  });
  return Y.mergeUpdates(parts);
}

/** One client's items that all share one left and one right origin: crafted, Yjs never writes this. */
function sharedOrigins(n: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client section
  encoding.writeVarUint(e, n);
  encoding.writeVarUint(e, 7); // client
  encoding.writeVarUint(e, 0); // first clock
  for (let i = 0; i < n; i++) {
    encoding.writeUint8(e, 4 | 128 | 64); // ContentString, with origin and right origin
    encoding.writeVarUint(e, 99);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 99);
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, 'x');
  }
  encoding.writeVarUint(e, 0); // empty delete set
  return encoding.toUint8Array(e);
}

function tinyMapEntries(n: number): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (let i = 0; i < n; i++) doc.getMap('m').set(`k${i}`, i & 1);
  });
  return Y.encodeStateAsUpdate(doc);
}

const problem = (update: Uint8Array, overrides = {}) =>
  shapeProblem(shapeOf(decodeUpdate(update)), update.byteLength, { ...limits, ...overrides });

describe('update shape', () => {
  it('counts the client ids and the items at one insertion point of the same-position attack', () => {
    const shape = shapeOf(decodeUpdate(samePositionInserts(200)));
    expect(shape).toMatchObject({ structs: 200, clients: 200, largestInsertionGroup: 200 });
    expect(problem(samePositionInserts(200))).toEqual({
      kind: 'too_costly',
      reason: 'update holds 200 client ids (at most 64)',
    });
    expect(problem(samePositionInserts(40))).toEqual({
      kind: 'too_costly',
      reason: 'update inserts 40 items at one place (at most 32)',
    });
  });

  it('groups one client’s crafted items that share their origins', () => {
    const update = sharedOrigins(100);
    expect(shapeOf(decodeUpdate(update))).toMatchObject({ structs: 100, clients: 1, largestInsertionGroup: 100 });
    expect(problem(update)).toMatchObject({
      kind: 'too_costly',
      reason: expect.stringMatching(/100 items at one place/),
    });
  });

  it('lets ordinary edits through: a note, a burst of typing, a merged offline session', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 200; i++) {
      writeAnnotation(doc, sampleAnnotation({ id: `a${i % 20}`, note: `第${i}次修改` }), 'm1');
    }
    doc.getText('typing').insert(0, '促进学生身心健康全面发展'.repeat(50));
    for (const update of [updates[0]!, Y.mergeUpdates(updates)]) expect(problem(update)).toBeNull();
  });

  it('estimates the heap of tiny entries at many times their size and refuses them past the floor', () => {
    const update = tinyMapEntries(20_000);
    const shape = shapeOf(decodeUpdate(update));
    expect(shape.estimatedHeapBytes / update.byteLength).toBeGreaterThan(20);
    expect(problem(update, { maxStructsPerUpdate: 100_000, decodedRatioFloorBytes: 1024 * 1024 })).toMatchObject({
      kind: 'decoded_size',
    });
    // Whole records decode to a few times their size.
    const doc = new Y.Doc();
    for (let i = 0; i < 2_000; i++) writeAnnotation(doc, sampleAnnotation({ id: `a${i}` }), 'm1');
    const records = Y.encodeStateAsUpdate(doc);
    expect(problem(records, { decodedRatioFloorBytes: 1024 })).toBeNull();
    expect(estimateDocHeap(doc)).toBe(shapeOf(decodeUpdate(records)).estimatedHeapBytes);
  });
});

describe('bounded scan of large updates', () => {
  const scanLimits = { ...limits, maxStructsPerUpdate: 1_000 };

  it('agrees with the decoder on what it can count, and stops at the first bound passed', () => {
    expect(scanUpdate(tinyMapEntries(900), scanLimits)).toEqual({ ok: true });
    expect(scanUpdate(tinyMapEntries(5_000), scanLimits)).toEqual({
      ok: false,
      malformed: false,
      reason: 'update holds more than 1000 structs',
    });
    expect(scanUpdate(samePositionInserts(100), scanLimits)).toMatchObject({
      reason: 'update holds more than 64 client ids',
    });
    const doc = new Y.Doc();
    for (let i = 0; i < 50; i++) writeAnnotation(doc, sampleAnnotation({ id: `a${i}`, tags: ['体育', '教育'] }), 'm1');
    doc.getText('t').insert(0, 'abc');
    doc.getArray('l').push([new Uint8Array([1, 2]), { nested: [1, 2.5, null, true, 'x'] }]);
    expect(scanUpdate(Y.encodeStateAsUpdate(doc), limits)).toEqual({ ok: true });
  });

  it('stops a crafted update that announces endless structs or values without walking them all', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 2 ** 40); // structs announced
    encoding.writeVarUint(e, 7);
    encoding.writeVarUint(e, 0);
    for (let i = 0; i < 2_000; i++) {
      encoding.writeUint8(e, 0); // a GC range
      encoding.writeVarUint(e, 1);
    }
    expect(scanUpdate(encoding.toUint8Array(e), scanLimits)).toMatchObject({
      reason: 'update holds more than 1000 structs',
    });
    const values = new Y.Doc();
    values.getMap('m').set(
      'v',
      Array.from({ length: 600_000 }, () => null),
    );
    expect(scanUpdate(Y.encodeStateAsUpdate(values), limits)).toMatchObject({
      reason: 'update holds more than 100000 values',
    });
  });

  it('says malformed for truncated or garbage bytes', () => {
    const whole = tinyMapEntries(10);
    expect(scanUpdate(whole.subarray(0, whole.length - 3), limits)).toMatchObject({ malformed: true });
    expect(scanUpdate(new Uint8Array([1, 1, 1, 1, 31]), limits)).toMatchObject({ malformed: true });
  });
});
