import "server-only";
import { NextResponse } from "next/server";
import type { ZodType, z } from "zod";
import { originAllowed, SAFE_METHODS } from "../auth/origin-check";
import { actorOf, allows, type Access, type Principal, type Role } from "../auth/principal";
import type { Actor } from "../people/actor";
import { getServices, type AppServices } from "../core/services";
import { requestProtocol } from "../http/request-protocol";
import { httpErrorOf } from "./error-status";
import { ApiError } from "./errors";

interface HandlerContext<P, A extends Access> {
  req: Request;
  params: P;
  services: AppServices;
  searchParams: URLSearchParams;
  /** Who is calling: always someone on a route that needs a role; on a public one, null without credentials. */
  principal: A extends "public" ? Principal | null : Principal;
  /** Who the changes this request makes are recorded as (issue #18). */
  actor: Actor;
}

/** What a route needs, declared next to it: `"public"`, or the least role that may call it. */
export interface ApiOptions<A extends Access> {
  access: A;
}

/**
 * Wraps every route handler: authenticates the request itself and checks the route's declared
 * access and the origin of mutations (whatever the front door decided: a way around it must
 * not be a way in), awaits `params`, hands over the services created once by server.ts, and
 * maps every error to a JSON error body.
 */
export function withApi<P extends Record<string, string> = Record<string, never>, A extends Access = Access>(
  options: ApiOptions<A>,
  handler: (ctx: HandlerContext<P, A>) => Promise<Response | unknown>,
) {
  return async (req: Request, context: { params: Promise<P> }): Promise<Response> => {
    try {
      const services = getServices();
      const principal = await authorize(req, services, options.access);
      const params = context?.params ? await context.params : ({} as P);
      const ctx = { req, params, services, searchParams: new URL(req.url).searchParams, principal, actor: actorOf(principal) } as HandlerContext<P, A>;
      const result = await handler(ctx);
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

async function authorize(req: Request, services: AppServices, access: Access): Promise<Principal | null> {
  const header = (name: string) => req.headers.get(name);
  if (!SAFE_METHODS.has(req.method.toUpperCase())) {
    const facts = { origin: header("origin"), host: header("host"), secFetchSite: header("sec-fetch-site"), protocol: requestProtocol(header("x-forwarded-proto"), new URL(req.url).protocol === "https:") };
    if (!originAllowed(facts, services.config.allowedOrigins)) throw new ApiError("forbidden_origin", "Cross-origin request refused");
  }
  const authentication = await services.auth.authenticate(Object.fromEntries(req.headers));
  const principal = authentication.outcome === "authenticated" ? authentication.principal : null;
  if (allows(principal, access)) return principal;
  throw principal ? forbidden(access as Role) : new ApiError("unauthorized", "Missing or invalid credentials");
}

const forbidden = (role: Role) => new ApiError("forbidden", `This needs the ${role} role`, { details: { role } });

/**
 * For a route whose least role depends on what the body asks (a forced sync direction needs
 * admin where a bidirectional one needs editor): called before anything changes.
 */
export function requireRole(principal: Principal | null, role: Role): void {
  if (!allows(principal, role)) throw principal ? forbidden(role) : new ApiError("unauthorized", "Missing or invalid credentials");
}

export function errorResponse(error: unknown): Response {
  const { status, body, headers } = httpErrorOf(error);
  return NextResponse.json(body, { status, headers });
}

/** The largest request body read; a task is a few KiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a JSON body and parses it with `schema`; malformed JSON is a 400, a body over 1 MiB a 413, never a 500. */
export async function parseBody<S extends ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const text = await readBody(req);
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "Request body is not valid JSON");
  }
  return schema.parse(body);
}

/** The body as text, refused past MAX_BODY_BYTES without reading the rest (the login route is public). */
async function readBody(req: Request): Promise<string> {
  const tooLarge = () => new ApiError("payload_too_large", `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  if (Number(req.headers.get("content-length")) > MAX_BODY_BYTES) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export function parseQuery<S extends ZodType>(searchParams: URLSearchParams, schema: S): z.output<S> {
  return schema.parse(Object.fromEntries(searchParams));
}

