import { io, type Socket } from "socket.io-client";
import type { EventName, EventPayload, ServerToClientEvents } from "@/lib/events/events";
import { EVENT_NAMES } from "@/lib/events/events";
import { TEST_TOKEN } from "./app-process";

export interface RecordingSocket {
  socket: Socket<ServerToClientEvents>;
  received: { name: EventName; payload: EventPayload<EventName>; at: number }[];
  /** Resolves with the first event of `name` (received after `since`) matching `where`. */
  next<E extends EventName>(name: E, where?: (payload: EventPayload<E>) => boolean, timeoutMs?: number, since?: number): Promise<EventPayload<E>>;
  close(): void;
}

/** A real socket.io-client that records every product event. */
export async function connectRecordingSocket(url: string): Promise<RecordingSocket> {
  const socket: Socket<ServerToClientEvents> = io(url, {
    transports: ["websocket"],
    extraHeaders: { authorization: `Bearer ${TEST_TOKEN}` },
  });
  const received: RecordingSocket["received"] = [];
  const waiters = new Set<() => void>();
  for (const name of EVENT_NAMES) {
    (socket.on as (e: string, l: (p: unknown) => void) => void)(name, (payload) => {
      received.push({ name, payload: payload as EventPayload<EventName>, at: Date.now() });
      for (const wake of waiters) wake();
    });
  }
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return {
    socket,
    received,
    next: (name, where = () => true, timeoutMs = 5_000, since = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = received.find((e) => e.name === name && e.at >= since && where(e.payload as never));
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit.payload as never);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const got = received.map((e) => `${e.name}@${e.at - since}ms ${JSON.stringify(e.payload).slice(0, 160)}`);
          reject(new Error(`no matching ${name} within ${timeoutMs} ms; got:\n${got.join("\n") || "nothing"}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => socket.close(),
  };
}
