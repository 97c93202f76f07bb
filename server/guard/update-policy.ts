/**
 * Checks an update against the room's write rules (write-rules.ts) before it is applied, stored or sent.
 *
 * Every new struct of the update is placed: the root map and key it lands under. Items carry their parent and
 * key only when they have neither a left nor a right origin; otherwise Yjs takes them from the origin item (or
 * the right one), found in the same update or in the room's document, and so does this check (a chain of
 * origins inside one update is followed iteratively). An item whose origin is a garbage-collected range becomes
 * a GC range itself and changes nothing; an item whose origin is nowhere yet is held by Yjs as pending and is
 * checked again when it is retried with the sender's next message (the room passes those parts back in). The
 * delete set is resolved the same way, to the entries it would delete. And every struct's client id must be the
 * writer's (first writer claims it; client-owners.ts).
 *
 * It also counts, for the items it allows, the items already in the room that Yjs will order them against (the
 * entries after the same origin, or a key's whole history for an item without one): that work is quadratic when
 * edits pile up at one place over many updates, so an update is refused once the count passes its bound.
 */
import * as Y from 'yjs';
import { SERVER_MEMBER, type ClientOwnerStore } from './client-owners.ts';
import type { DecodedUpdate, Struct } from './update-shape.ts';
import { type RoomRules, type RuleAnswer, rulesFor, type Writer } from './write-rules.ts';

export type PolicyContext = {
  /** The room object (its owner cache lives as long as it does). */
  room: object;
  roomId: string;
  documentKey: string;
  doc: Y.Doc;
  writer: Writer;
  /** The update and the sender's parts still held from earlier updates, all applied together. */
  incoming: readonly DecodedUpdate[];
};

export type PolicyRefusal = { metric: 'not_allowed' | 'invalid_value' | 'too_costly'; reason: string };

export type PolicyLimits = {
  /** Items already in the room the update's items must be ordered against, in all. */
  maxConflictsPerUpdate: number;
};

/**
 * Where an item lands: a key of a root map (`path` is `[key]`), or nested inside that key's value (`path` holds
 * the keys down to the item; null for an item of a list).
 */
type Slot = { root: string; key: string | null; nested: boolean; path: (string | null)[] };
/** 'gc': the item becomes a GC range when applied; 'pending': its dependencies are not here yet. */
type Placement = Slot | 'gc' | 'pending';

export class UpdatePolicy {
  private readonly owners = new WeakMap<object, Map<number, string>>();

  constructor(
    private readonly store: ClientOwnerStore,
    private readonly limits: PolicyLimits,
  ) {}

  review(context: PolicyContext): PolicyRefusal | null {
    const owners = this.ownersOf(context);
    const review = new Review(context, owners, this.limits);
    const refusal = review.run();
    if (refusal) return refusal;
    if (review.newClients.size > 0) {
      const clients = [...review.newClients];
      this.store.claim(context.roomId, clients, context.writer.memberId);
      for (const client of clients) owners.set(client, context.writer.memberId);
    }
    return null;
  }

  /** The server is about to write in the room with this client id (its own edits). */
  claimForServer(room: object, roomId: string, client: number): void {
    const owners = this.ownersOf({ room, roomId });
    if (owners.has(client)) return;
    this.store.claim(roomId, [client], SERVER_MEMBER);
    owners.set(client, SERVER_MEMBER);
  }

  /** Reads the room's owners before its first write (needed by stores that answer later). */
  async prepare(room: object, roomId: string): Promise<void> {
    if (!this.owners.has(room)) this.owners.set(room, await this.store.ownersOf(roomId));
  }

  private ownersOf(context: Pick<PolicyContext, 'room' | 'roomId'>): Map<number, string> {
    let owners = this.owners.get(context.room);
    if (!owners) {
      const read = this.store.ownersOf(context.roomId);
      if (!(read instanceof Map)) throw new Error(`client owners of ${context.roomId} were not read when it loaded`);
      owners = read;
      this.owners.set(context.room, owners);
    }
    return owners;
  }
}

/** One review: the incoming structs indexed by client, and the placements found so far. */
class Review {
  readonly newClients = new Set<number>();
  /** How deep the placement of containers new in this update currently recurses. */
  private nesting = 0;
  private readonly rules: RoomRules;
  private readonly incoming = new Map<number, Struct[]>();
  /** The incoming structs themselves (a struct found by id is either one of these or the document's). */
  private readonly fromUpdate = new Set<Struct>();
  private readonly placed = new Map<Y.Item, Placement>();
  private rootNames: Map<unknown, string> | null = null;
  /** Items already in the room that the allowed items must be ordered against, so far. */
  private conflicts = 0;

  constructor(
    private readonly context: PolicyContext,
    private readonly owners: Map<number, string>,
    private readonly limits: PolicyLimits,
  ) {
    this.rules = rulesFor(context.documentKey);
    for (const { structs } of context.incoming) {
      for (const struct of structs) {
        if (struct instanceof Y.Skip) continue;
        this.fromUpdate.add(struct);
        const list = this.incoming.get(struct.id.client);
        if (list) list.push(struct);
        else this.incoming.set(struct.id.client, [struct]);
      }
    }
    for (const list of this.incoming.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  }

  run(): PolicyRefusal | null {
    for (const [client, structs] of this.incoming) {
      const known = this.stateOf(client);
      for (const struct of structs) {
        if (struct.id.clock + struct.length <= known) continue;
        const refusal = this.ownership(client) ?? (struct instanceof Y.Item ? this.checkWrite(struct) : null);
        if (refusal) return refusal;
      }
    }
    for (const { ds } of this.context.incoming) {
      for (const [client, ranges] of ds.clients) {
        for (const range of ranges) {
          const refusal = this.checkDeletion(client, range.clock, range.clock + range.len);
          if (refusal) return refusal;
        }
      }
    }
    return null;
  }

  private ownership(client: number): PolicyRefusal | null {
    const owner = this.owners.get(client);
    if (owner === undefined) {
      this.newClients.add(client);
      return null;
    }
    return owner === this.context.writer.memberId
      ? null
      : { metric: 'not_allowed', reason: "edits under another member's client id" };
  }

  private checkWrite(item: Y.Item): PolicyRefusal | null {
    const placement = this.place(item);
    if (placement === 'gc' || placement === 'pending') return null;
    const rule = this.ruleAt(placement);
    if (typeof rule === 'string') return notAllowed(rule);
    const { writer, doc } = this.context;
    if ('nested' in rule) {
      const value = contentValue(item.content);
      if (value === INVALID) {
        return { metric: 'invalid_value', reason: `${placement.root}: values are single JSON values or maps` };
      }
      const refused = rule.write(writer, placement.path, value, doc);
      if (refused) return notAllowed(`${placement.root}: ${refused}`);
      return this.countConflicts(item, placement.root, placement.key!);
    }
    const key = placement.key!;
    const refused = rule.write(writer, key);
    if (refused) return notAllowed(`${placement.root}: ${refused}`);
    // A map entry written after an existing one of its key names it as origin: an overwrite.
    if (rule.insertOnly && item.origin) return notAllowed(`${placement.root}: entries are never overwritten`);
    const content = item.content;
    if (!(content instanceof Y.ContentDeleted)) {
      if (!(content instanceof Y.ContentAny) || content.arr.length !== 1) {
        return { metric: 'invalid_value', reason: `${placement.root}: values are single JSON values` };
      }
      const invalid = rule.value(content.arr[0], key, writer, doc);
      if (invalid) return { metric: 'invalid_value', reason: `${placement.root}: ${invalid}` };
    }
    const conflict = rule.conflict?.(key, writer, doc);
    if (conflict) return notAllowed(`${placement.root}: ${conflict}`);
    return this.countConflicts(item, placement.root, key);
  }

  /**
   * What Yjs walks when it integrates the item (Item.integrate): the entries after its origin, or, without an
   * origin, the key's whole history. Counted only up to the update's remaining allowance.
   */
  private countConflicts(item: Y.Item, root: string, key: string): PolicyRefusal | null {
    const max = this.limits.maxConflictsPerUpdate;
    const left = item.origin ? this.find(item.origin) : null;
    let next: Y.Item | null;
    if (left) {
      if (left instanceof Y.GC || this.isIncoming(left as Y.Item)) return null;
      next = (left as Y.Item).right;
    } else {
      const map = this.parentInDoc(item, root);
      next = map?._map.get(item.parentSub ?? key) ?? null;
      // Without an origin Yjs starts from the key's first entry: its history counts.
      for (let earlier = next; earlier && this.conflicts <= max; earlier = earlier.left) this.conflicts++;
      next = null;
    }
    for (; next && this.conflicts <= max; next = next.right) this.conflicts++;
    if (this.conflicts <= max) return null;
    return {
      metric: 'too_costly',
      reason: `update must be ordered against more than ${max} concurrent edits already in the room`,
    };
  }

  /** A deletion of [start, end) of one client's clock range. */
  private checkDeletion(client: number, start: number, end: number): PolicyRefusal | null {
    const known = this.stateOf(client);
    const stored = this.context.doc.store.clients.get(client) ?? [];
    if (start < known) {
      for (let i = Y.findIndexSS(stored, start); i < stored.length && stored[i]!.id.clock < Math.min(end, known); i++) {
        const struct = stored[i]!;
        if (struct instanceof Y.Item && !struct.deleted) {
          const refusal = this.checkDelete(this.slotInDoc(struct));
          if (refusal) return refusal;
        }
      }
    }
    let covered = known;
    for (const struct of this.incoming.get(client) ?? []) {
      const structEnd = struct.id.clock + struct.length;
      if (structEnd <= Math.max(start, known) || struct.id.clock >= end) continue;
      covered = Math.max(covered, structEnd);
      if (!(struct instanceof Y.Item)) continue;
      const placement = this.place(struct);
      if (placement === 'gc' || placement === 'pending') continue;
      const refusal = this.checkDelete(placement);
      if (refusal) return refusal;
    }
    // The rest deletes edits the room has not seen yet (Yjs holds it until they arrive): only one's own.
    const owner = this.owners.get(client);
    if (end > covered && owner !== undefined && owner !== this.context.writer.memberId) {
      return notAllowed("deletes another member's future edits");
    }
    return null;
  }

  private checkDelete(placement: Slot | 'gc'): PolicyRefusal | null {
    if (placement === 'gc') return null;
    const rule = this.ruleAt(placement);
    if (typeof rule === 'string') return notAllowed(rule);
    const refused =
      'nested' in rule
        ? rule.delete(this.context.writer, placement.path, this.context.doc)
        : rule.delete(this.context.writer, placement.key!);
    return refused ? notAllowed(`${placement.root}: ${refused}`) : null;
  }

  private ruleAt(slot: Slot) {
    const rule = this.rules.get(slot.root);
    if (rule && 'nested' in rule) return rule;
    if (slot.nested) return `${slot.root}: values are whole JSON records, nothing is written inside them`;
    if (!rule) return `no rule allows writing to "${slot.root.slice(0, 40)}"`;
    if (slot.key === null) return `${slot.root}: entries need a key`;
    return rule;
  }

  /** Where an incoming item lands, following its origins through the update and the document. */
  private place(item: Y.Item): Placement {
    const chain: Y.Item[] = [];
    let current = item;
    let placement: Placement;
    for (;;) {
      const seen = this.placed.get(current);
      if (seen !== undefined) {
        placement = seen;
        break;
      }
      chain.push(current);
      if (!current.origin && !current.rightOrigin) {
        placement = this.explicitParent(current);
        break;
      }
      const left = current.origin ? this.find(current.origin) : null;
      const right = current.rightOrigin ? this.find(current.rightOrigin) : null;
      if ((current.origin && !left) || (current.rightOrigin && !right)) {
        placement = 'pending';
        break;
      }
      if (left instanceof Y.GC || right instanceof Y.GC) {
        placement = 'gc';
        break;
      }
      // Yjs takes the parent from the left item, else from the right one.
      const next = (left ?? right) as Y.Item;
      if (!this.isIncoming(next)) {
        placement = this.slotInDoc(next);
        break;
      }
      current = next;
    }
    for (const link of chain) this.placed.set(link, placement);
    return placement;
  }

  private explicitParent(item: Y.Item): Placement {
    const parent = item.parent as unknown as string | Y.ID | null;
    if (typeof parent === 'string') return { root: parent, key: item.parentSub, nested: false, path: [item.parentSub] };
    if (!parent) return 'pending';
    const container = this.find(parent);
    if (!container) return 'pending';
    if (container instanceof Y.GC) return 'gc';
    let outer: Placement;
    if (!this.isIncoming(container)) outer = this.slotInDoc(container);
    else if (this.nesting >= MAX_NESTING) return { root: '(nested)', key: null, nested: true, path: [] };
    else {
      // A container new in this update (a version 1 record and its tags): placed first, bounded in depth.
      this.nesting++;
      try {
        outer = this.place(container);
      } finally {
        this.nesting--;
      }
    }
    if (outer === 'gc' || outer === 'pending') return outer;
    return { root: outer.root, key: outer.key, nested: true, path: [...outer.path, item.parentSub] };
  }

  /** Where an item of the document sits. */
  private slotInDoc(item: Y.Item): Slot | 'gc' {
    let type = item.parent as Y.AbstractType<unknown> | null;
    if (!type) return 'gc';
    const path = [item.parentSub];
    while (type._item) {
      path.unshift(type._item.parentSub);
      type = type._item.parent as Y.AbstractType<unknown> | null;
      if (!type) return 'gc';
    }
    return { root: this.rootName(type), key: path[0]!, nested: path.length > 1, path };
  }

  /** The map an item without origins is inserted into, when the room already has it (null for a new one). */
  private parentInDoc(item: Y.Item, root: string): Y.AbstractType<unknown> | null {
    const parent = item.parent as unknown as string | Y.ID | Y.AbstractType<unknown> | null;
    if (typeof parent === 'string') return (this.context.doc.share.get(root) as Y.AbstractType<unknown>) ?? null;
    if (parent instanceof Y.ID) {
      const container = this.find(parent);
      if (!container || container instanceof Y.GC || this.isIncoming(container)) return null;
      return container.content instanceof Y.ContentType ? container.content.type : null;
    }
    return (this.context.doc.share.get(root) as Y.AbstractType<unknown>) ?? null;
  }

  private rootName(type: Y.AbstractType<unknown>): string {
    if (!this.rootNames) {
      this.rootNames = new Map();
      for (const [name, root] of this.context.doc.share) this.rootNames.set(root, name);
    }
    return this.rootNames.get(type) ?? '(unknown)';
  }

  /** The struct holding this id: in the document if it has it, else among the incoming ones; null if nowhere. */
  private find(id: Y.ID): Y.Item | Y.GC | null {
    if (id.clock < this.stateOf(id.client)) {
      const structs = this.context.doc.store.clients.get(id.client)!;
      return structs[Y.findIndexSS(structs, id.clock)] as Y.Item | Y.GC;
    }
    const list = this.incoming.get(id.client);
    if (!list) return null;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const struct = list[mid]!;
      if (id.clock < struct.id.clock) high = mid - 1;
      else if (id.clock >= struct.id.clock + struct.length) low = mid + 1;
      else return struct as Y.Item | Y.GC;
    }
    return null;
  }

  private isIncoming(struct: Y.Item): boolean {
    return this.fromUpdate.has(struct);
  }

  private stateOf(client: number): number {
    return Y.getState(this.context.doc.store, client);
  }
}

/** Version 1 records nest two levels (record, tags); anything deeper is refused without recursing further. */
const MAX_NESTING = 4;

const INVALID = Symbol('invalid content');

/** What an item holds, for a nested rule: a JSON value, a Y type, undefined when already deleted, or INVALID. */
function contentValue(content: Y.Item['content']): unknown {
  if (content instanceof Y.ContentDeleted) return undefined;
  if (content instanceof Y.ContentAny && content.arr.length === 1) return content.arr[0];
  if (content instanceof Y.ContentType) return content.type;
  return INVALID;
}

function notAllowed(reason: RuleAnswer): PolicyRefusal {
  return { metric: 'not_allowed', reason: reason ?? 'not allowed' };
}
