import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../_support/app-process";

const check = (env: Record<string, string>) => spawnSync(process.execPath, [path.join(ROOT, "scripts/chromium.mjs")], { env: { PATH: process.env.PATH, NODE_ENV: "test", ...env }, encoding: "utf8" });

describe("the Chromium check npm test runs first", () => {
  it("a missing browser stops the run at once and says how to install one", () => {
    const run = check({ CHROMIUM_PATH: "/nonexistent/chromium" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Chromium at /nonexistent/chromium (CHROMIUM_PATH)");
    expect(run.stderr).toContain("apt-get install chromium");
  });

  it("CHROMIUM_PATH is honoured: any executable passes", () => {
    expect(check({ CHROMIUM_PATH: process.execPath }).status).toBe(0);
  });
});
