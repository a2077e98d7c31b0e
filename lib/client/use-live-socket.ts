"use client";

import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { EVENT_NAMES, type EventName, type EventPayload, type ServerToClientEvents } from "@/lib/events/events";
import type { PresenceClientEvents, PresenceServerEvents, PresenceUpdate } from "@/lib/events/presence";
import { SERVER_UNREACHABLE_EVENT } from "./api-fetch";

/** `unreachable`: the socket is down and a plain request to the server failed too. */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "unreachable";

/**
 * A live event, or a (re)connection: events sent before the socket was up (between the
 * server render and the first connect) or during a gap were missed, so pages catch up.
 */
export type LiveEvent =
  | { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName]
  | { name: "connected"; payload: null }
  | { name: "reconnected"; payload: null };

export type LiveListener = (event: LiveEvent) => void;

export interface LiveSocket {
  connection: ConnectionState;
  subscribe(listener: LiveListener): () => void;
  /** Asks the server whether it answers; updates `connection` and resolves to the answer. */
  probe(): Promise<boolean>;
  /** Tells the server which page this tab is on (`task:<id>`, `conflict:<id>`; null: none), for presence. */
  watch(page: string | null): void;
  /** Who else has the watched page open; `ownSocketId` tells this tab's own entry apart. */
  onPresence(listener: (update: PresenceUpdate, ownSocketId: string | undefined) => void): () => void;
}

/** Any answer, even 401 or 503, means the server is there; only a network failure is "unreachable". */
async function serverAnswers(): Promise<boolean> {
  try {
    await fetch("/api/health", { cache: "no-store", credentials: "same-origin" });
    return true;
  } catch {
    return false;
  }
}

/**
 * One Socket.IO connection to the same origin for the whole page. The session cookie
 * authenticates the handshake; socket.io-client reconnects by itself (with backoff),
 * and a server-side disconnect is retried too. On every (re)connect, listeners get a
 * `connected`/`reconnected` event so pages can catch up on whatever they missed.
 */
export function useLiveSocket(): LiveSocket {
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const listeners = useRef(new Set<LiveListener>());
  const subscribe = useRef((listener: LiveListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }).current;

  const connected = useRef(false);
  const socketRef = useRef<Socket<ServerToClientEvents & PresenceServerEvents, PresenceClientEvents> | null>(null);
  const watched = useRef<string | null>(null);
  const presenceListeners = useRef(new Set<(update: PresenceUpdate, ownSocketId: string | undefined) => void>());
  const watch = useRef((page: string | null) => {
    watched.current = page;
    socketRef.current?.emit("presence_watch", page);
  }).current;
  const onPresence = useRef((listener: (update: PresenceUpdate, ownSocketId: string | undefined) => void) => {
    presenceListeners.current.add(listener);
    return () => {
      presenceListeners.current.delete(listener);
    };
  }).current;
  const probe = useRef(async () => {
    const answers = await serverAnswers();
    if (!answers) setConnection("unreachable");
    else if (!connected.current) setConnection((c) => (c === "unreachable" ? "reconnecting" : c));
    return answers;
  }).current;

  useEffect(() => {
    const socket: Socket<ServerToClientEvents & PresenceServerEvents, PresenceClientEvents> = io({ withCredentials: true });
    socketRef.current = socket;
    socket.on("presence", (update) => {
      for (const listener of [...presenceListeners.current]) listener(update, socket.id);
    });
    const emit = (event: LiveEvent) => {
      for (const listener of [...listeners.current]) listener(event);
    };
    let everConnected = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    socket.on("connect", () => {
      connected.current = true;
      // A new connection is a new socket on the server: say again where this tab is.
      if (watched.current) socket.emit("presence_watch", watched.current);
      setConnection("connected");
      emit({ name: everConnected ? "reconnected" : "connected", payload: null });
      everConnected = true;
    });
    socket.on("disconnect", (reason) => {
      connected.current = false;
      setConnection("reconnecting");
      void probe();
      // The server closed this socket on purpose (e.g. a restart): socket.io does not retry that by itself.
      if (reason === "io server disconnect") retry = setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", () => {
      setConnection(everConnected ? "reconnecting" : "connecting");
      // A 401 on the handshake means the session is gone: let the next API call send us to /login.
      void fetch("/api/sync/status", { credentials: "same-origin", cache: "no-store" })
        .then((res) => {
          if (res.status === 401) window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
        })
        .catch(() => setConnection("unreachable"));
    });
    for (const name of EVENT_NAMES) {
      (socket.on as (event: string, fn: (payload: unknown) => void) => void)(name, (payload) => emit({ name, payload } as LiveEvent));
    }
    const unreachable = () => void probe();
    window.addEventListener(SERVER_UNREACHABLE_EVENT, unreachable);
    return () => {
      window.removeEventListener(SERVER_UNREACHABLE_EVENT, unreachable);
      clearTimeout(retry);
      socket.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, []);

  return { connection, subscribe, probe, watch, onPresence };
}
