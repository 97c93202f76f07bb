/** Fan-out inside one process: a map from room to subscribers. */
import type { Fanout, FanoutMessage, FanoutSubscriber } from './types.ts';

export class LocalFanout implements Fanout {
  readonly reachable = true;
  private readonly rooms = new Map<string, Map<FanoutSubscriber, symbol>>();

  publish(roomId: string, message: FanoutMessage, source: symbol): void {
    const subscribers = this.rooms.get(roomId);
    if (!subscribers) return;
    for (const [subscriber, owner] of subscribers) if (owner !== source) subscriber.onFanout(message);
  }

  subscribe(roomId: string, source: symbol, subscriber: FanoutSubscriber): void {
    let subscribers = this.rooms.get(roomId);
    if (!subscribers) {
      subscribers = new Map();
      this.rooms.set(roomId, subscribers);
    }
    const known = subscribers.size > 0;
    subscribers.set(subscriber, source);
    // As over Redis: the others announce who is present to the instance that just started holding the room.
    if (known) this.publish(roomId, { kind: 'presence-query' }, source);
  }

  unsubscribe(roomId: string, subscriber: FanoutSubscriber): void {
    const subscribers = this.rooms.get(roomId);
    if (!subscribers) return;
    subscribers.delete(subscriber);
    if (subscribers.size === 0) this.rooms.delete(roomId);
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
