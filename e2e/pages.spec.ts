import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "@playwright/test";
import { parseDocument } from "yaml";
import { startAppServer, E2E_TOKEN } from "./_support/app-server";
import { SEED_YAML, editYaml, expect, snap, test } from "./_support/fixtures";

// A server of its own with the watcher off, so a hand edit plus an API write opens a conflict.
test.use({ serverEnv: { SYNC_WATCH: "off", SYNC_DEBOUNCE_MS: "70" } });

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is (the script is a devDependency: nothing is downloaded). */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
  // govern: a <script> tag would be an inline script the policy (rightly) blocks.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  return violations;
}

/** Screenshots at both sizes, then axe in light and in dark mode. */
async function check(page: Page, name: string): Promise<void> {
  await snap(page, name);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect.soft(await seriousViolations(page), `${name} in ${colorScheme} mode`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "dark" });
  await snap(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: "light" });
}

test("every page: screenshots at 1440×900 and 390×844, no serious axe violations in light or dark mode", async ({ page, login, server }) => {
  test.setTimeout(240_000);
  // One open conflict and one sync run with changes, so those pages have something to show.
  await editYaml(server, (doc) => doc.setIn(["tasks", "send-digest", "schedule"], "0 9 * * 1-5"));
  const write = await server.api<{ conflict: { id: string } | null; runId: string }>("/api/tasks/send-digest", { method: "PATCH", json: { schedule: "0 7 * * 1-5" } });
  expect(write.body.conflict).not.toBeNull();
  // A conflict from a copy of the file saved before two dashboard edits: its page names the
  // revision the file started from, which has a page of its own.
  const stale = await server.readYaml();
  // (Not daily-backup: its task page is checked below with the history it has.)
  await server.api("/api/tasks/rotate-logs", { method: "PATCH", json: { command: "logrotate -f /etc/logrotate.conf" } });
  await server.api("/api/tasks/warm-cache", { method: "PATCH", json: { name: "Warm the cache" } });
  const staleDoc = parseDocument(stale);
  staleDoc.setIn(["tasks", "rotate-logs", "command"], "logrotate -v /etc/logrotate.conf");
  await server.writeYaml(staleDoc.toString());
  expect((await server.api("/api/sync/trigger", { json: {} })).status).toBe(200);

  await login();
  await check(page, "page-dashboard");
  await page.goto("/schedule?from=2027-03-26&tz=Europe/Berlin");
  await check(page, "page-schedule");
  await page.goto("/schedule?range=24h&tz=Europe/Berlin");
  await check(page, "page-schedule-24h");
  await page.goto("/conflicts");
  await check(page, "page-conflicts");
  await page.goto(`/conflicts/${write.body.conflict!.id}`);
  await check(page, "page-conflict");
  await page.goto("/history");
  await check(page, "page-history");
  await page.goto(`/history/${write.body.runId}`);
  await check(page, "page-run");
  const conflicts = await server.api<{ items: { id: string; taskId: string }[] }>("/api/sync/conflicts?status=open");
  const baseConflict = conflicts.body.items.find((c) => c.taskId === "rotate-logs");
  expect(baseConflict, "the stale copy's conflict").toBeDefined();
  await page.goto(`/conflicts/${baseConflict!.id}`);
  await expect(page.getByTestId("conflict-base-revision")).toBeVisible();
  await check(page, "page-conflict-base-revision");
  await page.getByTestId("conflict-base-revision").getByRole("link").click();
  await expect(page.getByRole("button", { name: "Restore this revision…" })).toBeVisible();
  await check(page, "page-revision");
  await page.goto("/tasks/daily-backup");
  await check(page, "page-task");
  await page.goto("/tasks/new");
  await check(page, "page-task-new");
  await page.goto("/nope");
  await check(page, "page-404");
  await page.context().clearCookies();
  await page.goto("/login");
  await check(page, "page-login");
});

test("/nope gets the app's own 404 page, not the framework's bare one", async ({ page, login }) => {
  await login();
  const res = await page.goto("/nope");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(page.getByText("schedule-sync")).toBeVisible();
  await page.getByRole("link", { name: "Tasks" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
});

test("the task page shows the task's YAML with its comments, file:line and a copy button", async ({ page, login, context, server }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  // Written by hand at the end of the file (the seed ends inside tasks:), then synced (the watcher is off here).
  const before = (await server.readYaml()).replace(/\n*$/, "\n");
  const line = before.split("\n").length; // the key's line: after the file and the comment line
  const block = `  # how to copy\n  copied-task:                  # comment on the key\n    name: Copied task\n    schedule: "0 3 * * *"   # at three\n    command: /opt/copy.sh\n`;
  await server.writeYaml(`${before}${block}`);
  expect((await server.api("/api/sync/trigger", { json: {} })).status).toBe(200);
  await login();
  await page.goto("/tasks/copied-task");
  await expect(page.getByTestId("yaml-location")).toHaveText(new RegExp(`schedule_config\\.yml:${line + 1}$`));
  const expected = `# how to copy\ncopied-task:                  # comment on the key\n  name: Copied task\n  schedule: "0 3 * * *"   # at three\n  command: /opt/copy.sh\n`;
  await expect(page.getByTestId("yaml-source")).toHaveText(expected);
  await page.getByRole("button", { name: "Copy YAML" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected);
});

test("an invalid file's banner shows the lines around the error with a caret under the column", async ({ page, login, server }) => {
  await login();
  const good = await server.readYaml();
  await server.writeYaml(`version: 1
tasks:
  ok-task:
    name: OK
    schedule: "0 1 * * *"
    command: /bin/true
  bad-cron:
    name: Bad
    schedule: "61 * * * *"
    command: /bin/true
`);
  // The watcher is off here: a sync reads the file (and answers 409: the file is invalid).
  expect((await server.api("/api/sync/trigger", { json: {} })).status).toBe(409);
  await page.reload();
  const frame = page.getByTestId("code-frame");
  await expect(frame).toBeVisible();
  const text = await frame.innerText();
  expect(text).toContain('>  9 |     schedule: "61 * * * *"');
  // The caret sits under column 15, where the value starts.
  const lines = text.split("\n");
  const target = lines.findIndex((l) => l.startsWith(">  9 |"));
  expect(lines[target + 1]).toBe(`     | ${" ".repeat(14)}^`);
  await expect(page.getByTestId("yaml-error")).toContainText("minute 61 is out of range 0–59");
  await snap(page, "banner-code-frame");
  await server.writeYaml(good);
  expect((await server.api("/api/sync/trigger", { json: {} })).status).toBe(200);
});

test("with the server down, a banner says so, actions are disabled and a nav click stays on the page", async ({ page }) => {
  const own = await startAppServer({ yaml: SEED_YAML });
  try {
    await page.goto(`${own.url}/login?token=${E2E_TOKEN}`);
    await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
    await expect(page.locator("[data-connection]")).toHaveAttribute("data-connection", "connected");
    await page.waitForLoadState("networkidle");
    await own.stop();

    const banner = page.getByTestId("server-unreachable");
    await expect(banner).toBeVisible({ timeout: 30_000 });
    await expect(banner).toContainText("Server unreachable");
    await expect(page.getByTestId("sync-now")).toBeDisabled();
    await expect(page.getByLabel("Search", { exact: true })).toBeDisabled();

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "History" }).click();
    await expect(banner).toContainText("The page you clicked (/history) opens once the server is back");
    // Still the app's page, not the browser's "This site can't be reached".
    await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
    expect(new URL(page.url()).pathname).toBe("/");
    await snap(page, "server-unreachable");
  } finally {
    await own.stop();
  }
});
