import { createHmac, timingSafeEqual } from "node:crypto";

/** The signature header's name; its value is `sha256=<hex>` like GitHub's X-Hub-Signature-256. */
export const SIGNATURE_HEADER = "x-schedule-sync-signature-256";

/**
 * `sha256=` and the hex HMAC-SHA256 of the exact body bytes under the webhook's secret. A
 * receiver computes the same over the body it read and compares in constant time
 * (`verifySignature`).
 */
export function signPayload(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** Whether `header` is the signature of `body` under `secret`, compared in constant time. */
export function verifySignature(secret: string, body: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signPayload(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
