import { allows, type Access, type Principal } from "../auth/principal";
import { describePrincipal } from "../auth/describe-principal";
import { PRESENCE_PAGE, type PresenceUpdate } from "../events/presence";
import type { SocketServer } from "./socket-server";

type ServerSocket = Parameters<Parameters<SocketServer["on"]>[1]>[0];

/**
 * Registers a client event with the least role it needs, like withApi for routes: a socket
 * whose principal lacks it is ignored (a viewer's socket receives events and triggers nothing).
 * Every client event goes through here.
 */
export function onClientEvent<A extends unknown[]>(socket: ServerSocket, event: string, access: Access, handler: (...args: A) => void): void {
  (socket.on as (e: string, l: (...args: unknown[]) => void) => void)(event, (...args) => {
    if (allows(socket.data.principal ?? null, access)) handler(...(args as A));
  });
}

const room = (page: string) => `presence:${page}`;
const nameOf = (principal: Principal | undefined) => (principal ? (describePrincipal(principal).name ?? "admin token") : "someone");

/**
 * "alice is also looking at this": a socket says which page it is on (`presence_watch`), joins
 * that page's room, and everyone in the room hears who is there whenever that changes. The room's
 * members are fetched through the adapter, so with PostgreSQL they span instances.
 */
export function attachPresence(io: SocketServer): void {
  const publish = async (page: string) => {
    let viewers: PresenceUpdate["viewers"];
    try {
      const sockets = await io.in(room(page)).fetchSockets();
      viewers = sockets.map((s) => ({ socketId: s.id, name: nameOf(s.data.principal) }));
    } catch {
      return; // another instance did not answer in time: the next change publishes again
    }
    io.to(room(page)).emit("presence", { page, viewers });
  };
  io.on("connection", (socket) => {
    let current: string | null = null;
    onClientEvent<[unknown]>(socket, "presence_watch", "viewer", (page) => {
      const next = typeof page === "string" && PRESENCE_PAGE.test(page) ? page : null;
      if (next === current) return;
      const previous = current;
      current = next;
      if (previous) {
        void socket.leave(room(previous));
        void publish(previous);
      }
      if (next) {
        void socket.join(room(next));
        void publish(next);
      }
    });
    socket.on("disconnect", () => {
      if (current) void publish(current);
    });
  });
}
