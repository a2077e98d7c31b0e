import { spawn, type ChildProcess } from "node:child_process";
import { readFile, rename, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSuiteDatabase } from "../_support/engine-harness";
import { actor } from "@/lib/people/actor";
import { parseSchedule } from "@/lib/yaml";
import { appended, developerPushes, FILE, gitServer, log, remoteWithDeveloper, type GitServer } from "./_git-sync";
import { GIT_ENV, gitOk, useTempDir } from "./_git";
import { actorLabel } from "@/lib/people/actor";

const AUTHOR = "schedule-sync (admin token) <schedule-sync@localhost>";

// Each test runs a dozen git processes and engine runs: 10-25 s on a quiet 2-core machine,
// past vitest's 30 s default when the machine is busy.
describe("git mode: commit, fetch, merge per task, push (real git, a bare repository as the remote)", { timeout: 90_000 }, () => {
  const suite = useSuiteDatabase("pglite");
  const tempDir = useTempDir();
  const servers: GitServer[] = [];
  beforeAll(() => suite.open(), 60_000);
  afterAll(async () => {
    for (const server of servers.splice(0)) await server.core.close();
    await suite.drop();
  });
  const start = async (dir: string, remote: string, env?: Record<string, string>, opts?: { restart?: boolean }) => {
    const server = await gitServer(dir, suite.db, remote, env, opts);
    servers.push(server);
    return server;
  };
  const stop = async (server: GitServer) => {
    servers.splice(servers.indexOf(server), 1);
    await server.core.close();
  };
  const dbTask = async (server: GitServer, id: string) => (await server.core.storage.reads.loadTasks([id])).get(id) ?? null;

  it("clones the remote and imports the file; a dashboard edit is a commit of the file alone, with its author, on the remote", async () => {
    const dir = await tempDir();
    const { bare } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`);
    expect(await dbTask(server, "nightly-pg-dump")).toMatchObject({ command: "pg_dump app" });

    await server.core.sync.writeTask({ kind: "patch", id: "nightly-pg-dump", patch: (task) => ({ ...task, command: "pg_dump --verbose app" }) });
    await server.git.idle();
    expect((await log(bare))[0]).toBe(`${AUTHOR}|dashboard: nightly-pg-dump command`);
    expect((await gitOk(bare, ["show", "--name-only", "--format=", "main"])).trim()).toBe(FILE);
    // The work tree stays clean (a deploy's `git pull` is not blocked).
    expect((await gitOk(server.root, ["status", "--porcelain"])).trim()).toBe("");
    // Comments of the file survive the server's write.
    expect(await gitOk(bare, ["show", `main:${FILE}`])).toContain("# Dumps the main database.");
    const status = await server.git.status();
    expect(status).toMatchObject({ branch: "main", ahead: 0, behind: 0, lastPush: { error: null } });
    expect(status.head).toBe((await gitOk(bare, ["rev-parse", "main"])).trim());
    await stop(server);
  });

  it("a write by a person or a named token is authored by them (issue #18); the server stays the committer", async () => {
    const dir = await tempDir();
    const { bare } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`);
    await server.core.sync.writeTask({ kind: "patch", id: "nightly-pg-dump", actor: actor("user", "alice", null), patch: (task) => ({ ...task, command: "pg_dump -v app" }) });
    await server.git.idle();
    await server.core.sync.writeTask({ kind: "patch", id: "weekly-report", actor: actor("token", "ci-deploy", null), patch: (task) => ({ ...task, enabled: false }) });
    await server.git.idle();
    expect(await log(bare, "main", 2)).toEqual(["token ci-deploy <schedule-sync@localhost>|dashboard: weekly-report enabled", "alice <schedule-sync@localhost>|dashboard: nightly-pg-dump command"]);
    expect((await gitOk(bare, ["log", "-2", "--format=%cn", "main"])).trim().split("\n")).toEqual(["schedule-sync (admin token)", "schedule-sync (admin token)"]);
    await stop(server);
  });

  it("a hand edit in the work tree is committed as such before the server writes over it", async () => {
    const dir = await tempDir();
    const { bare } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`);
    const text = await readFile(server.file, "utf8");
    await import("node:fs/promises").then((fs) => fs.writeFile(server.file, text.replace("Weekly report", "Weekly report (hand)")));
    // The API write comes before the watcher would have synced the hand edit.
    await server.core.sync.writeTask({ kind: "patch", id: "nightly-pg-dump", patch: (task) => ({ ...task, enabled: false }) });
    await server.git.idle();
    const lines = await log(bare, "main", 3);
    expect(lines[0]).toBe(`${AUTHOR}|dashboard: nightly-pg-dump enabled`);
    expect(lines[1]).toBe(`${AUTHOR}|hand edit: weekly-report name`);
    await stop(server);
  });

  it("a hand edit the watcher syncs is committed as a hand edit", async () => {
    const dir = await tempDir();
    const { bare } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`);
    const fs = await import("node:fs/promises");
    await fs.writeFile(server.file, (await readFile(server.file, "utf8")).replace('"0 9 * * 1"', '"30 9 * * 1"'));
    await server.core.sync.run({ trigger: "watch" });
    await server.git.idle();
    expect((await log(bare, "main", 1))[0]).toBe(`${AUTHOR}|hand edit: weekly-report schedule`);
    expect(await dbTask(server, "weekly-report")).toMatchObject({ schedule: "30 9 * * 1" });
    await stop(server);
  });

  it("an edit in progress that does not parse is neither committed nor merged over", async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`);
    const fs = await import("node:fs/promises");
    const broken = (await readFile(server.file, "utf8")).replace("    name: Weekly report\n", "    name: [unfinished\n");
    await fs.writeFile(server.file, broken);
    await developerPushes(dev, (text) => appended(text, "from-dev"), "add from-dev");
    await server.git.pull("webhook");
    expect(await readFile(server.file, "utf8")).toBe(broken);
    expect((await server.git.status()).lastMerge?.error).toMatch(/holds an edit that does not parse yet/);
    expect((await log(bare, "main", 1))[0]).toBe("Dev <dev@example.test>|add from-dev");
    // Fixed: the edit is committed as such, then the remote merged.
    await fs.writeFile(server.file, broken.replace("name: [unfinished", "name: Finished"));
    await server.git.pull("manual");
    await server.git.idle();
    const lines = await log(bare, "main", 3);
    expect(lines[0]).toBe(`${AUTHOR}|merge origin/main per task`);
    expect(lines.slice(1)).toContain(`${AUTHOR}|hand edit: weekly-report name`);
    expect(await dbTask(server, "from-dev")).toMatchObject({ command: "from-dev.sh" });
    await stop(server);
  });

  it("a merge the server began and never committed (it stopped in between) is aborted at the next start and done again", async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const first = await start(dir, `file://${bare}`);
    await stop(first);
    await developerPushes(dev, (text) => appended(text, "from-dev"), "add from-dev");
    // What a crash leaves: the server's marker, and git half way through the merge.
    const root = first.root;
    await gitOk(root, ["fetch", "-q", "origin"]);
    await gitOk(root, ["merge", "-q", "--no-ff", "--no-commit", "origin/main"]);
    await writeFile(path.join(root, ".git", "schedule-sync-merge"), "refs/remotes/origin/main");
    const second = await start(dir, `file://${bare}`, {}, { restart: true });
    expect((await gitOk(root, ["rev-parse", "-q", "--verify", "MERGE_HEAD"]).catch(() => "")).trim()).toBe("");
    expect(await dbTask(second, "from-dev")).toMatchObject({ command: "from-dev.sh" });
    await second.core.sync.writeTask({ kind: "patch", id: "weekly-report", patch: (task) => ({ ...task, name: "After the crash" }) });
    await second.git.idle();
    expect((await log(bare, "main", 1))[0]).toBe(`${AUTHOR}|dashboard: weekly-report name`);
    expect((await gitOk(root, ["status", "--porcelain"])).trim()).toBe("");
    await stop(second);
  });

  it("someone else's unfinished merge in the work tree is left to them", async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const first = await start(dir, `file://${bare}`);
    await stop(first);
    await developerPushes(dev, (text) => text.replace("report.sh", "report.sh --all"), "all reports");
    await gitOk(first.root, ["fetch", "-q", "origin"]);
    await gitOk(first.root, ["merge", "-q", "--no-ff", "--no-commit", "origin/main"]);
    const second = await start(dir, `file://${bare}`, {}, { restart: true });
    expect((await gitOk(first.root, ["rev-parse", "-q", "--verify", "MERGE_HEAD"])).trim()).not.toBe("");
    await stop(second);
  });

  it("commits made while the remote was away are pushed by the next start", async () => {
    const dir = await tempDir();
    const { bare } = await remoteWithDeveloper(dir);
    const first = await start(dir, `file://${bare}`);
    await rename(bare, `${bare}.away`);
    await first.core.sync.writeTask({ kind: "patch", id: "weekly-report", patch: (task) => ({ ...task, name: "Offline edit" }) });
    await first.git.idle();
    expect((await first.git.status()).ahead).toBe(1);
    await stop(first);
    await rename(`${bare}.away`, bare);
    // The same DATA_DIR: the clone is reused, its unpushed commit goes out at start.
    const second = await start(dir, `file://${bare}`, {}, { restart: true });
    expect((await log(bare, "main", 1))[0]).toBe(`${AUTHOR}|dashboard: weekly-report name`);
    expect(await second.git.status()).toMatchObject({ ahead: 0, behind: 0 });
    await stop(second);
  });

  it("rounds of developer pushes and dashboard writes of different tasks: nothing lost, all three sides equal", async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`);
    for (let round = 0; round < 4; round++) {
      await developerPushes(dev, (text) => appended(text, `dev-${round}`), `dev round ${round}`);
      const writes = [
        server.core.sync.writeTask({ kind: "create", task: { id: `dash-${round}`, name: `Dash ${round}`, schedule: "0 5 * * *", timezone: "UTC", command: "d.sh", enabled: true, description: null, tags: [] } }),
        server.git.pull(round % 2 === 0 ? "webhook" : "interval"),
      ];
      await Promise.all(writes);
      // The developer pulls the server's pushes before their next push (their own race, not the server's).
      await server.git.idle();
    }
    await server.git.idle();
    await server.git.pull("manual");
    await server.git.idle();
    const ids = ["nightly-pg-dump", "weekly-report", ...[0, 1, 2, 3].flatMap((r) => [`dev-${r}`, `dash-${r}`])].sort();
    const tasksOf = (text: string) => {
      const parsed = parseSchedule(text);
      if (!parsed.ok) throw new Error(`must parse: ${parsed.issues[0]?.message}`);
      return parsed.tasks;
    };
    const remote = tasksOf(await gitOk(bare, ["show", `main:${FILE}`]));
    const local = tasksOf(await readFile(server.file, "utf8"));
    const db = new Map([...(await server.core.storage.reads.loadTasks())].map(([id, row]) => [id, row]));
    expect([...remote.keys()].sort()).toEqual(ids);
    expect([...local.keys()].sort()).toEqual(ids);
    expect([...db.keys()].sort()).toEqual(ids);
    expect(await server.core.storage.reads.countOpenConflicts()).toBe(0);
    expect(await server.git.status()).toMatchObject({ ahead: 0, behind: 0 });
    await stop(server);
  });

  it("a developer's push of another task while the dashboard edits one: both in HEAD, the DB and the remote, no conflict", async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`);
    await developerPushes(dev, (text) => appended(text, "from-dev"), "add from-dev");
    // The server's push is rejected (the remote moved): it fetches, merges per task, pushes.
    await server.core.sync.writeTask({ kind: "patch", id: "weekly-report", patch: (task) => ({ ...task, schedule: "0 8 * * 1" }) });
    await server.git.idle();

    expect(await dbTask(server, "from-dev")).toMatchObject({ command: "from-dev.sh" });
    expect(await server.core.storage.reads.countOpenConflicts()).toBe(0);
    for (const text of [await readFile(server.file, "utf8"), await gitOk(bare, ["show", `main:${FILE}`])]) {
      const parsed = parseSchedule(text);
      if (!parsed.ok) throw new Error("must parse");
      expect(parsed.tasks.get("weekly-report")?.schedule).toBe("0 8 * * 1");
      expect(parsed.tasks.has("from-dev")).toBe(true);
    }
    expect((await log(bare, "main", 1))[0]).toBe(`${AUTHOR}|merge origin/main per task`);
    expect(await server.git.status()).toMatchObject({ ahead: 0, behind: 0, lastMerge: { error: null, conflicts: 0 } });

    // A later developer push arrives by fetch (the webhook's path) and reaches the DB in the same run.
    await developerPushes(dev, (text) => text.replace("pg_dump app", "pg_dump --jobs=4 app"), "faster dump");
    await server.git.pull("webhook");
    expect(await dbTask(server, "nightly-pg-dump")).toMatchObject({ command: "pg_dump --jobs=4 app" });
    // History names the developer whose commit brought the change, not the admin token.
    const [change] = await server.core.storage.reads.taskHistory("nightly-pg-dump", 1);
    const pushed = (await gitOk(bare, ["log", "-1", "--format=%H", "main"])).trim();
    expect(change).toMatchObject({ trigger: "git", actor: { kind: "git", name: "Dev", id: pushed } });
    expect(actorLabel(change!.actor, change!.trigger)).toBe("Dev through git");
    await stop(server);
  });

  it("the same field changed on both sides is a dashboard conflict from git; resolving it is a commit", async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    let server = await start(dir, `file://${bare}`);
    await developerPushes(dev, (text) => text.replace("report.sh", "report.sh --pdf"), "pdf report");
    const write = await server.core.sync.writeTask({ kind: "patch", id: "weekly-report", patch: (task) => ({ ...task, command: "report.sh --html" }) });
    expect(write.conflict).toBeNull();
    await server.git.idle();

    const open = [...(await server.core.storage.reads.loadOpenConflicts()).values()];
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ taskId: "weekly-report", kind: "both_modified", yaml: { command: "report.sh --pdf" }, db: { command: "report.sh --html" }, fields: ["command"] });
    const status = await server.git.status();
    expect(status.conflictsFromGit).toMatchObject([{ taskId: "weekly-report", author: "Dev", subject: "pdf report" }]);
    expect(status.conflictsFromGit[0]!.commit).toBe((await gitOk(dev, ["rev-parse", "HEAD"])).trim());
    // The DB kept the dashboard's value; the file (and the remote) hold the developer's until someone decides.
    expect(await dbTask(server, "weekly-report")).toMatchObject({ command: "report.sh --html" });

    // A restart keeps the conflict and where it came from.
    await stop(server);
    server = await start(dir, `file://${bare}`, {}, { restart: true });
    expect((await server.git.status()).conflictsFromGit).toMatchObject([{ taskId: "weekly-report", author: "Dev" }]);

    await server.core.sync.resolveConflict(open[0]!.id, "keep_db");
    await server.git.idle();
    expect((await log(bare, "main", 1))[0]).toBe(`${AUTHOR}|resolve conflict weekly-report keep_db; dashboard: weekly-report command`);
    expect(await gitOk(bare, ["show", `main:${FILE}`])).toContain("command: report.sh --html");
    expect((await server.git.status()).conflictsFromGit).toEqual([]);
    await stop(server);
  });

  it("an unreachable remote keeps the commits here and pushes them later; none is lost, nothing forced", async () => {
    const dir = await tempDir();
    const { bare } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`);
    await rename(bare, `${bare}.away`);
    await server.core.sync.writeTask({ kind: "patch", id: "nightly-pg-dump", patch: (task) => ({ ...task, name: "Dump 1" }) });
    await server.core.sync.writeTask({ kind: "patch", id: "weekly-report", patch: (task) => ({ ...task, name: "Report 2" }) });
    await server.git.idle();
    const status = await server.git.status();
    expect(status.lastPush?.error).toMatch(/does not appear to be a git repository|Could not read|not found/i);
    expect(status.retryAt).not.toBeNull();
    expect(status.ahead).toBe(2);

    // Back: the retry with backoff pushes by itself (the first retries come 1, 2, 4 s after the failures).
    await rename(`${bare}.away`, bare);
    const deadline = Date.now() + 20_000;
    while ((await server.git.status()).ahead !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await log(bare, "main", 2)).map((line) => line.split("|")[1])).toEqual(["dashboard: weekly-report name", "dashboard: nightly-pg-dump name"]);
    expect(await server.git.status()).toMatchObject({ ahead: 0, lastPush: { error: null }, retryAt: null });
    await stop(server);
  });

  it("GIT_PULL=rebase: the local commits are replayed per task on top of the remote; history stays linear", async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`, { GIT_PULL: "rebase" });
    await developerPushes(dev, (text) => appended(text, "from-dev").replace("report.sh", "report.sh --pdf"), "add from-dev, pdf report");
    await server.core.sync.writeTask({ kind: "patch", id: "nightly-pg-dump", patch: (task) => ({ ...task, enabled: false }) });
    await server.core.sync.writeTask({ kind: "patch", id: "weekly-report", patch: (task) => ({ ...task, command: "report.sh --html" }) });
    await server.git.idle();

    expect((await gitOk(bare, ["rev-list", "--merges", "main"])).trim()).toBe("");
    expect((await log(bare, "main", 4)).map((line) => line.split("|")[1])).toEqual([
      "dashboard: weekly-report command",
      "dashboard: nightly-pg-dump enabled",
      "add from-dev, pdf report",
      "the schedule",
    ]);
    expect(await dbTask(server, "from-dev")).toMatchObject({ command: "from-dev.sh" });
    expect(await dbTask(server, "nightly-pg-dump")).toMatchObject({ enabled: false });
    // The same field on both sides: the file keeps the remote's value, the DB ours, a conflict from git.
    const open = [...(await server.core.storage.reads.loadOpenConflicts()).values()];
    expect(open).toMatchObject([{ taskId: "weekly-report", kind: "both_modified", yaml: { command: "report.sh --pdf" }, db: { command: "report.sh --html" } }]);
    expect((await server.git.status()).conflictsFromGit).toMatchObject([{ taskId: "weekly-report", author: "Dev" }]);
    await stop(server);
  });

  it("pushes to a side branch for review (GIT_PUSH_BRANCH) and follows the main branch", async () => {
    const dir = await tempDir();
    const { bare } = await remoteWithDeveloper(dir);
    const server = await start(dir, `file://${bare}`, { GIT_PUSH_BRANCH: "schedule-sync/dashboard" });
    await server.core.sync.writeTask({ kind: "patch", id: "nightly-pg-dump", patch: (task) => ({ ...task, enabled: false }) });
    await server.git.idle();
    expect((await log(bare, "schedule-sync/dashboard", 1))[0]).toBe(`${AUTHOR}|dashboard: nightly-pg-dump enabled`);
    expect((await log(bare, "main", 1))[0]).toBe("Dev <dev@example.test>|the schedule");
    await stop(server);
  });

  describe("over git daemon on 127.0.0.1", () => {
    let daemon: ChildProcess | null = null;
    afterAll(() => {
      daemon?.kill();
    });

    it("pulls a developer's push by polling and by the webhook's fetch; prints the times", async () => {
      const dir = await tempDir();
      const { bare, dev } = await remoteWithDeveloper(dir);
      const port = await freePort();
      daemon = spawn("git", ["daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", `--base-path=${dir}`, "--listen=127.0.0.1", `--port=${port}`, dir], {
        env: { ...GIT_ENV, NODE_ENV: "test" },
        stdio: "ignore",
      });
      await waitForPort(port);
      await gitOk(dev, ["remote", "set-url", "origin", `git://127.0.0.1:${port}/${path.basename(bare)}`]);
      const server = await start(dir, `git://127.0.0.1:${port}/${path.basename(bare)}`, { GIT_FETCH_INTERVAL: "0.25" });

      // Polling: the developer pushes, the interval fetch merges and syncs.
      const pushed = Date.now();
      const updated = new Promise<number>((resolve) => {
        const off = server.core.events.subscribe("schedule_config_updated", (payload) => {
          if (payload.changedTaskIds.includes("polled")) {
            off();
            resolve(Date.now());
          }
        });
      });
      await developerPushes(dev, (text) => appended(text, "polled"), "add polled");
      const eventAt = await updated;
      expect(await dbTask(server, "polled")).toMatchObject({ command: "polled.sh" });
      console.log(`[figure] git daemon, polling every 250 ms: push -> DB and socket event in ${eventAt - pushed} ms (including the developer's pull+commit+push)`);

      // The webhook's path: fetch at once after the push.
      await developerPushes(dev, (text) => appended(text, "hooked"), "add hooked");
      const hookAt = Date.now();
      await server.git.pull("webhook");
      expect(await dbTask(server, "hooked")).toMatchObject({ command: "hooked.sh" });
      console.log(`[figure] git daemon, webhook fetch: received -> DB in ${Date.now() - hookAt} ms`);

      // And the dashboard's write goes back over the daemon.
      await server.core.sync.writeTask({ kind: "patch", id: "hooked", patch: (task) => ({ ...task, enabled: false }) });
      await server.git.idle();
      expect((await log(bare, "main", 1))[0]).toBe(`${AUTHOR}|dashboard: hooked enabled`);
      await stop(server);
    });
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`git daemon did not listen on ${port}`);
}
