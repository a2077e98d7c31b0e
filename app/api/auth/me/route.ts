// GET /api/auth/me – who this request is: its role, name and how it signed in
import { withApi } from "@/lib/api/handler";
import { describePrincipal } from "@/lib/auth/describe-principal";

export const dynamic = "force-dynamic";

export const GET = withApi({ access: "viewer" }, async ({ principal }) => describePrincipal(principal));
