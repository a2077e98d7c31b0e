// GET /api/health – liveness, database kind and reachability, YAML validity; no auth
import { NextResponse } from "next/server";
import { withApi } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

export const GET = withApi(async ({ services }) => {
  const yaml = services.sync.status().yaml;
  const head = yaml.issues[0];
  const dbUp = await services.db
    .query("SELECT 1")
    .then(() => true)
    .catch(() => false);
  return NextResponse.json(
    {
      status: dbUp ? "ok" : "degraded",
      db: services.db.kind,
      ...(dbUp ? {} : { dbError: "database unreachable" }),
      yaml: {
        valid: yaml.valid !== false,
        ...(head ? { error: `${head.message} (line ${head.line}, column ${head.column})` } : {}),
      },
    },
    { status: dbUp ? 200 : 503 },
  );
});
