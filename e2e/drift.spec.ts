import { expect, editYaml, snap, test, yamlTasks } from "./_support/fixtures";

// Issue #20, item 1: drift you can see. With the watcher's syncing off, a hand edit is not
// synced by itself, but the file is still watched: the pages show it as drift, live.
test.use({ serverEnv: { SYNC_WATCH: "off" } });

test("a hand edit shows as drift in the task list and the status bar, live, and clears after Sync now", async ({ page, login, server }) => {
  await login();
  const backup = page.locator('tr[data-task-id="daily-backup"]');
  await expect(backup.getByTestId("sync-state")).toHaveAttribute("data-state", "in_sync");
  await expect(page.getByTestId("drift")).toContainText("none");

  await editYaml(server, (doc) => doc.setIn(["tasks", "daily-backup", "command"], "/opt/scripts/backup.sh --incremental"));
  // No reload: the watcher tells the page, the page reads the drift.
  await expect(backup.getByTestId("sync-state")).toHaveAttribute("data-state", "differs");
  await expect(backup).toContainText("file changed → DB");
  await expect(page.getByTestId("drift")).toContainText("1 task differs");
  await snap(page, "drift");

  await page.getByTestId("drift").getByRole("link").click();
  await expect(page).toHaveURL(/state=differs/);
  await expect(page.getByLabel("Sync state", { exact: true })).toHaveValue("differs");
  await expect(page.getByTestId("tasks-table").locator("tbody tr")).toHaveCount(1);

  await page.getByLabel("Sync state", { exact: true }).selectOption("in_sync");
  await expect(page.getByTestId("tasks-table").locator("tbody tr")).toHaveCount(5);

  const synced = await server.api<{ status: string }>("/api/sync/trigger", { method: "POST", json: {} });
  expect(synced.body.status).toBe("success");
  await page.getByLabel("Sync state", { exact: true }).selectOption("");
  await expect(backup.getByTestId("sync-state")).toHaveAttribute("data-state", "in_sync");
  await expect(page.getByTestId("drift")).toContainText("none");
});

test("a mass deletion in the file is held: the tasks show as pending deletion until a person restores them", async ({ page, login, server }) => {
  // Enough tasks that losing most of them trips the guard (more than 10 and more than 25 %).
  await editYaml(server, (doc) => {
    for (let i = 0; i < 16; i++) doc.setIn(["tasks", `bulk-${i}`], { name: `Bulk ${i}`, schedule: "0 3 * * *", command: `/bin/bulk ${i}` });
  });
  expect((await server.api<{ status: string }>("/api/sync/trigger", { method: "POST", json: {} })).body.status).toBe("success");
  await login();
  await editYaml(server, (doc) => {
    for (let i = 0; i < 16; i++) doc.deleteIn(["tasks", `bulk-${i}`]);
  });
  expect((await server.api<{ held: { yaml: number } }>("/api/sync/trigger", { method: "POST", json: {} })).status).toBe(200);

  await expect(page.getByText("16 tasks were deleted in the YAML file at once: the deletions are held")).toBeVisible();
  await page.getByLabel("Sync state", { exact: true }).selectOption("held");
  await expect(page.getByTestId("tasks-table").locator("tbody tr")).toHaveCount(16);
  await expect(page.locator('tr[data-task-id="bulk-3"]').getByTestId("sync-state")).toHaveAttribute("data-state", "held");
  await snap(page, "held-deletions");

  await page.getByTestId("held-yaml-restore").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("held-list").locator("li")).toHaveCount(16);
  await dialog.getByTestId("held-confirm").click();
  await expect(page.getByText("deletions are held")).toHaveCount(0);
  const tasks = await yamlTasks(server);
  for (let i = 0; i < 16; i++) expect(tasks[`bulk-${i}`], `bulk-${i} back in the file`).toBeDefined();
});
