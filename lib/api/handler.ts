import "server-only";
import { NextResponse } from "next/server";
import type { ZodType, z } from "zod";
import { getServices, type AppServices } from "../core/services";
import { httpErrorOf } from "./error-status";
import { ApiError } from "./errors";

interface HandlerContext<P> {
  req: Request;
  params: P;
  services: AppServices;
  searchParams: URLSearchParams;
}

/**
 * Wraps every route handler: awaits `params`, hands over the services created once
 * by server.ts, and maps every error to a JSON error body. Authentication happens
 * earlier, in server.ts's request gate, for every route at once.
 */
export function withApi<P extends Record<string, string> = Record<string, never>>(
  handler: (ctx: HandlerContext<P>) => Promise<Response | unknown>,
) {
  return async (req: Request, context: { params: Promise<P> }): Promise<Response> => {
    try {
      const params = context?.params ? await context.params : ({} as P);
      const result = await handler({ req, params, services: getServices(), searchParams: new URL(req.url).searchParams });
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (error) {
      return errorResponse(error);
    }
  };
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

