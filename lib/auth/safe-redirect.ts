/**
 * Where to go after logging in: `next` as a path on `origin`, or "/" when it would leave it.
 * Parsed the way browsers parse it (tabs and newlines dropped, `\` read as `/`), so
 * `/%09/evil.example` or `/\evil.example` cannot slip past as a path. Shared by the server's
 * login link, the login page and its form.
 *
 * @example sameOriginPath("/conflicts?status=open", "http://localhost:3000") // "/conflicts?status=open"
 * @example sameOriginPath("/\t/evil.example/x", "http://localhost:3000")   // "/"
 */
export function sameOriginPath(next: string | null | undefined, origin: string): string {
  if (!next) return "/";
  try {
    const base = new URL(origin);
    const url = new URL(next, base);
    if (url.origin !== base.origin) return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    // `/.//evil.example` resolves to the path `//evil.example`, which is another host once written out.
    return path.startsWith("/") && !path.startsWith("//") ? path : "/";
  } catch {
    return "/";
  }
}

/** A stand-in origin for the server, which checks `next` before it knows where the browser is. */
export const SERVER_SIDE_ORIGIN = "http://schedule-sync.invalid";
