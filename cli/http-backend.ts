import type { RevisionRecord } from "../lib/sync/storage/sync-storage";
import type { RestoreResult } from "../lib/sync/engine/restore-revision";
import type { ConflictRecord } from "../lib/sync/storage/sync-storage";
import type { ExportedTask } from "../lib/export/export-schedule";
import type { RunResult } from "../lib/sync/engine/sync-engine";
import { CliError, cliErrorOf } from "./cli-error";
import type { SyncStatus } from "../lib/client/api-types";
import type { HeldTask, OpenConflict, SyncBackend } from "./sync-backend";
import { statusView } from "./status-view";

export interface HttpTarget {
  /** Base URL without a trailing slash. */
  url: string;
  /** Where the URL came from ("--url", "SCHEDULE_SYNC_URL", "PORT", "the default"), for messages. */
  urlSource: string;
  token: string | null;
  /** Where the token came from (or would have): "ADMIN_TOKEN" or the token file's path. Never the token. */
  tokenSource: string;
  /** Why the CLI talks HTTP: PGlite (the server owns its files) or `--url` asked for it. */
  reason: "pglite" | "url";
}

const RUN_TIMEOUT_MS = 15 * 60_000;
const READ_TIMEOUT_MS = 30_000;


/**
 * The running server's HTTP API as a SyncBackend (POST /api/sync/trigger, GET /api/sync/status…).
 * Sends the admin token as a Bearer header and no Origin header (a tool's request, which the
 * server's gate accepts for mutations); the token never appears in any message.
 */
export function createHttpBackend(target: HttpTarget): SyncBackend {
  const base = target.url;
  let tokenChecked = false;

  async function send(method: "GET" | "POST", pathname: string, body?: unknown, timeoutMs = READ_TIMEOUT_MS): Promise<Response> {
    try {
      return await fetch(`${base}${pathname}`, {
        method,
        headers: {
          accept: "application/json",
          ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: "manual",
      });
    } catch (error) {
      throw unreachable(target, error, timeoutMs);
    }
  }

  async function requireToken(): Promise<string> {
    if (target.token) return target.token;
    if (!tokenChecked) {
      tokenChecked = true;
      // Reachability first: "start the server" is the more useful message when both are missing.
      await send("GET", "/api/health");
    }
    throw new CliError(
      "no_token",
      `no admin token to talk to the server at ${base}: set ADMIN_TOKEN, or run the CLI with the server's DATA_DIR ` +
        `(it keeps a generated token in ${target.tokenSource}, which does not exist here).`,
    );
  }

  async function request<T>(method: "GET" | "POST", pathname: string, body?: unknown, timeoutMs?: number): Promise<T> {
    await requireToken();
    const res = await send(method, pathname, body, timeoutMs);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (res.ok && json !== undefined && !error) return json as T;
    if (res.status === 401) {
      throw new CliError(
        "unauthorized",
        `the server at ${base} refused the admin token from ${target.tokenSource} (401). Use the token the server was started with (ADMIN_TOKEN or its DATA_DIR/admin-token).`,
      );
    }
    if (!error) {
      const kind = res.headers.get("content-type")?.split(";")[0] ?? "no content type";
      throw new CliError(
        "not_schedule_sync",
        `the server at ${base} answered ${res.status} (${kind}) to ${method} ${pathname}, not the schedule-sync API; check --url / SCHEDULE_SYNC_URL.`,
      );
    }
    const code = error.code ?? `http_${res.status}`;
    throw cliErrorOf({ code, message: `the server answered ${res.status}: ${error.message ?? "no message"}`, details: error.details }, code === "yaml_invalid" ? await yamlPath() : null);
  }

  async function yamlPath(): Promise<string | null> {
    try {
      return (await request<SyncStatus>("GET", "/api/sync/status")).yaml.path;
    } catch {
      return null;
    }
  }

  return {
    where: `server ${base}`,
    run: ({ direction, force, dryRun }) => request<RunResult>("POST", "/api/sync/trigger", { trigger: "cli", direction, force, dryRun }, RUN_TIMEOUT_MS),
    async openConflicts(): Promise<OpenConflict[]> {
      const { items } = await request<{ items: ConflictRecord[] }>("GET", "/api/sync/conflicts?status=open&limit=1000");
      return items.map(({ id, taskId, kind, fields, detectedAt }) => ({ id, taskId, kind, fields, detectedAt }));
    },
    status: async () => statusView(`server ${base}`, await request<SyncStatus>("GET", "/api/sync/status"), true),
    held: async () => {
      const held = await request<Record<"yaml" | "db", HeldTask[]>>("GET", "/api/sync/held-deletions");
      return { yaml: held.yaml.map(({ taskId, heldAt }) => ({ taskId, heldAt })), db: held.db.map(({ taskId, heldAt }) => ({ taskId, heldAt })) };
    },
    decideHeld: (options) => request("POST", "/api/sync/held-deletions", options, RUN_TIMEOUT_MS),
    enabledTasks: async () => (await request<{ tasks: ExportedTask[] }>("GET", "/api/export?format=json")).tasks,
    revisions: async (limit) => (await request<{ items: RevisionRecord[] }>("GET", `/api/sync/revisions?limit=${limit}`)).items,
    restoreRevision: ({ id, dryRun }) => request<RestoreResult>("POST", `/api/sync/revisions/${encodeURIComponent(id)}/restore`, { dryRun }, RUN_TIMEOUT_MS),
    close: async () => undefined,
  };
}

/** Explains what to start (or fix) when nothing answers at the URL. */
function unreachable(target: HttpTarget, error: unknown, timeoutMs: number): CliError {
  const name = (error as Error)?.name;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const why =
    name === "TimeoutError" || name === "AbortError"
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : cause?.code === "ECONNREFUSED"
        ? "connection refused"
        : cause?.code === "ENOTFOUND"
          ? "unknown host"
          : (cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error));
  const lines = [`no schedule-sync server is reachable at ${target.url} (URL from ${target.urlSource}; ${why}).`];
  if (target.reason === "pglite") {
    lines.push(
      "DATABASE_URL is not set, so the database is PGlite, which only the server process may open: the CLI works through the running server.",
      "Start it with `npm start` (or `npm run dev`) and run this again, or point the CLI at it with --url <url> or SCHEDULE_SYNC_URL.",
      "With PostgreSQL (DATABASE_URL set) the CLI opens the database itself and needs no server.",
    );
  } else {
    lines.push("Check the URL, or start the server there (`npm start`); without --url and with DATABASE_URL set the CLI opens the database itself.");
  }
  return new CliError("server_unreachable", lines.join("\n"), { cause: error });
}
