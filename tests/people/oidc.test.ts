import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapRole } from "@/lib/auth/oidc";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { backup, yamlOf } from "../_support/engine-harness";

/**
 * Issue #18: OpenID Connect sign-in against a real provider (the `oidc-provider` package) on
 * loopback, through the real server: authorization code with PKCE, state and nonce, the person
 * created on first sight, the role mapped from a claim at every sign-in.
 */

const ACCOUNTS: Record<string, { email: string; groups: string[] }> = {
  "sub-alice": { email: "alice@example.com", groups: ["ops", "ops-admins"] },
  "sub-bob": { email: "bob@example.com", groups: ["staff"] },
};

describe("role mapping", () => {
  it("takes the highest role any claim value maps to", () => {
    const map = { ops: "editor", "ops-admins": "admin" } as const;
    expect(mapRole(["ops", "ops-admins"], map)).toBe("admin");
    expect(mapRole("ops", map)).toBe("editor");
    expect(mapRole("staff ops", map)).toBe("editor");
    expect(mapRole(["staff"], map)).toBeNull();
    expect(mapRole(undefined, map)).toBeNull();
  });
});

describe("OpenID Connect sign-in on a real server", { timeout: 120_000 }, () => {
  let idp: http.Server;
  let issuer: string;
  let app: AppProcess;
  let nextLogin = "sub-alice";

  beforeAll(async () => {
    // The provider's address goes into the app's environment, the app's into the provider's client.
    idp = http.createServer();
    await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    app = await startAppProcess({
      db: "pglite",
      yaml: yamlOf({ "daily-backup": backup }),
      env: {
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: "schedule-sync",
        OIDC_CLIENT_SECRET: "a-client-secret-for-the-test",
        OIDC_SCOPES: "openid email groups",
        OIDC_ROLE_CLAIM: "groups",
        OIDC_ROLE_MAP: "ops=editor,ops-admins=admin",
        OIDC_DEFAULT_ROLE: "viewer",
      },
    });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: "schedule-sync",
          client_secret: "a-client-secret-for-the-test",
          redirect_uris: [`${app.url}/api/auth/oidc/callback`],
          grant_types: ["authorization_code"],
          response_types: ["code"],
        },
      ],
      claims: { openid: ["sub"], email: ["email", "email_verified"], groups: ["groups"] },
      findAccount: async (_ctx: unknown, sub: string) =>
        ACCOUNTS[sub] ? { accountId: sub, claims: async () => ({ sub, email: ACCOUNTS[sub]!.email, email_verified: true, groups: ACCOUNTS[sub]!.groups }) } : undefined,
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      cookies: { keys: ["a-cookie-key-for-the-test"] },
    });
    const handle = provider.callback();
    // The provider's login and consent screens: whoever `nextLogin` names signs in and agrees.
    idp.on("request", async (req, res) => {
      if (!req.url?.startsWith("/interaction/")) return handle(req, res);
      try {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === "login") {
          await provider.interactionFinished(req, res, { login: { accountId: nextLogin } }, { mergeWithLastSubmission: false });
          return;
        }
        const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
        grant.addOIDCScope(String(details.params.scope));
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
    });
  }, 90_000);
  afterAll(async () => {
    await app?.dispose();
    await new Promise((resolve) => idp?.close(resolve));
  });

  /** A browser's part: follows redirects between the app and the provider, keeping each one's cookies. */
  async function signIn(next = "/tasks/daily-backup"): Promise<{ session: string | null; page: string; status: number }> {
    const jars = new Map<string, Map<string, string>>();
    let url = `${app.url}/api/auth/oidc/start?next=${encodeURIComponent(next)}`;
    for (let hop = 0; hop < 12; hop++) {
      const target = new URL(url);
      const jar = jars.get(target.host) ?? new Map<string, string>();
      jars.set(target.host, jar);
      const res = await fetch(url, { redirect: "manual", headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const eq = pair!.indexOf("=");
        const value = pair!.slice(eq + 1);
        if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") jar.delete(pair!.slice(0, eq));
        else jar.set(pair!.slice(0, eq), value);
      }
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).href;
        continue;
      }
      const session = jars.get(new URL(app.url).host)?.get("schedule_sync_session") ?? null;
      return { session: session ? `schedule_sync_session=${session}` : null, page: await res.text(), status: res.status };
    }
    throw new Error("too many redirects");
  }

  const me = async (cookie: string) => (await fetch(`${app.url}/api/auth/me`, { headers: { cookie } })).json();

  it("signs a person in, created on first sight with the role their groups map to", async () => {
    const { session, page, status } = await signIn();
    expect(status).toBe(200);
    expect(session).not.toBeNull();
    // The page moves on by itself to where the person was going (same-site, so the Strict cookie goes along).
    expect(page).toContain('<meta http-equiv="refresh" content="0;url=/tasks/daily-backup">');
    expect(await me(session!)).toEqual({ role: "admin", name: "alice@example.com", kind: "user", via: "oidc" });
    const users = (await (await app.api("/api/users")).json()).items as { username: string; source: string; role: string; lastLoginAt: string | null }[];
    expect(users.find((u) => u.username === "alice@example.com")).toMatchObject({ source: "oidc", role: "admin" });
    expect(users.find((u) => u.username === "alice@example.com")!.lastLoginAt).not.toBeNull();
    // Her changes are hers.
    const patched = await fetch(`${app.url}/api/tasks/daily-backup`, {
      method: "PATCH",
      headers: { cookie: session!, origin: new URL(app.url).origin, "content-type": "application/json" },
      body: JSON.stringify({ name: "Backup by Alice via SSO" }),
    });
    expect(patched.status).toBe(200);
    expect((await (await app.api("/api/tasks/daily-backup/history")).json()).items[0].actor).toMatchObject({ kind: "user", name: "alice@example.com" });
  });

  it("gives the default role when no group maps, and follows the claim at every sign-in", async () => {
    nextLogin = "sub-bob";
    const first = await signIn("/");
    expect(await me(first.session!)).toMatchObject({ role: "viewer", name: "bob@example.com" });
    // An admin's change of role is overruled by the provider's groups at the next sign-in.
    expect((await app.api("/api/users/bob@example.com", { method: "PATCH", json: { role: "admin" } })).status).toBe(200);
    ACCOUNTS["sub-bob"]!.groups = ["ops"];
    const second = await signIn("/");
    expect(await me(second.session!)).toMatchObject({ role: "editor", name: "bob@example.com" });
  });

  it("refuses a callback without the state it started with, and a next that leaves the site", async () => {
    const forged = await fetch(`${app.url}/api/auth/oidc/callback?code=made-up&state=made-up&iss=${encodeURIComponent(issuer)}`, { redirect: "manual" });
    expect(forged.status).toBe(303);
    expect(forged.headers.get("location")).toBe("/login?error=oidc_failed");
    expect(forged.headers.getSetCookie().some((c) => c.startsWith("schedule_sync_session="))).toBe(false);
    nextLogin = "sub-alice";
    const away = await signIn("https://evil.example/steal");
    expect(away.page).toContain('content="0;url=/"');
  });
});
