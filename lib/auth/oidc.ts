import * as client from "openid-client";
import type { Role } from "../people/roles";
import { parseCookies } from "./credentials";

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string;
  /** The claim that names the user (default `email`; `sub` when the claim is missing). */
  usernameClaim: string;
  /** A claim (a string or a list, e.g. `groups`) mapped to roles by `roleMap`; null: roles are set by admins. */
  roleClaim: string | null;
  /** Claim value → role, e.g. {"ops-admins": "admin", "ops": "editor"}; the highest match wins. */
  roleMap: Record<string, Role>;
  defaultRole: Role;
}

export const OIDC_COOKIE = "schedule_sync_oidc";

/** What a sign-in keeps between the redirect to the provider and its way back. */
interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export interface OidcIdentity {
  username: string;
  email: string | null;
  displayName: string | null;
  /** The role the claims map to; null when no role claim is configured (an admin's choice stands). */
  mappedRole: Role | null;
}

export interface OidcSignIn {
  /** The provider's authorization URL, and the cookie that remembers state, nonce and PKCE verifier. */
  start(redirectUri: string, next: string, secure: boolean): Promise<{ url: string; cookie: string }>;
  /** Checks the provider's answer at `callbackUrl` against the cookie and returns who signed in. */
  finish(callbackUrl: URL, cookieHeader: string | null): Promise<OidcIdentity>;
  clearedCookie(secure: boolean): string;
}

const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

/** The role `value` (a claim: a string or a list of them) maps to, highest first; null for none. */
export function mapRole(value: unknown, roleMap: Record<string, Role>): Role | null {
  const values = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[\s,]+/) : [];
  let best: Role | null = null;
  for (const item of values) {
    const role = typeof item === "string" ? roleMap[item] : undefined;
    if (role && (!best || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

const isLoopback = (url: URL) => url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);

/**
 * OpenID Connect sign-in (authorization code with PKCE, state and nonce) with `openid-client`.
 * The provider's metadata is discovered on the first sign-in and kept; a discovery that failed
 * is tried again next time. Plain http is accepted only for a provider on loopback (tests, a
 * provider on the same machine).
 */
export function createOidcSignIn(config: OidcConfig): OidcSignIn {
  let discovered: Promise<client.Configuration> | null = null;
  const configuration = () => {
    if (!discovered) {
      const issuer = new URL(config.issuer);
      discovered = client
        .discovery(issuer, config.clientId, config.clientSecret, undefined, isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : undefined)
        .catch((error) => {
          discovered = null;
          throw error;
        });
    }
    return discovered;
  };
  const cookie = (value: string, maxAge: number, secure: boolean) =>
    // Lax, not Strict: it must come back on the provider's top-level redirect to the callback.
    `${OIDC_COOKIE}=${value}; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;

  return {
    async start(redirectUri, next, secure) {
      const oidc = await configuration();
      const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next };
      const url = client.buildAuthorizationUrl(oidc, {
        redirect_uri: redirectUri,
        scope: config.scopes,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: "S256",
      });
      return { url: url.href, cookie: cookie(Buffer.from(JSON.stringify(pending)).toString("base64url"), 600, secure) };
    },

    async finish(callbackUrl, cookieHeader) {
      const raw = parseCookies(cookieHeader ?? undefined).get(OIDC_COOKIE);
      if (!raw) throw new Error("the sign-in took too long or started in another browser (no state cookie)");
      const pending = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as PendingSignIn;
      const oidc = await configuration();
      const tokens = await client.authorizationCodeGrant(oidc, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims()!;
      // Many providers put groups and e-mail in userinfo only.
      const info = await client.fetchUserInfo(oidc, tokens.access_token, idClaims.sub).catch(() => ({}) as Record<string, unknown>);
      const claims: Record<string, unknown> = { ...idClaims, ...info };
      const named = claims[config.usernameClaim];
      const username = typeof named === "string" && named ? named : String(idClaims.sub);
      return {
        username,
        email: typeof claims.email === "string" ? claims.email : null,
        displayName: typeof claims.name === "string" ? claims.name : null,
        mappedRole: config.roleClaim ? (mapRole(claims[config.roleClaim], config.roleMap) ?? config.defaultRole) : null,
      };
    },

    clearedCookie: (secure) => cookie("", 0, secure),
  };
}

/** Where `next` was headed, from the pending sign-in's cookie (the callback's redirect). */
export function pendingNext(cookieHeader: string | null): string {
  try {
    const raw = parseCookies(cookieHeader ?? undefined).get(OIDC_COOKIE);
    return raw ? ((JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as PendingSignIn).next ?? "/") : "/";
  } catch {
    return "/";
  }
}
