// GET /api/health/live – liveness: the process answers (nothing else is checked); no auth
import { NextResponse } from "next/server";
import { withApi } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "public" }, async () => NextResponse.json({ status: "ok" }, { headers: { "cache-control": "no-store" } }));
