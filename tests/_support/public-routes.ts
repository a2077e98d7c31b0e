/**
 * The routes anyone may call without credentials, written out here rather than read from the
 * gate (lib/auth/request-gate.ts): a route the gate opened by mistake must fail the tests that
 * walk every route. `POST /api/git/webhook` is not listed: the gate lets it through, but the route
 * itself refuses any request without a signature or token, which the walks check as a refusal.
 */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(["/api/health", "/api/health/live", "/api/health/ready", "/api/auth/login", "/api/auth/oidc/start", "/api/auth/oidc/callback"]);
