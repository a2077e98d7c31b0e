import { expect, apiTask, editYaml, snap, test, yamlTasks } from "./_support/fixtures";

test("history lists sync runs with their per-task before and after", async ({ page, login, server }) => {
  expect((await server.api("/api/tasks/daily-backup", { method: "PATCH", json: { tags: ["ops", "db", "history-test"] } })).status).toBe(200);
  await login();
  await page.getByRole("link", { name: "History", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "History" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Runs that changed something" })).toHaveAttribute("aria-current", "page");
  const runs = page.getByTestId("runs-table");
  await expect(runs).toContainText("API write");
  await expect(runs).toContainText("Start-up");
  await snap(page, "history");

  await page.getByRole("link", { name: "All runs" }).click();
  await expect(page).toHaveURL(/\/history\?changed=false$/);
  await expect(runs.locator("tbody tr").first()).toContainText("API write");
  await runs.locator("tbody tr").first().getByRole("link").click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sync run – API write");
  const change = page.getByTestId("run-changes").locator("li").filter({ hasText: "daily-backup" });
  await expect(change).toContainText("Database: update");
  await expect(change).toContainText("YAML: update");
  await expect(change.getByRole("row", { name: /Tags/ })).toContainText("ops, db");
  await expect(change.getByRole("row", { name: /Tags/ })).toContainText("ops, db, history-test");
  await snap(page, "run");
});

test("a task's own history reverts it, after showing what changes, on both sides", async ({ page, login, server }) => {
  for (const name of ["Rotate logs v2", "Rotate logs v3"]) {
    expect((await server.api("/api/tasks/rotate-logs", { method: "PATCH", json: { name } })).status).toBe(200);
  }
  await login();
  await page.getByRole("link", { name: "History", exact: true }).click();
  await page.getByLabel("Task id", { exact: true }).fill("rotate-logs");
  await page.getByRole("button", { name: "Show its history" }).click();
  await expect(page).toHaveURL(/\/tasks\/rotate-logs#history$/);

  const entries = page.getByTestId("task-history").locator(":scope > li");
  await expect(entries.first()).toContainText("Current version");
  const v2 = entries.filter({ hasText: "Name" }).nth(1);
  await v2.getByText("Before and after").click();
  await expect(v2).toContainText("Rotate logs v2");
  await snap(page, "task-history");
  await v2.getByRole("button", { name: /^Revert to this version… rotate-logs,/ }).click();
  // Not one click: the dialog shows what changes against the current version first.
  const dialog = page.getByRole("dialog", { name: /^Revert rotate-logs to the version of/ });
  await expect(dialog.getByTestId("revert-diff").getByRole("row", { name: /Name/ })).toContainText("Rotate logs v3");
  await expect(dialog.getByTestId("revert-diff").getByRole("row", { name: /Name/ })).toContainText("Rotate logs v2");
  await expect(dialog.getByRole("columnheader", { name: "After revert" })).toBeVisible();
  await snap(page, "task-revert-confirm");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect((await apiTask(server, "rotate-logs")).name).toBe("Rotate logs v3");
  await v2.getByRole("button", { name: /^Revert to this version… rotate-logs,/ }).click();
  await dialog.getByTestId("confirm-revert").click();

  await expect(page.getByText(/^Reverted to the version of/)).toBeVisible();
  expect((await apiTask(server, "rotate-logs")).name).toBe("Rotate logs v2");
  await expect.poll(async () => (await yamlTasks(server))["rotate-logs"]?.name).toBe("Rotate logs v2");
  await expect(entries.first()).toContainText("Revert");
  await expect(entries.first()).toContainText("Current version");
});

test("a deleted task keeps its history and can be brought back", async ({ page, login, server }) => {
  expect((await server.api("/api/tasks/send-digest", { method: "DELETE" })).status).toBe(200);
  await login();
  await page.goto("/tasks/send-digest");
  await expect(page.getByText("This task does not exist any more")).toBeVisible();
  const entries = page.getByTestId("task-history").locator(":scope > li");
  await expect(entries.first()).toContainText("deleted");
  // One entry, the newest, is the current (deleted) version.
  await expect(page.getByText("Current version")).toHaveCount(1);
  await entries.nth(1).getByRole("button", { name: /^Revert .* send-digest,/ }).click();
  await expect(page.getByRole("dialog")).toContainText("brings it back on both sides");
  await page.getByRole("dialog").getByTestId("confirm-revert").click();
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("send-digest");
  await expect.poll(async () => Object.keys(await yamlTasks(server))).toContain("send-digest");
  expect((await server.api("/api/tasks/send-digest")).status).toBe(200);
});

test("a task renamed in the file keeps its history, and both ids' histories say so (issue #17)", async ({ page, login, server }) => {
  const created = await server.api("/api/tasks", { method: "POST", json: { id: "e2e-rename-src", name: "Rename me", schedule: "0 3 * * *", command: "/opt/scripts/rename.sh" } });
  expect(created.status).toBe(201);
  expect((await server.api("/api/tasks/e2e-rename-src", { method: "PATCH", json: { name: "Rename me v2" } })).status).toBe(200);
  // The person renames the key in the file; every field stays.
  await editYaml(server, (doc) => {
    const node = doc.getIn(["tasks", "e2e-rename-src"], true);
    doc.deleteIn(["tasks", "e2e-rename-src"]);
    doc.setIn(["tasks", "e2e-rename-dst"], node);
  });
  await expect.poll(async () => (await server.api("/api/tasks/e2e-rename-dst")).status).toBe(200);
  expect((await server.api("/api/tasks/e2e-rename-src")).status).toBe(404);
  const renamed = await apiTask(server, "e2e-rename-dst");
  expect(renamed).toMatchObject({ name: "Rename me v2", version: 3 });

  const history = await server.api<{ items: { taskId: string; action: string; before: { id: string } | null }[] }>("/api/tasks/e2e-rename-dst/history");
  expect(history.body.items.map((c) => [c.taskId, c.action])).toEqual(expect.arrayContaining([["e2e-rename-dst", "rename"], ["e2e-rename-src", "create"]]));
  expect(history.body.items[0]).toMatchObject({ action: "rename", before: { id: "e2e-rename-src" } });

  await login();
  await page.goto("/tasks/e2e-rename-dst");
  const entries = page.getByTestId("task-history").locator(":scope > li");
  await expect(entries.first()).toContainText("renamed from e2e-rename-src");
  await expect(entries.first()).toContainText("Current version");
  await expect(entries.last()).toContainText("as e2e-rename-src");
  await snap(page, "task-history-renamed");
  await page.goto("/tasks/e2e-rename-src");
  await expect(page.getByTestId("task-history").locator(":scope > li").first()).toContainText("renamed to e2e-rename-dst");
  await expect(page.getByTestId("renamed-to")).toHaveAttribute("href", "/tasks/e2e-rename-dst");
  await page.goto("/history");
  await expect(page.getByTestId("runs-table").locator("tbody tr").first()).toContainText("1 renamed");
});
