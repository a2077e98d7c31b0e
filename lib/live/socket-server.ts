import type { IncomingMessage } from "node:http";
import { createAdapter } from "@socket.io/postgres-adapter";
import { Server as EngineServer } from "engine.io";
import type pg from "pg";
import { Server } from "socket.io";
import type { Principal } from "../auth/principal";
import type { SessionStore } from "../auth/session-store";
import type { PeopleStore } from "../people/people-store";
import type { EventBus } from "../events/event-bus";
import { EVENT_NAMES, type ServerToClientEvents } from "../events/events";
import type { PresenceClientEvents, PresenceServerEvents } from "../events/presence";
import { attachPresence } from "./presence";

// Client events are registered with their least role (presence.ts onClientEvent); there is none
// that changes anything, so a viewer's socket can do all a socket can.
export type SocketServer = Server<PresenceClientEvents, ServerToClientEvents & PresenceServerEvents, Record<string, never>, { principal: Principal }>;

export interface SocketAuth {
  /** The caller of a handshake request (Host, Origin and credentials checked), or null to refuse it. */
  admit(req: IncomingMessage): Promise<Principal | null>;
  sessions: Pick<SessionStore, "stillValid" | "onRevoked">;
  /** Named tokens and proxy users behind open sockets: a revoked token or a removed user closes them too. */
  people?: Pick<PeopleStore, "stillValid">;
  /** How often open sockets' sessions are checked again (a logout or expiry on another instance). */
  recheckMs: number;
}

/**
 * Socket.IO bound to a standalone engine, so server.ts decides which HTTP requests and upgrades
 * reach it. The front door's gate runs first, and the server checks every connection again
 * itself (the engine's handshake and Socket.IO's connection), whatever the gate decided. A
 * socket lives no longer than its session: a logout here closes it at once, one elsewhere (or
 * expiry) within `recheckMs`.
 */
export function createSocketServer(
  bus: EventBus,
  pgPool: pg.Pool | null,
  auth: SocketAuth,
): { io: SocketServer; engine: EngineServer; close(): Promise<void> } {
  const engine = new EngineServer({
    pingInterval: 10_000,
    pingTimeout: 5_000,
    maxHttpBufferSize: 1e5,
    allowRequest: (req, done) => {
      auth.admit(req as IncomingMessage).then(
        (principal) => done(principal ? null : "unauthorized", principal !== null),
        () => done("unavailable", false),
      );
    },
  });
  // With PostgreSQL, instances sharing the database relay every event to each other's browsers.
  const io: SocketServer = new Server({ serveClient: false, ...(pgPool ? { adapter: createAdapter(adapterPool(pgPool)) } : {}) });
  io.bind(engine);
  io.use((socket, next) => {
    auth.admit(socket.request).then(
      (principal) => {
        if (!principal) return next(new Error("unauthorized"));
        socket.data.principal = principal;
        next();
      },
      () => next(new Error("unavailable")),
    );
  });
  const sessionSockets = () => [...io.of("/").sockets.values()].filter((socket) => socket.data.principal?.kind === "session");
  const sessionIdOf = (principal: Principal | undefined) => (principal?.kind === "session" ? principal.sessionId : null);
  const stopRevoked = auth.sessions.onRevoked((id) => {
    for (const socket of sessionSockets()) if (sessionIdOf(socket.data.principal) === id) socket.disconnect(true);
  });
  // A socket of a named token or of a user the auth proxy named: the token's or the user's id.
  const holderIdOf = (principal: Principal | undefined) => (principal?.kind === "token" ? principal.tokenId : principal?.kind === "proxy" ? principal.userId : null);
  const recheck = setInterval(() => {
    const sockets = sessionSockets();
    if (sockets.length > 0) {
      auth.sessions
        .stillValid([...new Set(sockets.map((socket) => sessionIdOf(socket.data.principal)!))])
        .then((valid) => {
          for (const socket of sockets) if (!valid.has(sessionIdOf(socket.data.principal)!)) socket.disconnect(true);
        })
        .catch(() => undefined); // the database is away: keep the sockets, check again next time
    }
    const held = [...io.of("/").sockets.values()].filter((socket) => holderIdOf(socket.data.principal) !== null);
    if (held.length === 0 || !auth.people) return;
    const ids = (kind: "token" | "proxy") => [...new Set(held.filter((s) => s.data.principal.kind === kind).map((s) => holderIdOf(s.data.principal)!))];
    auth.people
      .stillValid({ tokenIds: ids("token"), userIds: ids("proxy") })
      .then((valid) => {
        for (const socket of held) if (!valid.has(holderIdOf(socket.data.principal)!)) socket.disconnect(true);
      })
      .catch(() => undefined);
  }, auth.recheckMs);
  recheck.unref();
  attachPresence(io);
  const unsubscribe = bus.subscribeAll((event, payload) => {
    if (EVENT_NAMES.includes(event)) (io.emit as (e: string, p: unknown) => void)(event, payload);
  });
  return {
    io,
    engine,
    close: async () => {
      clearInterval(recheck);
      stopRevoked();
      unsubscribe();
      // Closes the sockets, the engine and the adapter (whose LISTEN connection would
      // otherwise keep the PostgreSQL pool from ending).
      await io.close();
    },
  };
}

/**
 * The adapter keeps one pooled client checked out for LISTEN and, when PostgreSQL drops that
 * connection (restart, failover, pg_terminate_backend), forgets it and connects a new one.
 * Two things it leaves to us: pg-pool removes its error listener from checked-out clients, so
 * the dead client's 'error' would be an uncaught exception; and the dead client is never
 * released, so each drop would leak one of the pool's connections until the app starves.
 */
function adapterPool(pool: pg.Pool): pg.Pool {
  const connect = async () => {
    const client = await pool.connect();
    const release = client.release.bind(client);
    let released = false;
    client.release = (error?: Error | boolean) => {
      if (released) return;
      released = true;
      release(error);
    };
    client.on("error", (error: Error) => console.warn(`[socket.io] PostgreSQL LISTEN connection lost: ${error.message}; reconnecting`));
    client.on("end", () => client.release(new Error("LISTEN connection ended")));
    return client;
  };
  return { connect, query: pool.query.bind(pool) } as unknown as pg.Pool;
}
