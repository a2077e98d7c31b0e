import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { startAppProcess, TEST_TOKEN, type AppProcess } from "../_support/app-process";
import { runCli } from "../cli/_cli";
import { connectRecordingSocket, type RecordingSocket } from "../_support/socket-client";
import { appended, developerPushes, remoteWithDeveloper } from "./_git-sync";
import { useTempDir } from "./_git";

const SECRET = "webhook-secret-0123456789";

describe("git mode in the real server: the webhook and polling bring a developer's push to the DB and the browsers", () => {
  const tempDir = useTempDir();
  const apps: AppProcess[] = [];
  const sockets: RecordingSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const app of apps.splice(0)) await app.dispose();
  });
  const start = async (bare: string, env: Record<string, string>) => {
    const app = await startAppProcess({ db: "pglite", env: { GIT_SYNC: "on", GIT_REMOTE: `file://${bare}`, GIT_PUSH: "on", GIT_WEBHOOK_SECRET: SECRET, ...env } });
    apps.push(app);
    const socket = await connectRecordingSocket(app.url);
    sockets.push(socket);
    return { app, socket };
  };
  const hook = (app: AppProcess, headers: Record<string, string>, body: string) =>
    fetch(`${app.url}/api/git/webhook`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const github = (body: string, secret = SECRET) => ({ "x-github-event": "push", "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` });

  it("GitHub and GitLab push events (shared secret) fetch at once; a wrong secret is refused; status shows the branch", { timeout: 90_000 }, async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const { app, socket } = await start(bare, { GIT_FETCH_INTERVAL: "0" });
    const body = JSON.stringify({ ref: "refs/heads/main" });

    expect((await hook(app, github(body, "another-secret-0123456789"), body)).status).toBe(401);
    expect((await hook(app, {}, body)).status).toBe(401);

    await developerPushes(dev, (text) => appended(text, "from-github"), "add from-github");
    const sent = Date.now();
    const answer = await hook(app, github(body), body);
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ accepted: true, provider: "github" });
    await socket.next("schedule_config_updated", (p) => p.changedTaskIds.includes("from-github"), 30_000, sent);
    const viaGithub = Date.now() - sent;
    expect(await (await app.api("/api/tasks/from-github")).json()).toMatchObject({ command: "from-github.sh" });

    await developerPushes(dev, (text) => appended(text, "from-gitlab"), "add from-gitlab");
    const sent2 = Date.now();
    const gitlab = await hook(app, { "x-gitlab-event": "Push Hook", "x-gitlab-token": SECRET }, body);
    expect(gitlab.status).toBe(202);
    await socket.next("schedule_config_updated", (p) => p.changedTaskIds.includes("from-gitlab"), 30_000, sent2);
    const viaGitlab = Date.now() - sent2;

    const other = JSON.stringify({ ref: "refs/heads/feature" });
    expect(await (await hook(app, github(other), other)).json()).toMatchObject({ accepted: false, reason: "not a push to main" });
    const status = await (await app.api("/api/git/status")).json();
    expect(status).toMatchObject({ enabled: true, branch: "main", ahead: 0, behind: 0, lastFetch: { error: null } });
    const sync = await (await app.api("/api/sync/status")).json();
    expect(sync.git).toMatchObject({ branch: "main", ahead: 0, behind: 0, error: null, head: status.head });
    const cli = await runCli(["status", "--url", app.url], { env: { ADMIN_TOKEN: TEST_TOKEN }, cwd: app.dir });
    expect(cli.stdout).toContain(`  git:            main at ${status.head.slice(0, 8)}, 0 ahead, 0 behind\n`);
    const dashboard = (await (await app.api("/")).text()).replaceAll("<!-- -->", "");
    expect(dashboard).toContain(`data-testid="git-status"`);
    expect(dashboard).toContain(`main @ ${status.head.slice(0, 7)}`);
    console.log(`[figure] real server, webhook: POST -> socket event ${viaGithub} ms (GitHub), ${viaGitlab} ms (GitLab)`);
  });

  it("a clash with a developer's push shows in the dashboard as a conflict from git, with its author and commit", { timeout: 90_000 }, async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const { app, socket } = await start(bare, { GIT_FETCH_INTERVAL: "0" });
    await developerPushes(dev, (text) => text.replace("report.sh", "report.sh --pdf"), "pdf report");
    const since = Date.now();
    const patched = await app.api("/api/tasks/weekly-report", { method: "PATCH", json: { command: "report.sh --html" } });
    expect(patched.status).toBe(200);
    // The server's push is rejected; it fetches, merges per task, and the clash becomes a conflict.
    const detected = await socket.next("sync_conflict_detected", (p) => p.conflict.taskId === "weekly-report", 30_000, since);
    const detail = await (await app.api(`/api/sync/conflicts/${detected.conflict.id}`)).json();
    const sha = (await import("./_git").then(({ gitOk }) => gitOk(dev, ["rev-parse", "HEAD"]))).trim();
    expect(detail).toMatchObject({ status: "open", yaml: { command: "report.sh --pdf" }, db: { command: "report.sh --html" }, fromGit: { author: "Dev", commit: sha, subject: "pdf report" } });
    const page = (await (await app.api(`/conflicts/${detected.conflict.id}`)).text()).replaceAll("<!-- -->", "");
    expect(page).toContain(`from git: Dev, <span class="font-mono">${sha.slice(0, 10)}</span>`);
  });

  it("polling (GIT_FETCH_INTERVAL) brings a push without any webhook", { timeout: 90_000 }, async () => {
    const dir = await tempDir();
    const { bare, dev } = await remoteWithDeveloper(dir);
    const { app, socket } = await start(bare, { GIT_FETCH_INTERVAL: "1" });
    await developerPushes(dev, (text) => appended(text, "polled"), "add polled");
    const pushed = Date.now();
    await socket.next("schedule_config_updated", (p) => p.changedTaskIds.includes("polled"), 30_000, pushed);
    const took = Date.now() - pushed;
    expect(took).toBeLessThan(10_000);
    expect(await (await app.api("/api/tasks/polled")).json()).toMatchObject({ command: "polled.sh" });
    console.log(`[figure] real server, polling every 1 s: push -> socket event ${took} ms`);
  });
});
