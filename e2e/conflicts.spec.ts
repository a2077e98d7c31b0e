import type { Page } from "@playwright/test";
import type { AppServer } from "./_support/app-server";
import { expect, apiTask, editYaml, snap, test, yamlTasks } from "./_support/fixtures";

// No file watcher: a hand edit stays unsynced until "Sync now" or an API write of
// the same task, which is how two people end up changing the same field.
test.use({ serverEnv: { SYNC_WATCH: "off" } });

interface ConflictJson {
  id: string;
  taskId: string;
  status: "open" | "resolved";
  resolution: string | null;
  fields: string[];
}

/** Hand-edits fields of a task in the file, then changes the same task through the API. */
async function makeConflict(server: AppServer, id: string, yaml: Record<string, unknown>, db: Record<string, unknown>): Promise<string> {
  await editYaml(server, (doc) => {
    for (const [field, value] of Object.entries(yaml)) doc.setIn(["tasks", id, field], value);
  });
  const res = await server.api<{ conflict: ConflictJson | null }>(`/api/tasks/${id}`, { method: "PATCH", json: db });
  expect(res.status).toBe(202); // in the DB only: the file keeps the hand edit until a person decides
  expect(res.body.conflict, `PATCH ${id} should open a conflict`).not.toBeNull();
  return res.body.conflict!.id;
}

async function conflict(server: AppServer, id: string): Promise<ConflictJson> {
  return (await server.api<ConflictJson>(`/api/sync/conflicts/${id}`)).body;
}

async function openConflictPage(page: Page, taskId: string) {
  await page.getByRole("link", { name: /^Conflicts/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Conflicts" })).toBeVisible();
  await page.getByTestId("conflicts-table").getByRole("link", { name: taskId, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Conflict on ${taskId}`);
}

test("keep_yaml: the YAML version wins on both sides", async ({ page, login, server }) => {
  const id = await makeConflict(server, "daily-backup", { schedule: "0 5 * * *" }, { schedule: "0 6 * * *" });
  await login();
  await expect(page.getByTestId("conflict-count")).toHaveText("1 open");
  await expect(page.locator('tr[data-task-id="daily-backup"]').getByRole("link", { name: /Conflict/ })).toBeVisible();
  await snap(page, "dashboard-with-conflict");
  await openConflictPage(page, "daily-backup");

  const sides = page.getByTestId("conflict-sides");
  await expect(sides.locator("tr[data-differs]")).toHaveCount(1);
  await expect(sides.locator("tr[data-differs]")).toContainText("0 5 * * *");
  await expect(sides.locator("tr[data-differs]")).toContainText("0 6 * * *");
  await expect(page.getByTestId("line-diff").locator('tr[data-kind="add"]')).toContainText('schedule: "0 5 * * *"');
  await page.getByRole("radio", { name: "YAML file now (with comments)" }).check();
  await expect(page.getByTestId("yaml-source")).toContainText("# the important one");
  await page.getByRole("radio", { name: "What the YAML file changed" }).check();
  await snap(page, "conflict");

  await page.getByTestId("keep_yaml").click();
  await expect(page.getByTestId("resolve-outcome")).toContainText("Resolved: Kept YAML");
  await expect(page.getByText("Open", { exact: true })).toBeHidden();
  expect((await apiTask(server, "daily-backup")).schedule).toBe("0 5 * * *");
  expect((await yamlTasks(server))["daily-backup"].schedule).toBe("0 5 * * *");
  expect(await conflict(server, id)).toMatchObject({ status: "resolved", resolution: "keep_yaml" });
  await expect(page.getByTestId("conflict-count")).toBeHidden();
});

test("keep_db: the database version wins on both sides", async ({ page, login, server }) => {
  const id = await makeConflict(server, "weekly-report", { name: "Weekly KPI report" }, { name: "Weekly sales report" });
  await login();
  await openConflictPage(page, "weekly-report");
  await page.getByTestId("keep_db").click();
  await expect(page.getByTestId("resolve-outcome")).toContainText("Resolved: Kept DB");
  expect((await apiTask(server, "weekly-report")).name).toBe("Weekly sales report");
  expect((await yamlTasks(server))["weekly-report"].name).toBe("Weekly sales report");
  expect(await conflict(server, id)).toMatchObject({ status: "resolved", resolution: "keep_db" });
});

test("merge: each differing field picked from a side, then edited before saving", async ({ page, login, server }) => {
  const id = await makeConflict(
    server,
    "cleanup-tmp",
    { name: "Clean temporary files", schedule: "*/10 * * * *" },
    { schedule: "*/20 * * * *", enabled: false },
  );
  await login();
  await page.goto(`/conflicts/${id}`);
  const editor = page.getByTestId("merge-editor");
  // Pre-filled from the automatic proposal: name from YAML, enabled from DB, schedule clashes.
  await expect(editor.getByTestId("pick-name-yaml")).toBeChecked();
  await expect(editor.getByTestId("pick-enabled-db")).toBeChecked();
  await expect(editor.getByTestId("pick-schedule-yaml")).toBeChecked();
  await expect(editor).toContainText("Both sides changed Schedule");

  await editor.getByTestId("pick-schedule-db").check();
  await expect(editor.getByLabel("Schedule (cron)", { exact: true })).toHaveValue("*/20 * * * *");
  await editor.getByLabel("Description", { exact: true }).fill("Merged in the browser");
  await editor.getByLabel("Schedule (cron)", { exact: true }).fill("not cron");
  await editor.getByTestId("save-merge").click();
  await expect(editor.getByLabel("Schedule (cron)", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await editor.getByTestId("pick-schedule-db").check();
  await snap(page, "conflict-merge");
  await editor.getByTestId("save-merge").click();
  await expect(page.getByTestId("resolve-outcome")).toContainText("Resolved: Merged");

  const expected = { name: "Clean temporary files", schedule: "*/20 * * * *", enabled: false, description: "Merged in the browser" };
  expect(await apiTask(server, "cleanup-tmp")).toMatchObject(expected);
  expect((await yamlTasks(server))["cleanup-tmp"]).toMatchObject(expected);
  expect(await conflict(server, id)).toMatchObject({ status: "resolved", resolution: "merge" });
});

test("a UI edit over an unsynced hand edit says so: merged, or a conflict with a link", async ({ page, login, server }) => {
  await login();
  // Another field edited by hand: merged in.
  await editYaml(server, (doc) => doc.setIn(["tasks", "send-digest", "tags"], ["mail"]));
  await page.goto("/tasks/send-digest");
  await page.getByLabel("Name", { exact: true }).fill("Send the digest");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("A hand edit was merged")).toBeVisible();
  expect(await apiTask(server, "send-digest")).toMatchObject({ name: "Send the digest", tags: ["mail"] });
  expect((await yamlTasks(server))["send-digest"]).toMatchObject({ name: "Send the digest", tags: ["mail"] });

  // The same field edited by hand: a conflict, and the UI links to it.
  await editYaml(server, (doc) => doc.setIn(["tasks", "rotate-logs", "command"], "logrotate -f /etc/logrotate.conf"));
  await page.goto("/tasks/rotate-logs");
  await page.getByLabel("Command", { exact: true }).fill("logrotate -v /etc/logrotate.conf");
  await page.getByRole("button", { name: "Save changes" }).click();
  const warning = page.getByRole("status").filter({ hasText: "Conflict with a hand edit in the YAML file" });
  await expect(warning).toContainText("Command");
  await snap(page, "task-edit-conflict");
  await warning.getByRole("link", { name: "Resolve the conflict" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Conflict on rotate-logs");
  // The API kept the UI's value in the DB and left the hand edit in the file.
  expect((await apiTask(server, "rotate-logs")).command).toBe("logrotate -v /etc/logrotate.conf");
  expect((await yamlTasks(server))["rotate-logs"].command).toBe("logrotate -f /etc/logrotate.conf");
});

/** A task of a test's own, written to both sides at once; the shared server's seed tasks stay as other tests left them. */
async function createTask(server: AppServer, id: string): Promise<void> {
  const res = await server.api("/api/tasks", { json: { id, name: `Task ${id}`, schedule: "0 2 * * *", command: `/opt/${id}.sh` } });
  expect(res.status, `POST ${id}`).toBe(201);
}

test("conflict wording separates the real clash from fields that merge, and names deletions", async ({ page, login, server }) => {
  for (const id of ["words-clash", "words-deleted", "words-edited"]) await createTask(server, id);
  await login();
  // Schedule changed on both sides, Command only in the file, Description only in the UI.
  await editYaml(server, (doc) => {
    doc.setIn(["tasks", "words-clash", "schedule"], "0 4 * * *");
    doc.setIn(["tasks", "words-clash", "command"], "/opt/words-clash.sh --incremental");
  });
  await page.goto("/tasks/words-clash");
  await page.getByLabel("Schedule (cron)", { exact: true }).fill("0 5 * * *");
  await page.getByLabel("Description", { exact: true }).fill("Full dump, at five");
  await page.getByRole("button", { name: "Save changes" }).click();
  const warning = page.getByRole("status").filter({ hasText: "Conflict with a hand edit in the YAML file" });
  await expect(warning).toContainText("unsynced hand edit of Schedule, which you changed too. Its edit of Command merges on its own.");
  await warning.getByRole("link", { name: "Resolve the conflict" }).click();
  await expect(page.getByTestId("conflict-summary")).toHaveText("· Schedule was changed differently on both sides; Command (YAML), Description (DB) merge on their own.");

  // Deleted in the file by hand, edited in the UI: a deletion, not "a hand edit of all 7 fields".
  await editYaml(server, (doc) => doc.deleteIn(["tasks", "words-deleted"]));
  await page.goto("/tasks/words-deleted");
  await page.getByLabel("Name", { exact: true }).fill("Renamed in the UI");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Conflict with a hand edit" })).toContainText("deleted from the YAML file by hand");

  // Edited in the file by hand, deleted in the UI: the task page says there is a conflict.
  await editYaml(server, (doc) => doc.setIn(["tasks", "words-edited", "command"], "/opt/words-edited.sh --all"));
  await page.goto("/tasks/words-edited");
  await page.getByRole("button", { name: "Delete task…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByText("Deleted from the database, with an open conflict")).toBeVisible();
  await page.reload();
  await expect(page.getByText("Deleted from the database, with an open conflict")).toBeVisible();
  await expect(page.getByRole("link", { name: "Resolve the conflict" })).toBeVisible();

  await page.goto("/conflicts");
  const rows = page.getByTestId("conflicts-table");
  await expect(rows.locator('tr[data-conflict-task="words-clash"]')).toContainText("merge on their own: Command, Description");
  await expect(rows.locator('tr[data-conflict-task="words-deleted"]')).toContainText("Deleted in YAML; changed in DB: Name");
  await expect(rows.locator('tr[data-conflict-task="words-edited"]')).toContainText("Deleted in DB; changed in YAML: Command");
  await snap(page, "conflicts-wording");
  // Leave the shared server as the next tests expect it: no open conflicts of ours.
  for (const id of ["words-clash", "words-deleted", "words-edited"]) {
    const open = (await server.api<{ items: { id: string; taskId: string }[] }>("/api/sync/conflicts?status=open")).body.items.filter((c) => c.taskId === id);
    for (const c of open) expect((await server.api(`/api/sync/conflicts/${c.id}/resolve`, { json: { resolution: "keep_db" } })).status).toBe(200);
  }
});

test("a one-sided sync that throws away a hand edit shows the values and asks with a red button", async ({ page, login, server }) => {
  await createTask(server, "hand-edited");
  await editYaml(server, (doc) => doc.setIn(["tasks", "hand-edited", "command"], "/opt/hand-edited.sh --HAND"));
  await login();
  await page.getByLabel("Direction", { exact: true }).selectOption("db_to_yaml");
  await page.getByTestId("sync-now").click();
  const dialog = page.getByRole("dialog", { name: /^Sync DB → YAML/ });
  const task = dialog.locator('[data-plan-task="hand-edited"]');
  await expect(task).toContainText("YAML file changes");
  await expect(task).toContainText("discards 1 edit");
  const command = task.getByRole("row", { name: /Command/ });
  await expect(command).toContainText("/opt/hand-edited.sh --HAND");
  await expect(command).toContainText("/opt/hand-edited.sh");
  await expect(dialog.getByTestId("plan-losses")).toContainText("throws away 1 edit");
  const apply = dialog.getByTestId("apply-plan");
  await expect(apply).toHaveText("Apply and discard 1 edit");
  await expect(apply).toHaveClass(/bg-red-700/);
  await snap(page, "sync-plan-discards");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect((await yamlTasks(server))["hand-edited"].command).toBe("/opt/hand-edited.sh --HAND");
  await page.getByTestId("sync-now").click();
  await page.getByRole("dialog").getByTestId("apply-plan").click();
  await expect(page.getByTestId("sync-outcome")).toContainText("Sync finished");
  expect((await yamlTasks(server))["hand-edited"].command).toBe("/opt/hand-edited.sh");
});

test("bulk keep_db: the inbox shows what will happen, then resolves every selected conflict", async ({ page, login, server }) => {
  // Only this test's two conflicts in the inbox (earlier tests on this server leave theirs), so resolving them empties it.
  for (const c of (await server.api<{ items: { id: string }[] }>("/api/sync/conflicts?status=open")).body.items) {
    expect((await server.api(`/api/sync/conflicts/${c.id}/resolve`, { json: { resolution: "keep_db" } })).status).toBe(200);
  }
  await makeConflict(server, "warm-cache", { schedule: "*/5 * * * *" }, { schedule: "*/45 * * * *" });
  await makeConflict(server, "weekly-report", { command: "/opt/scripts/report-v2.sh" }, { command: "/opt/scripts/report-v3.sh" });
  await login();
  await page.goto("/conflicts");
  await page.getByRole("checkbox", { name: "Select conflict on warm-cache" }).check();
  await page.getByRole("checkbox", { name: "Select conflict on weekly-report" }).check();
  await expect(page.getByText("2 conflicts selected")).toBeVisible();
  await snap(page, "conflicts");
  await page.getByRole("button", { name: "Keep DB for selected…" }).click();

  const dialog = page.getByRole("dialog", { name: "Keep DB for 2 conflicts?" });
  const plan = dialog.getByTestId("bulk-plan");
  await expect(plan.locator("li")).toHaveCount(2);
  await expect(plan).toContainText("warm-cache");
  await expect(plan).toContainText("The YAML file takes the database's version (Schedule change).");
  await expect(plan).toContainText("The YAML file takes the database's version (Command change).");
  await dialog.getByRole("button", { name: "Keep DB for 2 conflicts" }).click();

  await expect(page.getByRole("status").filter({ hasText: "2 conflicts resolved" })).toBeVisible();
  // The inbox is now empty; the outcome stays next to the empty state.
  await expect(page.getByText("No open conflicts")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "2 conflicts resolved" })).toBeVisible();
  await expect(page.getByTestId("conflicts-table").getByRole("link", { name: "warm-cache", exact: true })).toBeHidden();
  const file = await yamlTasks(server);
  expect(file["warm-cache"].schedule).toBe("*/45 * * * *");
  expect(file["weekly-report"].command).toBe("/opt/scripts/report-v3.sh");

  await page.getByRole("link", { name: "Resolved", exact: true }).click();
  await expect(page.getByTestId("conflicts-table").locator('tr[data-conflict-task="warm-cache"]')).toContainText("Kept DB");
});

test("a stale resolve is refused and the refreshed conflict is shown", async ({ page, login, server }) => {
  const id = await makeConflict(server, "daily-backup", { description: "From the file" }, { description: "From the UI" });
  await login();
  await page.goto(`/conflicts/${id}`);
  await expect(page.getByTestId("conflict-sides")).toContainText("From the file");

  // The file changes again after the conflict was detected.
  await editYaml(server, (doc) => doc.setIn(["tasks", "daily-backup", "description"], "From the file, second try"));
  await page.getByTestId("keep_db").click();
  const stale = page.getByTestId("resolve-outcome");
  await expect(stale).toContainText("Not resolved: the task changed after this conflict was detected");
  await expect(stale).toContainText("Description");
  await expect(page.getByTestId("conflict-sides")).toContainText("From the file, second try");
  await snap(page, "conflict-stale");
  expect(await conflict(server, id)).toMatchObject({ status: "open" });

  await page.getByTestId("keep_yaml").click();
  await expect(page.getByTestId("resolve-outcome")).toContainText("Resolved: Kept YAML");
  expect((await apiTask(server, "daily-backup")).description).toBe("From the file, second try");
});

test("Sync now in one direction shows the dry-run plan and applies it only after confirming", async ({ page, login, server }) => {
  await editYaml(server, (doc) => doc.setIn(["tasks", "weekly-report", "timezone"], "Europe/London"));
  await login();
  await page.getByLabel("Direction", { exact: true }).selectOption("yaml_to_db");
  await page.getByTestId("sync-now").click();
  const dialog = page.getByRole("dialog", { name: /^Sync YAML → DB/ });
  await expect(dialog).toContainText("Nothing has changed yet");
  const row = dialog.locator('[data-plan-task="weekly-report"]');
  await expect(row).toContainText("Updated in the database");
  // Value level: the field, its value now and after.
  await expect(row.getByRole("row", { name: /Time zone/ })).toContainText("Europe/Berlin");
  await expect(row.getByRole("row", { name: /Time zone/ })).toContainText("Europe/London");
  await expect(dialog.getByTestId("plan-losses")).toHaveCount(0);
  await expect(dialog).toContainText("Database: gains 0 tasks, changes 1 task, loses 0 tasks");
  await snap(page, "sync-plan");

  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect((await apiTask(server, "weekly-report")).timezone).toBe("Europe/Berlin");

  await page.getByTestId("sync-now").click();
  await page.getByRole("dialog").getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("sync-outcome")).toContainText("Sync finished");
  expect((await apiTask(server, "weekly-report")).timezone).toBe("Europe/London");
  await expect(page.locator('tr[data-task-id="weekly-report"]')).toContainText("Europe/London");
});

test("Sync now both ways picks up an unsynced hand edit and the page updates itself", async ({ page, login, server }) => {
  await login();
  await editYaml(server, (doc) => doc.setIn(["tasks", "cleanup-tmp", "name"], "Clean temp files hourly"));
  await expect(page.locator('tr[data-task-id="cleanup-tmp"]')).not.toContainText("Clean temp files hourly");
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("sync-outcome")).toContainText("Sync finished");
  await expect(page.getByTestId("sync-outcome")).toContainText("Database: gains 0 tasks, changes 1 task, loses 0 tasks");
  await expect(page.locator('tr[data-task-id="cleanup-tmp"]')).toContainText("Clean temp files hourly");
  expect((await apiTask(server, "cleanup-tmp")).name).toBe("Clean temp files hourly");
});
