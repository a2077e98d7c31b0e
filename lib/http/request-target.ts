export interface RequestTarget {
  pathname: string;
  /** "" or the query string with its "?". */
  search: string;
}

/**
 * The request's path, when it is already in the one form that the gate, the Socket.IO dispatch
 * and Next.js all read; null for anything another reader could take for another path. Then the
 * path a decision was made on is the path that runs: `/socket.io/../login` is not `/login` to
 * one and the socket to the other.
 *
 * Refused: anything but a path (absolute or `*` targets), `//`, backslashes, `;` (path
 * parameters to some proxies), dot segments in any spelling (`..`, `%2e%2E`, `.%2e`), escapes of
 * characters that need none (`%61`, `%2F`, `%5C`, `%25`, controls), malformed escapes or UTF-8,
 * and anything the URL standard would rewrite.
 */
export function canonicalTarget(rawUrl: string | undefined): RequestTarget | null {
  const raw = rawUrl ?? "";
  if (!raw.startsWith("/")) return null;
  const q = raw.indexOf("?");
  const pathname = q === -1 ? raw : raw.slice(0, q);
  const search = q === -1 ? "" : raw.slice(q);
  if (/\/\/|\\|;/.test(pathname)) return null;
  for (const [, hex] of pathname.matchAll(/%(.{0,2})/g)) {
    if (!/^[0-9A-Fa-f]{2}$/.test(hex!)) return null;
    const code = parseInt(hex!, 16);
    if (code < 0x20 || code === 0x7f || /[A-Za-z0-9\-._~/\\;%]/.test(String.fromCharCode(code))) return null;
  }
  try {
    decodeURIComponent(pathname);
    if (new URL(pathname, "http://canonical.invalid").pathname !== pathname) return null;
  } catch {
    return null;
  }
  return { pathname, search };
}
