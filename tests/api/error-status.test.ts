import { describe, expect, it } from "vitest";
import { httpErrorOf, statusOf } from "@/lib/api/error-status";
import { ApiError } from "@/lib/api/errors";
import { SyncError } from "@/lib/sync/engine/sync-errors";
import { taskSchema } from "@/lib/tasks/task-schema";

describe("one table from error codes to HTTP", () => {
  it.each([
    [new SyncError("stale_version", "changed"), 409],
    [new SyncError("not_found", "gone"), 404],
    [new SyncError("yaml_invalid", "bad file", { details: { issues: [] } }), 409],
    [new SyncError("yaml_locked", "locked"), 503],
    [new ApiError("invalid_json", "not JSON"), 400],
    [new ApiError("payload_too_large", "big"), 413],
  ])("answers %s with %i, its code and message", (error, status) => {
    const answer = httpErrorOf(error, () => undefined);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({ code: error.code, message: error.message });
  });

  it("tells a client when to come back from a condition that passes by itself, and only then", () => {
    expect(httpErrorOf(new SyncError("yaml_busy", "busy")).headers).toEqual({ "retry-after": "1" });
    expect(httpErrorOf(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }), () => undefined)).toMatchObject({
      status: 503,
      headers: { "retry-after": "2" },
      body: { error: { code: "database_unavailable" } },
    });
    expect(httpErrorOf(new SyncError("stale_version", "changed")).headers).toEqual({});
  });

  it("answers a zod error with 400 and the field paths, anything unknown with a 500 that hides it", () => {
    const parsed = taskSchema.safeParse({ id: "x", name: "", schedule: "nope", command: "c" });
    const answer = httpErrorOf(parsed.error);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("validation_error");
    expect((answer.body.error.details as { field: string }[]).map((d) => d.field)).toEqual(expect.arrayContaining(["name", "schedule"]));
    const logged: unknown[] = [];
    expect(httpErrorOf(new TypeError("secret internals"), (...args) => logged.push(args))).toMatchObject({ status: 500, body: { error: { code: "internal_error", message: "Internal server error" } } });
    expect(logged).toHaveLength(1);
  });

  it("maps a code it does not know to 500", () => {
    expect(statusOf("no_such_code")).toBe(500);
  });
});
