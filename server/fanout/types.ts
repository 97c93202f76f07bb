/**
 * Fan-out between server instances that serve the same rooms. One instance appends an update durably, then
 * publishes it; every other instance with the room loaded applies it and forwards it to its own sockets.
 * The in-process implementation serves one instance (and tests with several instances in one process); a later
 * step adds Redis Streams behind the same interface.
 */
export type FanoutMessage =
  /** `seq`: the update's per-room sequence number in the store (receivers track which ones they hold). */
  { kind: 'update'; update: Uint8Array; seq: number } | { kind: 'presence'; update: Uint8Array };

/** A loaded room; an object rather than a callback, so subscribing allocates no closure per room. */
export interface FanoutSubscriber {
  onFanout(message: FanoutMessage): void;
}

export interface Fanout {
  /** Delivers to every subscriber of the room except those registered under `source`. */
  publish(roomId: string, message: FanoutMessage, source: symbol): void;
  subscribe(roomId: string, source: symbol, subscriber: FanoutSubscriber): void;
  unsubscribe(roomId: string, subscriber: FanoutSubscriber): void;
  close(): Promise<void>;
}
