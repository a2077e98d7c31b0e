// GET /api/health – liveness, database kind and YAML validity; no auth
import { withApi } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

export const GET = withApi(async ({ services }) => {
  const yaml = services.sync.status().yaml;
  const head = yaml.issues[0];
  return {
    status: "ok",
    db: services.db.kind,
    yaml: {
      valid: yaml.valid !== false,
      ...(head ? { error: `${head.message} (line ${head.line}, column ${head.column})` } : {}),
    },
  };
});
