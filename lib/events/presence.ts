/**
 * Presence over the Socket.IO channel (issue #18): which people have a task's or a conflict's
 * page open. Shared by the server (lib/live/presence.ts) and the browser.
 */

/** A page people can be "on": `task:<id>` or `conflict:<uuid>`. */
export const PRESENCE_PAGE = /^(task|conflict):[A-Za-z0-9_-]{1,64}$/;

export interface PresenceUpdate {
  page: string;
  /** One entry per open socket on the page; a person with two tabs is there twice. */
  viewers: { socketId: string; name: string }[];
}

export interface PresenceClientEvents {
  /** The page this socket now looks at (null: none). */
  presence_watch: (page: string | null) => void;
}

export interface PresenceServerEvents {
  presence: (update: PresenceUpdate) => void;
}
