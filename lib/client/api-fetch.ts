/**
 * The browser's one way to call the API: JSON in, JSON out, and every failure as an
 * `ApiError` carrying the API's `{error: {code, message, details}}`. A 401 means the
 * session is gone, so the browser is sent to the login page (and comes back after).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Dispatched on `window` when a request could not reach the server at all. */
export const SERVER_UNREACHABLE_EVENT = "schedule-sync:unreachable";

export interface ApiFetchInit {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  json?: unknown;
  signal?: AbortSignal;
}

export async function apiFetch<T>(path: string, init: ApiFetchInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? (init.json === undefined ? "GET" : "POST"),
      headers: init.json === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      credentials: "same-origin",
      cache: "no-store",
      signal: init.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    // The page's live connection re-checks the server and shows the "unreachable" banner.
    if (typeof window !== "undefined") window.dispatchEvent(new Event(SERVER_UNREACHABLE_EVENT));
    throw new ApiError(0, "network_error", "Could not reach the server. Check your connection and try again.");
  }
  const body = await res.json().catch(() => null);
  if (res.ok) return body as T;
  if (res.status === 401 && typeof window !== "undefined") {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  const error = body?.error;
  throw new ApiError(
    res.status,
    typeof error?.code === "string" ? error.code : `http_${res.status}`,
    typeof error?.message === "string" ? error.message : `The server answered ${res.status} ${res.statusText}`.trim(),
    error?.details,
  );
}

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message;
  return String(error);
}
