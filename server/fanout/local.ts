/** Fan-out inside one process: a map from room to subscribers. */
import type { Fanout, FanoutListener, FanoutMessage } from './types.ts';

export class LocalFanout implements Fanout {
  private readonly rooms = new Map<string, Map<FanoutListener, symbol>>();

  publish(roomId: string, message: FanoutMessage, source: symbol): void {
    const subscribers = this.rooms.get(roomId);
    if (!subscribers) return;
    for (const [listener, owner] of subscribers) if (owner !== source) listener(message);
  }

  subscribe(roomId: string, source: symbol, listener: FanoutListener): () => void {
    let subscribers = this.rooms.get(roomId);
    if (!subscribers) {
      subscribers = new Map();
      this.rooms.set(roomId, subscribers);
    }
    subscribers.set(listener, source);
    return () => {
      const current = this.rooms.get(roomId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.rooms.delete(roomId);
    };
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
