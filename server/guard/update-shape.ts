/**
 * What one Yjs update holds, derived from a single decode (`Y.decodeUpdate`): how many structs and client ids,
 * how many deletion ranges, the largest group of items that compete for one insertion point, and an estimate of
 * the heap its structs take once applied. Applying an update costs time and memory in proportion to these (Yjs
 * resolves the items at one insertion point against each other, quadratic in the group), so the server bounds
 * them before applying anything (update-guard.ts). Used on the main thread and in the inspection worker alike.
 */
import * as Y from 'yjs';

export type Struct = Y.Item | Y.GC | Y.Skip;
export type DecodedUpdate = { structs: Struct[]; ds: ReturnType<typeof Y.createDeleteSet> };

export type UpdateShape = {
  /** Items and GC ranges (Skip markers are not structs of the document). */
  structs: number;
  /** Distinct client ids among the structs. */
  clients: number;
  deleteRanges: number;
  /** Most items sharing one insertion point (the same left origin, or the same parent slot without one). */
  largestInsertionGroup: number;
  /** Heap the structs take once applied to a document, estimated from their kinds and contents. */
  estimatedHeapBytes: number;
};

export type ShapeLimits = {
  maxStructsPerUpdate: number;
  maxClientsPerUpdate: number;
  maxDeleteRangesPerUpdate: number;
  maxItemsPerInsertionPoint: number;
  /** Refuse an update whose estimated heap is this many times its wire size ... */
  maxDecodedRatio: number;
  /** ... once that estimate passes this size (small updates always decode to several times their size). */
  decodedRatioFloorBytes: number;
};

/** Which bound an update broke: the metric label and the reason given to the client. */
export type ShapeProblem = { kind: 'too_costly' | 'decoded_size'; reason: string };

export function decodeUpdate(update: Uint8Array, v2 = false): DecodedUpdate {
  return v2 ? Y.decodeUpdateV2(update) : Y.decodeUpdate(update);
}

// Heap growth per applied struct measured with Node 20 (update-shape.test.ts keeps the estimate within a factor
// of two of it): an item with its ID, links and map slot costs about 360 bytes before its content; a deleted one
// keeps about 200; a GC range less.
const ITEM_BYTES = 360;
const DELETED_ITEM_BYTES = 200;
const GC_BYTES = 80;
const TYPE_BYTES = 300;

/** Groups items by what Yjs compares them against when integrating (see Item.integrate's conflict loop). */
function insertionPoint(item: Y.Item): string {
  if (item.origin) return `o${item.origin.client}:${item.origin.clock}`;
  if (item.rightOrigin) return `r${item.rightOrigin.client}:${item.rightOrigin.clock}`;
  const parent = item.parent as unknown as string | Y.ID | null;
  const parentKey = typeof parent === 'string' ? `y${parent}` : parent ? `p${parent.client}:${parent.clock}` : '';
  return `${parentKey}/${item.parentSub ?? ''}`;
}

export function shapeOf(decoded: DecodedUpdate): UpdateShape {
  const clients = new Set<number>();
  const groups = new Map<string, number>();
  let structs = 0;
  let largestInsertionGroup = 0;
  let estimatedHeapBytes = 0;
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Skip) continue;
    structs++;
    clients.add(struct.id.client);
    estimatedHeapBytes += structHeapBytes(struct);
    if (!(struct instanceof Y.Item)) continue;
    const point = insertionPoint(struct);
    const size = (groups.get(point) ?? 0) + 1;
    groups.set(point, size);
    if (size > largestInsertionGroup) largestInsertionGroup = size;
  }
  let deleteRanges = 0;
  for (const ranges of decoded.ds.clients.values()) deleteRanges += ranges.length;
  return { structs, clients: clients.size, deleteRanges, largestInsertionGroup, estimatedHeapBytes };
}

/** The first bound the update breaks, or null. */
export function shapeProblem(shape: UpdateShape, wireBytes: number, limits: ShapeLimits): ShapeProblem | null {
  const tooCostly = (reason: string): ShapeProblem => ({ kind: 'too_costly', reason });
  if (shape.structs > limits.maxStructsPerUpdate) {
    return tooCostly(`update holds ${shape.structs} structs (at most ${limits.maxStructsPerUpdate})`);
  }
  if (shape.clients > limits.maxClientsPerUpdate) {
    return tooCostly(`update holds ${shape.clients} client ids (at most ${limits.maxClientsPerUpdate})`);
  }
  if (shape.deleteRanges > limits.maxDeleteRangesPerUpdate) {
    return tooCostly(`update holds ${shape.deleteRanges} deletions (at most ${limits.maxDeleteRangesPerUpdate})`);
  }
  if (shape.largestInsertionGroup > limits.maxItemsPerInsertionPoint) {
    return tooCostly(
      `update inserts ${shape.largestInsertionGroup} items at one place (at most ${limits.maxItemsPerInsertionPoint})`,
    );
  }
  if (
    shape.estimatedHeapBytes > limits.decodedRatioFloorBytes &&
    shape.estimatedHeapBytes > wireBytes * limits.maxDecodedRatio
  ) {
    const ratio = Math.round(shape.estimatedHeapBytes / Math.max(1, wireBytes));
    return { kind: 'decoded_size', reason: `update would take ${ratio} times its size in memory` };
  }
  return null;
}

/** Heap one struct takes in a document. */
export function structHeapBytes(struct: Y.Item | Y.GC): number {
  if (!(struct instanceof Y.Item)) return GC_BYTES;
  if (struct.content instanceof Y.ContentDeleted) return DELETED_ITEM_BYTES;
  return ITEM_BYTES + contentBytes(struct.content) + (struct.parentSub ? 16 + struct.parentSub.length * 2 : 0);
}

/** Estimated heap of a decoded document (one pass over its structs). */
export function estimateDocHeap(doc: Y.Doc): number {
  let bytes = 0;
  for (const structs of doc.store.clients.values()) for (const struct of structs) bytes += structHeapBytes(struct);
  return bytes;
}

/** Heap of one item's content once applied. */
function contentBytes(content: Y.Item['content']): number {
  if (content instanceof Y.ContentString) return 16 + content.str.length * 2;
  if (content instanceof Y.ContentAny) return 16 + content.arr.reduce((sum: number, v) => sum + jsonBytes(v), 0);
  if (content instanceof Y.ContentJSON) return 16 + content.arr.reduce((sum: number, v) => sum + jsonBytes(v), 0);
  if (content instanceof Y.ContentBinary) return 32 + content.content.byteLength;
  if (content instanceof Y.ContentEmbed) return 16 + jsonBytes(content.embed);
  if (content instanceof Y.ContentFormat) return 32 + content.key.length * 2 + jsonBytes(content.value);
  if (content instanceof Y.ContentType) return TYPE_BYTES;
  return TYPE_BYTES;
}

/** Rough V8 heap of a decoded JSON-like value (lib0 `any`). */
function jsonBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 8;
  if (typeof value === 'number' || typeof value === 'bigint') return 16;
  if (typeof value === 'string') return 16 + value.length * 2;
  if (value instanceof Uint8Array) return 64 + value.byteLength;
  if (Array.isArray(value)) return 32 + value.reduce((sum: number, v) => sum + 8 + jsonBytes(v), 0);
  if (typeof value === 'object') {
    let sum = 56;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) sum += 16 + key.length * 2 + jsonBytes(v);
    return sum;
  }
  return 16;
}
