// POST /api/git/webhook – a push to the remote (GitHub or GitLab push event, shared secret): fetch and merge now
import { NextResponse } from "next/server";
import { withApi } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/errors";
import { verifyWebhook } from "@/lib/git/verify-webhook";

export const dynamic = "force-dynamic";

const MAX_BODY = 1024 * 1024;

// Public to the gate (a webhook carries no session or token): the shared secret is the credential.
export const POST = withApi({ access: "public" }, async ({ req, services }) => {
  // No credential at all is refused like on every other route, whether git mode is on or not.
  if (req.headers.get("x-hub-signature-256") === null && req.headers.get("x-gitlab-token") === null) {
    throw new ApiError("unauthorized", "A push webhook needs X-Hub-Signature-256 (GitHub) or X-Gitlab-Token (GitLab) with the shared secret");
  }
  const git = services.git;
  const secret = services.config.git.webhookSecret;
  if (!git || !secret) throw new ApiError("not_found", git ? "The git webhook is off: set GIT_WEBHOOK_SECRET" : "Git mode is off (GIT_SYNC)");
  const body = await req.text();
  if (body.length > MAX_BODY) throw new ApiError("payload_too_large", "A push event is smaller than 1 MiB");
  const verdict = verifyWebhook(req.headers, body, secret);
  if (!verdict.ok) throw new ApiError("unauthorized", verdict.reason);
  const status = await git.status();
  const ours = verdict.ref === null || verdict.ref === `refs/heads/${status.branch}`;
  if (!verdict.push || !ours) return NextResponse.json({ accepted: false, reason: verdict.push ? `not a push to ${status.branch}` : "not a push event" }, { status: 202 });
  // Answer at once (GitHub gives up after 10 s); the fetch, merge and sync run behind it.
  void git.pull("webhook").catch((error: unknown) => console.warn(`[git] webhook pull failed: ${(error as Error).message}`));
  return NextResponse.json({ accepted: true, provider: verdict.provider }, { status: 202 });
});
