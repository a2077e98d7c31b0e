// GET /api/health – liveness, database kind and reachability, YAML validity; no auth (the error texts need credentials)
import { NextResponse } from "next/server";
import { withApi } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "public" }, async ({ services, principal }) => {
  const yaml = services.sync.status().yaml;
  const head = yaml.issues[0];
  const dbUp = await services.db
    .query("SELECT 1")
    .then(() => true)
    .catch(() => false);
  // The file's error can quote what someone typed into it (a password in a command): only for
  // callers who could read the file's tasks anyway.
  const details = principal !== null;
  return NextResponse.json(
    {
      status: dbUp ? "ok" : "degraded",
      db: services.db.kind,
      ...(details && !dbUp ? { dbError: "database unreachable" } : {}),
      yaml: {
        valid: yaml.valid !== false,
        ...(details && head ? { error: `${head.message} (line ${head.line}, column ${head.column})` } : {}),
      },
    },
    { status: dbUp ? 200 : 503 },
  );
});
