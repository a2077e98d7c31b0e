import { createHmac, timingSafeEqual } from "node:crypto";

export type WebhookVerdict =
  | { ok: true; provider: "github" | "gitlab"; push: boolean; ref: string | null }
  | { ok: false; reason: string };

/**
 * Checks a push webhook against the shared secret: GitHub's `X-Hub-Signature-256` (HMAC-SHA256
 * of the body) or GitLab's `X-Gitlab-Token`, both compared in constant time. `push` is whether
 * it is a push event (GitHub `push`, GitLab `Push Hook`); `ref` is the pushed ref, e.g.
 * `refs/heads/main`. Pure.
 */
export function verifyWebhook(headers: { get(name: string): string | null }, body: string, secret: string): WebhookVerdict {
  const signature = headers.get("x-hub-signature-256");
  const token = headers.get("x-gitlab-token");
  let provider: "github" | "gitlab";
  if (signature !== null) {
    const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    if (!sameText(signature, expected)) return { ok: false, reason: "the X-Hub-Signature-256 signature does not match the shared secret" };
    provider = "github";
  } else if (token !== null) {
    if (!sameText(token, secret)) return { ok: false, reason: "the X-Gitlab-Token does not match the shared secret" };
    provider = "gitlab";
  } else {
    return { ok: false, reason: "no X-Hub-Signature-256 (GitHub) or X-Gitlab-Token (GitLab) header" };
  }
  const event = provider === "github" ? headers.get("x-github-event") : headers.get("x-gitlab-event");
  let ref: string | null = null;
  try {
    const parsed = JSON.parse(body) as { ref?: unknown };
    ref = typeof parsed?.ref === "string" ? parsed.ref : null;
  } catch {
    // A signed body that is not JSON (GitHub's form encoding): still a reason to fetch.
  }
  return { ok: true, provider, push: provider === "github" ? event === "push" : event === "Push Hook", ref };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
