import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Presence } from './presence.ts';
import { ProtocolError } from './protocol.ts';

const limits = { maxStateBytes: 1024, maxClientsPerOwner: 2 };

function clientAwareness(name: string): Awareness {
  const awareness = new Awareness(new Y.Doc());
  awareness.setLocalState({ user: { name } });
  return awareness;
}

describe('Presence', () => {
  it('speaks the y-protocols awareness format in both directions', () => {
    let time = 0;
    const presence = new Presence(limits, () => time);
    const zhang = clientAwareness('张三');
    const owner = {};
    const { changed } = presence.apply(encodeAwarenessUpdate(zhang, [zhang.clientID]), owner);
    expect(changed).not.toBeNull();
    const other = new Awareness(new Y.Doc());
    applyAwarenessUpdate(other, presence.encodeAll()!, 'server');
    expect(other.getStates().get(zhang.clientID)).toEqual({ user: { name: '张三' } });
    // Removal when the socket goes away reaches other clients as a removal.
    time = 1;
    applyAwarenessUpdate(other, presence.removeOwner(owner)!, 'server');
    expect(other.getStates().has(zhang.clientID)).toBe(false);
    expect(presence.size).toBe(0);
    zhang.destroy();
    other.destroy();
  });

  it('ignores old clocks and refuses to let one socket change another socket’s client', () => {
    const presence = new Presence(limits);
    const a = {};
    const b = {};
    const alice = clientAwareness('A');
    presence.apply(encodeAwarenessUpdate(alice, [alice.clientID]), a);
    expect(presence.apply(encodeAwarenessUpdate(alice, [alice.clientID]), a).changed).toBeNull();
    alice.setLocalStateField('user', { name: 'A2' });
    expect(presence.apply(encodeAwarenessUpdate(alice, [alice.clientID]), b)).toEqual({ changed: null, refused: 1 });
    expect(presence.apply(encodeAwarenessUpdate(alice, [alice.clientID]), a).changed).not.toBeNull();
    alice.destroy();
  });

  it('limits the clients one socket may announce and the size of a state', () => {
    const presence = new Presence(limits);
    const owner = {};
    const clients = [clientAwareness('1'), clientAwareness('2'), clientAwareness('3')];
    const refused = clients.map((c) => presence.apply(encodeAwarenessUpdate(c, [c.clientID]), owner).refused);
    expect(refused).toEqual([0, 0, 1]);
    const big = clientAwareness('x'.repeat(2_000));
    expect(() => presence.apply(encodeAwarenessUpdate(big, [big.clientID]), {})).toThrow(ProtocolError);
    for (const c of [...clients, big]) c.destroy();
  });

  it('expires clients that stop renewing', () => {
    let time = 0;
    const presence = new Presence(limits, () => time);
    const alice = clientAwareness('A');
    presence.apply(encodeAwarenessUpdate(alice, [alice.clientID]), {});
    time = 10_000;
    expect(presence.sweep(30_000)).toBeNull();
    time = 31_000;
    expect(presence.sweep(30_000)).not.toBeNull();
    expect(presence.size).toBe(0);
    alice.destroy();
  });

  it('throws ProtocolError on malformed updates', () => {
    const presence = new Presence(limits);
    for (const bytes of [[], [1], [1, 5], [1, 5, 1, 20, 65], [1, 5, 1, 3, 123, 120, 125], [200]]) {
      expect(() => presence.apply(new Uint8Array(bytes), {}), JSON.stringify(bytes)).toThrow(ProtocolError);
    }
  });
});
