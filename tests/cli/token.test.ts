import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppProcess, type AppProcess } from "../_support/app-process";
import { runCli } from "./_cli";

describe("schedule-sync token", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "schedule-sync-cli-token-"));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it("without a token yet, says to start the server once and exits 2", async () => {
    const run = await runCli(["token"], { cwd: dir, env: { DATA_DIR: path.join(dir, "nothing-here") } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no admin token yet");
    expect(run.stderr).toContain("Start the server once");
    await expect(fs.access(path.join(dir, "nothing-here"))).rejects.toThrow();
  });

  it("prints ADMIN_TOKEN, or the generated one, and the login link with --url", async () => {
    expect(await runCli(["token"], { cwd: dir, env: { ADMIN_TOKEN: "from-the-environment-0123456789" } })).toMatchObject({ code: 0, stdout: "from-the-environment-0123456789\n" });
    await fs.mkdir(path.join(dir, "data"));
    await fs.writeFile(path.join(dir, "data", "admin-token"), "generated-token-0123456789abcdef0123\n");
    expect((await runCli(["token"], { cwd: dir })).stdout).toBe("generated-token-0123456789abcdef0123\n");
    expect((await runCli(["token", "--url", "http://localhost:3000/"], { cwd: dir })).stdout).toBe("http://localhost:3000/login?token=generated-token-0123456789abcdef0123\n");
    expect(JSON.parse((await runCli(["token", "--json"], { cwd: dir })).stdout)).toEqual({ token: "generated-token-0123456789abcdef0123", source: path.join(dir, "data", "admin-token") });
  });
});

describe("first start under a service manager (no terminal, no ADMIN_TOKEN)", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startAppProcess({ db: "pglite", yaml: "version: 1\ntasks: {}\n", env: { ADMIN_TOKEN: "" } });
  }, 120_000);
  afterAll(() => app?.dispose());

  it("logs the login URL without the token and the exact command that prints the link", async () => {
    const token = (await fs.readFile(path.join(app.dataDir, "admin-token"), "utf8")).trim();
    // Logged right after "listening on", which is what start-up waits for: it may arrive a moment later.
    const loginLine = () => app.output().split("\n").find((l) => l.includes("log in at"));
    await expect.poll(loginLine, { timeout: 10_000 }).toBeDefined();
    const line = loginLine();
    expect(line).toContain(`${app.url}/login`);
    expect(app.output()).not.toContain(token);
    const command = /`DATA_DIR=(\S+) npx schedule-sync token --url (\S+)`/.exec(line!);
    expect(command, line).not.toBeNull();
    // Running that command prints a link that logs in.
    const run = await runCli(["token", "--url", command![2]!], { env: { DATA_DIR: command![1]! } });
    expect(run.code).toBe(0);
    const res = await fetch(run.stdout.trim(), { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/session|token/i);
  });
});
