import type { Authenticator } from "../auth/authenticate";
import type { FailureLimiter } from "../auth/failure-limiter";
import type { OidcSignIn } from "../auth/oidc";
import type { SessionStore } from "../auth/session-store";
import type { PeopleStore } from "../people/people-store";
import type { Readiness } from "../ops/readiness";
import type { WebhookDispatcher } from "../webhooks/webhook-dispatcher";
import type { WebhookStore } from "../webhooks/webhook-store";
import type { Core } from "./create-core";
import type { GitSync } from "../git/git-sync";

/**
 * The services server.ts creates once: the core plus what only the running server knows.
 * Route handlers are bundled by Next and would otherwise get their own module instances (a
 * second PrismaClient over one PGlite folder corrupts it), so they reach these through one
 * typed `globalThis` slot.
 */
export interface AppServices extends Omit<Core, "close" | "migrated" | "observer" | "git"> {
  /** Git mode's service (GIT_SYNC=on), for the webhook and the status. */
  git?: GitSync | null;
  /** Every check of credentials: the front door, route handlers, pages and Socket.IO. */
  auth: Authenticator;
  sessions: SessionStore;
  /** Users and named API tokens (issue #18). */
  people: PeopleStore;
  /** Failed password sign-ins per username (the front door counts them per address too). */
  signInFailures: FailureLimiter;
  /** OpenID Connect sign-in, when OIDC_ISSUER is set. */
  oidc?: OidcSignIn | null;
  /** Next run of the node-cron safety net, when one is scheduled. */
  nextCronRun(): Date | null;
  startedAt: Date;
  /** Operations (issue #21): readiness, exports, webhooks; absent where only the core runs (tests of single routes). */
  ops?: OpsServices;
}

export interface OpsServices {
  readiness(): Promise<Readiness>;
  webhooks: WebhookStore;
  dispatcher: WebhookDispatcher;
}

const KEY = Symbol.for("schedule-sync.services");
type Slot = { [KEY]?: AppServices };

export function setServices(services: AppServices | undefined): void {
  (globalThis as Slot)[KEY] = services;
}

export function getServices(): AppServices {
  const services = (globalThis as Slot)[KEY];
  if (!services) throw new Error("schedule-sync services are not initialised: start the app with server.ts (npm start / npm run dev)");
  return services;
}
