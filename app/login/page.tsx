import { LoginForm } from "@/components/login-form";
import { sameOriginPath, SERVER_SIDE_ORIGIN } from "@/lib/auth/safe-redirect";
import { getServices } from "@/lib/core/services";

export const metadata = { title: "Log in · schedule-sync" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  const target = sameOriginPath(next, SERVER_SIDE_ORIGIN);
  // OpenID Connect sign-in, when the server is configured for it (OIDC_ISSUER).
  const sso = Boolean(getServices().oidc);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center gap-2">
          <span aria-hidden="true" className="grid size-8 place-items-center rounded bg-blue-700 text-sm text-white">
            ⇄
          </span>
          <h1 className="text-2xl font-semibold tracking-tight">schedule-sync</h1>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <h2 className="mb-1 text-lg font-semibold">Log in</h2>
          <p className="mb-5 text-sm text-slate-600">
            Sign in with the username and password an admin gave you, or paste the admin token: the <code className="font-mono text-xs">ADMIN_TOKEN</code> setting, or the one the server generated in{" "}
            <code className="font-mono text-xs">data/admin-token</code> (its start-up message also prints a login link).
          </p>
          {sso && (
            <a
              href={`/api/auth/oidc/start?next=${encodeURIComponent(target)}`}
              className="mb-5 flex w-full justify-center rounded-md border border-blue-700 bg-blue-700 px-3.5 py-2 text-sm font-medium text-white hover:bg-blue-800"
            >
              Sign in with single sign-on
            </a>
          )}
          <LoginForm
            next={target}
            initialError={error === "invalid_token" ? "That token is not valid." : error === "oidc_failed" ? "Single sign-on did not complete. Try again." : null}
          />
        </div>
        <p className="mt-4 text-center text-xs text-slate-600">Keeps a YAML file of scheduled tasks and a database in sync.</p>
      </div>
    </main>
  );
}
