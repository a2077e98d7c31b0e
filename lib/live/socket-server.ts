import type { IncomingMessage } from "node:http";
import { createAdapter } from "@socket.io/postgres-adapter";
import { Server as EngineServer } from "engine.io";
import type pg from "pg";
import { Server } from "socket.io";
import type { EventBus } from "../events/event-bus";
import { EVENT_NAMES, type ServerToClientEvents } from "../events/events";

export type SocketServer = Server<Record<string, never>, ServerToClientEvents>;

/**
 * Socket.IO bound to a standalone engine, so server.ts decides which HTTP requests
 * and upgrades reach it: the same auth gate as the API runs first (401 without the token).
 */
export function createSocketServer(bus: EventBus, pgPool: pg.Pool | null): { io: SocketServer; engine: EngineServer; close(): Promise<void> } {
  const engine = new EngineServer({ pingInterval: 10_000, pingTimeout: 5_000, maxHttpBufferSize: 1e5 });
  // With PostgreSQL, instances sharing the database relay every event to each other's browsers.
  const io: SocketServer = new Server({ serveClient: false, ...(pgPool ? { adapter: createAdapter(adapterPool(pgPool)) } : {}) });
  io.bind(engine);
  const unsubscribe = bus.subscribeAll((event, payload) => {
    if (EVENT_NAMES.includes(event)) (io.emit as (e: string, p: unknown) => void)(event, payload);
  });
  return {
    io,
    engine,
    close: async () => {
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

export function isSocketPath(req: IncomingMessage): boolean {
  return (req.url ?? "").startsWith("/socket.io/");
}
