import { EventEmitter } from "node:events";
import type { EventName, EventPayload } from "./events";

/**
 * In-process, typed publish/subscribe. The sync engine publishes here and knows
 * nothing about sockets; server.ts forwards every event to Socket.IO.
 */
export interface EventBus {
  publish<E extends EventName>(event: E, payload: EventPayload<E>): void;
  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Every event, in publication order (for forwarding). */
  subscribeAll(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void;
}

export function createEventBus(): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const ALL = Symbol("all");
  return {
    publish(event, payload) {
      emitter.emit(event, payload);
      emitter.emit(ALL, event, payload);
    },
    subscribe(event, listener) {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    subscribeAll(listener) {
      emitter.on(ALL, listener);
      return () => emitter.off(ALL, listener);
    },
  };
}
