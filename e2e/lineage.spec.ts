import type { Page } from "@playwright/test";
import { parseDocument } from "yaml";
import type { AppServer } from "./_support/app-server";
import { apiTask, expect, test, yamlTasks } from "./_support/fixtures";

/**
 * File lineage (issue #17) in the browser: a file saved from a copy older than a dashboard edit
 * never reverts it, a clash with it is a conflict that names the revision the file started
 * from, and a revision can be restored on purpose. The file watcher is on (the default): the
 * stale copy is written straight to disk, as an editor's buffer would be saved, and the pages
 * follow over Socket.IO. The tests share one server and each uses its own tasks.
 */

interface StatusJson {
  state: string;
  pending: number | null;
}

interface RevisionJson {
  id: string;
  source: string;
}

/** Waits until the server has synced everything it saw: idle, and no task differs outside conflicts. */
async function settled(server: AppServer): Promise<void> {
  await expect
    .poll(async () => {
      const { body } = await server.api<StatusJson>("/api/sync/status");
      return `${body.state}/${body.pending}`;
    })
    .toBe("idle/0");
}

async function latestRevision(server: AppServer): Promise<RevisionJson> {
  const { body } = await server.api<{ items: RevisionJson[] }>("/api/sync/revisions?limit=1");
  return body.items[0]!;
}

/** The file as it is now, to save later as a stale buffer would be; after any pending sync. */
async function staleCopy(server: AppServer): Promise<string> {
  await settled(server);
  return server.readYaml();
}

/** Saves `text` with one field of one task changed: an editor's stale buffer, saved. */
async function saveEdited(server: AppServer, text: string, id: string, field: string, value: unknown): Promise<void> {
  const doc = parseDocument(text);
  doc.setIn(["tasks", id, field], value);
  await server.writeYaml(doc.toString());
}

/** Changes one field of a task in the dashboard's form and waits for the server's write of the file. */
async function dashboardEdit(page: Page, server: AppServer, id: string, label: string, field: string, value: string): Promise<void> {
  await page.goto(`/tasks/${id}`);
  await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved", { exact: true })).toBeVisible();
  await expect.poll(async () => (await yamlTasks(server))[id]?.[field]).toBe(value);
}

const row = (page: Page, id: string) => page.locator(`tr[data-task-id="${id}"]`);

test("a file saved from before a dashboard edit keeps the edit, takes its own change, and says so", async ({ page, login, server }) => {
  await login();
  const stale = await staleCopy(server);
  await dashboardEdit(page, server, "daily-backup", "Command", "command", "/opt/scripts/backup.sh --incremental");

  await page.goto("/");
  await expect(row(page, "daily-backup")).toContainText("/opt/scripts/backup.sh --incremental");
  // The editor's buffer, opened before the dashboard edit, saved with a change to another task.
  await saveEdited(server, stale, "weekly-report", "name", "Weekly KPI report");

  // The page follows the sync over Socket.IO: no reload.
  const notice = page.getByTestId("lineage-notice");
  await expect(notice).toContainText("1 task in it was older and kept the newer value: daily-backup");
  await expect(notice.getByRole("link", { name: "daily-backup" })).toHaveAttribute("href", "/tasks/daily-backup");
  await expect(row(page, "weekly-report")).toContainText("Weekly KPI report");
  await expect(row(page, "daily-backup")).toContainText("/opt/scripts/backup.sh --incremental");

  expect((await apiTask(server, "daily-backup")).command).toBe("/opt/scripts/backup.sh --incremental");
  expect((await apiTask(server, "weekly-report")).name).toBe("Weekly KPI report");
  await settled(server);
  const file = await yamlTasks(server);
  expect(file["daily-backup"].command).toBe("/opt/scripts/backup.sh --incremental");
  expect(file["weekly-report"].name).toBe("Weekly KPI report");
});

test("the same field changed in the stale copy is a conflict whose base is the revision the file started from", async ({ page, login, server }) => {
  await login();
  const stale = await staleCopy(server);
  const startedFrom = await latestRevision(server);
  await dashboardEdit(page, server, "rotate-logs", "Command", "command", "logrotate -f /etc/logrotate.conf");
  // A second dashboard edit the copy lacks: that is what shows the copy is old, rather than a
  // fresh hand edit of the latest file.
  await dashboardEdit(page, server, "send-digest", "Name", "name", "Send the daily digest");

  await page.goto("/");
  await saveEdited(server, stale, "rotate-logs", "command", "logrotate -v /etc/logrotate.conf");
  const conflictLink = row(page, "rotate-logs").getByRole("link", { name: /Conflict/ });
  await expect(conflictLink).toBeVisible();
  // The other task the copy held older kept the dashboard's value.
  await expect(row(page, "send-digest")).toContainText("Send the daily digest");

  await conflictLink.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Conflict on rotate-logs");
  const line = page.getByTestId("conflict-base-revision");
  await expect(line).toContainText(`The file was saved from revision ${startedFrom.id.slice(0, 8)}`);
  await expect(line).toContainText("2 writes old");
  await expect(line).toContainText("its base column shows the task as it was there");
  const sides = page.getByTestId("conflict-sides");
  await expect(sides.getByRole("columnheader", { name: `Base (the file's revision ${startedFrom.id.slice(0, 8)})` })).toBeVisible();
  const differs = sides.locator("tr[data-differs]");
  await expect(differs).toHaveCount(1);
  // Base: the task as the file's revision held it (the seed); then the file's and the dashboard's.
  await expect(differs).toContainText("logrotate /etc/logrotate.conf");
  await expect(differs).toContainText("logrotate -v /etc/logrotate.conf");
  await expect(differs).toContainText("logrotate -f /etc/logrotate.conf");

  const id = new URL(page.url()).pathname.split("/").pop()!;
  const { body } = await server.api<{ baseRevision: { id: string; behind: number; source: string } | null; base: { command: string } }>(`/api/sync/conflicts/${id}`);
  expect(body).toMatchObject({ baseRevision: { id: startedFrom.id, behind: 2, source: startedFrom.source }, base: { command: "logrotate /etc/logrotate.conf" } });

  await line.getByRole("link", { name: startedFrom.id.slice(0, 8) }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`File revision ${startedFrom.id.slice(0, 8)}`);

  // Leave the shared server with nothing open: keep the dashboard's value.
  await page.goto(`/conflicts/${id}`);
  await page.getByTestId("keep_db").click();
  await expect(page.getByTestId("resolve-outcome")).toContainText("Resolved: Kept DB");
  expect((await yamlTasks(server))["rotate-logs"].command).toBe("logrotate -f /etc/logrotate.conf");
});

test("restoring a file revision shows its plan first, then writes both sides and is recorded", async ({ page, login, server }) => {
  await login();
  // A task of its own: the specs before this one share the server and change the seed's tasks.
  const created = await server.api("/api/tasks", { method: "POST", json: { id: "restore-me", name: "Restore me", schedule: "*/30 * * * *", command: "/opt/scripts/restore-me.sh" } });
  expect(created.status).toBe(201);
  await settled(server);
  const before = await latestRevision(server);
  const original = (await apiTask(server, "restore-me")).command;
  await dashboardEdit(page, server, "restore-me", "Command", "command", "/opt/scripts/restore-me.sh --all");
  await settled(server);

  await page.goto("/history");
  await page.getByRole("link", { name: new RegExp(`${before.id.slice(0, 8)}$`) }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`File revision ${before.id.slice(0, 8)}`);
  await page.getByRole("button", { name: "Restore this revision…" }).click();
  // The dry run: a plan, nothing written yet.
  await expect(page.getByTestId("restore-plan")).toHaveText("update restore-me");
  expect((await apiTask(server, "restore-me")).command).toBe("/opt/scripts/restore-me.sh --all");
  expect((await yamlTasks(server))["restore-me"].command).toBe("/opt/scripts/restore-me.sh --all");

  await page.getByRole("button", { name: "Restore these tasks" }).click();
  await expect(page.getByTestId("restore-done")).toContainText("1 task(s) restored on both sides");
  expect((await yamlTasks(server))["restore-me"].command).toBe(original);
  expect((await apiTask(server, "restore-me")).command).toBe(original);

  await page.goto("/");
  await expect(row(page, "restore-me")).toContainText(original);

  // History: a restore run, and the file's newest revision is the restore's.
  await page.goto("/history");
  const runs = page.getByRole("table").filter({ hasText: "Trigger" });
  await expect(runs.getByRole("row").nth(1)).toContainText("Restore of a file revision");
  const latest = await latestRevision(server);
  expect(latest.source).toBe("restore");
  await expect(page.getByRole("link", { name: new RegExp(`${latest.id.slice(0, 8)}$`) }).locator("xpath=ancestor::tr")).toContainText("a restore");
});
