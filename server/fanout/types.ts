/**
 * Fan-out between server instances that serve the same rooms. One instance appends an update durably (the
 * store gives it the room's next sequence number), then publishes it; every other instance with the room loaded
 * applies it in sequence order and forwards it to its own sockets. `local.ts` serves one instance (and tests
 * with several instances in one process); `redis.ts` carries updates on Redis Streams and presence on Pub/Sub.
 * A fan-out may lose updates: subscribers repair gaps from the store by sequence number.
 */
export type FanoutMessage =
  | { kind: 'update'; seq: number; update: Uint8Array }
  | { kind: 'presence'; update: Uint8Array }
  /** An instance started holding the room and asks the others who is present. */
  | { kind: 'presence-query' };

/** A loaded room; an object rather than a callback, so subscribing allocates no closure per room. */
export interface FanoutSubscriber {
  onFanout(message: FanoutMessage): void;
}

export interface Fanout {
  /** Whether the fan-out's transport can be reached now (always in one process; Redis connected otherwise). */
  readonly reachable: boolean;
  /** Delivers to every subscriber of the room except those registered under `source`. */
  publish(roomId: string, message: FanoutMessage, source: symbol): void;
  subscribe(roomId: string, source: symbol, subscriber: FanoutSubscriber): void;
  unsubscribe(roomId: string, subscriber: FanoutSubscriber): void;
  close(): Promise<void>;
}
