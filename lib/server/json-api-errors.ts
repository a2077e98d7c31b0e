import type { ServerResponse } from "node:http";
import { errorBodyOf } from "../api/error-status";

/**
 * Makes Next.js's own error answers on `/api/*` JSON like every other API answer: an unknown
 * API path gets Next's HTML 404 page and a method a route does not export an empty 405.
 * Node writes the status line through `writeHead` (explicitly or implicitly) before any body
 * byte, so that is where the answer is recognized; the body Next then writes is replaced.
 */
export function jsonApiErrors(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let replacement: string | null = null;

  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.find((arg) => typeof arg === "object" && arg !== null && !Array.isArray(arg)) as Record<string, unknown> | undefined;
    const typeArg = headers && Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
    const type = String(typeArg ?? res.getHeader("content-type") ?? "");
    if ((status === 404 || status === 405) && !type.includes("json")) {
      replacement = JSON.stringify(
        (status === 404
          ? errorBodyOf("not_found", "No such API endpoint")
          : errorBodyOf("method_not_allowed", `This endpoint does not accept ${res.req?.method ?? "this method"}`)
        ).body,
      );
      for (const name of ["content-type", "content-length", "content-encoding", "transfer-encoding", "etag", "vary"]) res.removeHeader(name);
      const allow = res.getHeader("allow") ?? (headers && Object.entries(headers).find(([name]) => name.toLowerCase() === "allow")?.[1]);
      return writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(replacement),
        "cache-control": "no-store",
        ...(allow ? { allow: allow as string } : {}),
      });
    }
    return writeHead(status, ...rest);
  }) as ServerResponse["writeHead"];

  const ensureHead = () => {
    if (!res.headersSent) res.writeHead(res.statusCode);
  };
  res.write = ((...args: unknown[]) => {
    ensureHead();
    if (replacement !== null) {
      const callback = args.find((arg) => typeof arg === "function") as (() => void) | undefined;
      callback?.();
      return true;
    }
    return write(...args);
  }) as ServerResponse["write"];
  res.end = ((...args: unknown[]) => {
    ensureHead();
    if (replacement !== null) {
      const callback = args.find((arg) => typeof arg === "function") as (() => void) | undefined;
      return end(res.req?.method === "HEAD" ? undefined : replacement, callback);
    }
    return end(...args);
  }) as ServerResponse["end"];
}
