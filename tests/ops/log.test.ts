import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/config/env";
import { createLogger, moduleLogger } from "@/lib/log";

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, stream: stream as unknown as NodeJS.WritableStream & { write(s: string): boolean } };
}

describe("the logger", () => {
  it("writes JSON lines: level as a word, ISO time, one module field per child, no pid or hostname", () => {
    const { lines, stream } = sink();
    const root = createLogger({ level: "info", format: "json", module: "server", destination: stream });
    root.info("up");
    moduleLogger(moduleLogger(root, "http"), "sync").warn({ n: 1 }, "child of a child");
    moduleLogger(root, "http").debug("below the level");
    const [up, child] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(up).toEqual({ level: "info", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), module: "server", msg: "up" });
    expect(child).toMatchObject({ level: "warn", module: "sync", n: 1, msg: "child of a child" });
    expect(lines[1]!.match(/"module"/g)).toHaveLength(1);
  });

  it("blanks credentials in any object logged", () => {
    const { lines, stream } = sink();
    const log = createLogger({ level: "info", format: "json", destination: stream });
    log.info({ token: "t0ps3cret", req: { headers: { authorization: "Bearer t0ps3cret", cookie: "schedule_sync_session=t0ps3cret" } }, webhook: { secret: "t0ps3cret" } }, "careless");
    expect(lines[0]).not.toContain("t0ps3cret");
    expect(JSON.parse(lines[0]!)).toMatchObject({ token: "[redacted]", req: { headers: { authorization: "[redacted]", cookie: "[redacted]" } }, webhook: { secret: "[redacted]" } });
  });

  it("is JSON in production and pretty elsewhere unless LOG_FORMAT says otherwise", () => {
    expect(loadConfig({ NODE_ENV: "production" }).logFormat).toBe("json");
    expect(loadConfig({ NODE_ENV: "development" }).logFormat).toBe("pretty");
    expect(loadConfig({ NODE_ENV: "production", LOG_FORMAT: "pretty" }).logFormat).toBe("pretty");
    expect(() => loadConfig({ LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT/);
  });
});
