// GET /api/health/ready – readiness: database reachable, migrations applied, file readable, watcher running; no auth (reasons need credentials)
import { NextResponse } from "next/server";
import { withApi } from "@/lib/api/handler";
import { ApiError } from "@/lib/api/errors";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "public" }, async ({ services, principal }) => {
  if (!services.ops) throw new ApiError("internal_error", "Readiness is not wired in this process");
  const { ready, checks } = await services.ops.readiness();
  // A reason can name a path or a migration: only for callers with credentials.
  const shown = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, principal ? check : { ok: check.ok }]));
  return NextResponse.json({ status: ready ? "ready" : "not_ready", checks: shown }, { status: ready ? 200 : 503, headers: { "cache-control": "no-store" } });
});
