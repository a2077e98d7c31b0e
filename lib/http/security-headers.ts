import { randomBytes } from "node:crypto";

/**
 * Headers on every answer the server gives (pages, API, static files, errors, Socket.IO
 * polling): no framing by any page (a page on another port of the same host counts as the same
 * site, so SameSite cookies alone do not stop clickjacking), no MIME sniffing, and no Referer,
 * since a login link carries the token.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/**
 * The Content-Security-Policy. Next.js streams its data as inline scripts, which the nonce
 * admits (Next reads it from the request's own CSP header and puts it on every script it
 * writes); its chunks load from 'self'. Styles may be inline (React style attributes). Without
 * a nonce (answers that are not pages) no inline script runs at all. Development mode needs eval
 * for React's debugging aids.
 */
export function contentSecurityPolicy({ nonce, dev = false }: { nonce?: string; dev?: boolean } = {}): string {
  const script = ["'self'", ...(nonce ? [`'nonce-${nonce}'`] : []), ...(dev ? ["'unsafe-eval'"] : [])];
  return [
    "default-src 'self'",
    `script-src ${script.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function newNonce(): string {
  return randomBytes(16).toString("base64");
}
