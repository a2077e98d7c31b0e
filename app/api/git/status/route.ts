// GET /api/git/status – git mode: branch, HEAD, ahead/behind, last fetch, push and merge, their errors
import { withApi } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ services }) => (services.git ? services.git.status() : { enabled: false }));
