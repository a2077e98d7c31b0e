import { expect, apiTask, editYaml, snap, test, yamlTasks, type TaskJson } from "./_support/fixtures";

// The default server: the file watcher is on, so hand edits sync by themselves.

test("lists, searches and filters tasks on the server, with plain-words schedules", async ({ page, login }) => {
  await login();
  const table = page.getByTestId("tasks-table");
  await expect(table.locator("tbody tr")).toHaveCount(6);
  const backup = table.locator('tr[data-task-id="daily-backup"]');
  await expect(backup).toContainText("At 02:00");
  await expect(backup).toContainText("Next:");
  await expect(backup).toContainText("UTC");
  await expect(table.locator('tr[data-task-id="weekly-report"]')).toContainText("Europe/Berlin");
  await snap(page, "dashboard");

  await page.getByLabel("Search", { exact: true }).fill("report");
  await expect(page).toHaveURL(/\?q=report/);
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(6);

  await page.getByRole("link", { name: "Show tasks tagged ops" }).first().click();
  await expect(page).toHaveURL(/\?tag=ops/);
  await expect(page.getByLabel("Tag", { exact: true })).toHaveValue("ops");
  await expect(table.locator("tbody tr")).toHaveCount(2);

  await page.getByLabel("Enabled", { exact: true }).selectOption("false");
  await expect(page).toHaveURL(/enabled=false/);
  await expect(page.getByText("No tasks match these filters")).toBeVisible();
  await page.getByRole("link", { name: "Clear filters" }).click();

  await page.getByLabel("Per page", { exact: true }).selectOption("25");
  await page.goto("/?limit=25&offset=5000");
  await expect(page.getByTestId("task-total")).toHaveText("6");
  await expect(table.locator("tbody tr")).toHaveCount(6);
});

test("creates a task in the UI and it appears in the YAML file on disk", async ({ page, login, server }) => {
  await login();
  await page.getByRole("link", { name: "New task" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New task" })).toBeVisible();

  // Client-side validation from the shared zod schema, shown inline.
  await page.getByRole("button", { name: "Create task" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Please fix" })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Name", { exact: true })).toBeFocused();

  await page.getByLabel("Name", { exact: true }).fill("Nightly invoice run");
  await expect(page.getByLabel("ID", { exact: true })).toHaveValue("nightly-invoice-run");
  await page.getByLabel("Schedule (cron)", { exact: true }).fill("every night");
  await expect(page.getByTestId("schedule-preview")).toContainText("Not a valid cron expression yet: expected 5 fields");
  await page.getByLabel("Schedule (cron)", { exact: true }).fill("15 1 * * *");
  await expect(page.getByTestId("schedule-preview")).toContainText("At 01:15");
  await page.getByLabel("Time zone", { exact: true }).fill("Europe/Paris");
  await expect(page.getByTestId("schedule-preview")).toContainText("Europe/Paris");
  await page.getByLabel("Command", { exact: true }).fill("/opt/scripts/invoices.sh");
  await page.getByLabel("Tags", { exact: true }).fill("billing, nightly");
  await snap(page, "task-new");
  await page.getByRole("button", { name: "Create task" }).click();

  await expect(page).toHaveURL(/\/tasks\/nightly-invoice-run\?created=1$/);
  await expect(page.getByText("Task created")).toBeVisible();
  await expect
    .poll(async () => (await yamlTasks(server))["nightly-invoice-run"])
    .toEqual({
      name: "Nightly invoice run",
      schedule: "15 1 * * *",
      timezone: "Europe/Paris",
      command: "/opt/scripts/invoices.sh",
      enabled: true,
      tags: ["billing", "nightly"],
    });
  // The hand-written comment of another task survived the write.
  expect(await server.readYaml()).toContain("daily-backup:                 # the important one");
});

test("the API's errors land on their fields: an id that already exists", async ({ page, login }) => {
  await login();
  await page.goto("/tasks/new");
  await page.getByLabel("Name", { exact: true }).fill("Another backup");
  await page.getByLabel("ID", { exact: true }).fill("daily-backup");
  await page.getByLabel("Schedule (cron)", { exact: true }).fill("0 4 * * *");
  await page.getByLabel("Command", { exact: true }).fill("/bin/true");
  await page.getByRole("button", { name: "Create task" }).click();
  await expect(page.getByLabel("ID", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("ID", { exact: true })).toHaveAccessibleDescription(/already exists/);
});

test("a hand edit of the YAML file updates two open pages without a reload", async ({ page, login, server, context }) => {
  await login();
  const other = await context.newPage();
  await other.goto("/");
  for (const p of [page, other]) {
    await expect(p.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
    await p.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  }

  await editYaml(server, (doc) => {
    doc.setIn(["tasks", "rotate-logs", "name"], "Rotate and compress logs");
    doc.setIn(["tasks", "hand-added"], doc.createNode({ name: "Added by hand", schedule: "5 4 * * *", command: "/bin/echo hi" }));
  });

  for (const p of [page, other]) {
    const table = p.getByTestId("tasks-table");
    await expect(table.locator('tr[data-task-id="rotate-logs"]')).toContainText("Rotate and compress logs");
    await expect(table.locator('tr[data-task-id="hand-added"]')).toContainText("At 04:05");
    await expect(table.locator('tr[data-task-id="rotate-logs"]')).toContainText("YAML file");
    await expect(p.getByTestId("live-activity")).toContainText("changed");
    expect(await p.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  }
  expect((await apiTask(server, "rotate-logs")).name).toBe("Rotate and compress logs");
  await other.close();
});

test("an invalid YAML file shows its line and column in the banner until it is fixed", async ({ page, login, server }) => {
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
    schedule: "every day"
    command: /bin/true
`);
  const banner = page.getByRole("alert").filter({ hasText: "The YAML file is invalid: syncing is paused" });
  await expect(banner).toBeVisible();
  await expect(page.getByTestId("yaml-error")).toContainText("line 9, column 15");
  await expect(page.getByTestId("yaml-error")).toContainText("not a valid cron expression");
  await expect(page.getByTestId("yaml-validity")).toContainText("invalid (line 9, column 15)");
  // Nothing was deleted from the database meanwhile.
  await expect(page.getByTestId("tasks-table").locator('tr[data-task-id="daily-backup"]')).toBeVisible();
  await snap(page, "dashboard-invalid-yaml");

  // "Sync now" fails while the file is invalid; the failure goes once a later sync succeeds.
  await page.getByTestId("sync-now").click();
  const failed = page.getByTestId("sync-outcome").getByRole("alert").filter({ hasText: "Sync failed" });
  await expect(failed).toBeVisible();
  await server.writeYaml(good);
  await expect(failed).toBeHidden();
  await expect(banner).toBeHidden();
  await server.writeYaml(`version: 1
tasks:
  bad-cron:
    name: Bad
    schedule: "every day"
    command: /bin/true
`);
  await expect(banner).toBeVisible();

  // A write through the UI is refused while the file is invalid, and says why.
  await page.goto("/tasks/cleanup-tmp");
  await page.getByLabel("Name", { exact: true }).fill("Clean temp files daily");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The YAML file is invalid, so nothing was saved" })).toBeVisible();

  await server.writeYaml(good);
  await expect(banner).toBeHidden();
  await expect(page.getByTestId("yaml-validity")).toContainText("valid");
});

test("Sync now runs a sync and shows its outcome", async ({ page, login }) => {
  await login();
  await page.getByTestId("sync-now").click();
  const outcome = page.getByTestId("sync-outcome");
  await expect(outcome).toContainText("Sync finished in");
  await expect(outcome).toContainText("YAML file: no change");
  await outcome.getByRole("link", { name: "See what changed" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sync run – Sync now");
  // A run that changed nothing is not in the default history list: the way back leads to the list that has it.
  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "History (all runs)" }).click();
  await expect(page).toHaveURL(/\/history\?changed=false$/);
  await expect(page.getByTestId("runs-table").locator("tbody tr").first()).toContainText("Sync now");
});

test("a stale save of other fields merges into the newer version and saves", async ({ page, login, server }) => {
  await login();
  await page.goto("/tasks/send-digest");
  await expect(page.getByText("Editing version 1")).toBeVisible();
  await page.getByLabel("Description", { exact: true }).fill("Mine: the morning digest");

  // Someone else saves the schedule first (another tab, the API, a hand edit synced…).
  const theirs = await server.api<{ task: TaskJson }>("/api/tasks/send-digest", { method: "PATCH", json: { schedule: "0 9 * * 1-5" } });
  expect(theirs.status).toBe(200);
  await expect(page.getByText("Someone else changed this task while you were editing")).toBeVisible();
  await expect(page.getByText("Saving merges your edits into it field by field")).toBeVisible();

  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Merged with version 2, saved meanwhile" })).toContainText("Schedule was changed by Web UI / API and kept");
  await expect(page.getByRole("status").filter({ hasText: /^.?Saved/ })).toContainText("Changed Description");
  const task = await apiTask(server, "send-digest");
  expect(task).toMatchObject({ schedule: "0 9 * * 1-5", description: "Mine: the morning digest", version: 3 });
  await expect.poll(async () => (await yamlTasks(server))["send-digest"]?.description).toBe("Mine: the morning digest");
  await expect(page.getByLabel("Schedule (cron)", { exact: true })).toHaveValue("0 9 * * 1-5");
});

test("a stale save that changed the same field asks, showing mine and theirs", async ({ page, login, server }) => {
  expect((await server.api("/api/tasks", { json: { id: "clash-me", name: "Clash me", schedule: "0 2 * * *", command: "/opt/clash.sh" } })).status).toBe(201);
  await login();
  await page.goto("/tasks/clash-me");
  await page.getByLabel("Schedule (cron)", { exact: true }).fill("0 1 * * *");
  await page.getByLabel("Name", { exact: true }).fill("Clash me nightly");
  expect((await server.api("/api/tasks/clash-me", { method: "PATCH", json: { schedule: "0 3 * * *" } })).status).toBe(200);

  await page.getByRole("button", { name: "Save changes" }).click();
  const clash = page.getByRole("status").filter({ hasText: "both changed Schedule" });
  await expect(clash).toBeVisible();
  await expect(clash).toContainText("Name merges on its own");
  await expect(clash.getByTestId("clash-table").getByRole("row", { name: /Schedule/ })).toContainText("0 1 * * *");
  await expect(clash.getByTestId("clash-table").getByRole("row", { name: /Schedule/ })).toContainText("0 3 * * *");
  await snap(page, "task-edit-clash");
  expect((await apiTask(server, "clash-me")).name).toBe("Clash me");

  await clash.getByRole("button", { name: "Take theirs, save the rest" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^.?Saved/ })).toContainText("Changed Name");
  expect(await apiTask(server, "clash-me")).toMatchObject({ schedule: "0 3 * * *", name: "Clash me nightly" });
});

test("deletes a task after confirming, on both sides", async ({ page, login, server }) => {
  await login();
  await page.goto("/tasks/warm-cache");
  await page.getByRole("button", { name: "Delete task…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete warm-cache?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page).toHaveURL(/\/\?deleted=warm-cache$/);
  await expect(page.getByText("was deleted from the database and the YAML file")).toBeVisible();
  await expect.poll(async () => Object.keys(await yamlTasks(server))).not.toContain("warm-cache");
  expect((await server.api("/api/tasks/warm-cache")).status).toBe(404);
});

test("validation errors from the API are shown next to the inputs they name", async ({ page, login }) => {
  await login();
  await page.goto("/tasks/new");
  // The browser validates with the same schema first, so make the server the one to object.
  await page.route("**/api/tasks", (route) =>
    route.request().method() === "POST"
      ? route.fulfill({
          status: 400,
          contentType: "application/json",
          body: JSON.stringify({
            error: {
              code: "validation_error",
              message: "schedule: is not a valid cron expression; tags.1: tags are 1-64 letters",
              details: [
                { field: "schedule", message: "is not a valid cron expression: server says no" },
                { field: "tags.1", message: "tags are 1-64 letters, digits or _.:-" },
              ],
            },
          }),
        })
      : route.continue(),
  );
  await page.getByLabel("Name", { exact: true }).fill("Server-validated");
  await page.getByLabel("Schedule (cron)", { exact: true }).fill("0 3 * * *");
  await page.getByLabel("Command", { exact: true }).fill("/bin/true");
  await page.getByLabel("Tags", { exact: true }).fill("ok, also-ok");
  await page.getByRole("button", { name: "Create task" }).click();
  await expect(page.getByLabel("Schedule (cron)", { exact: true })).toHaveAccessibleDescription(/server says no/);
  await expect(page.getByLabel("Tags", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Schedule (cron)", { exact: true })).toBeFocused();
  await expect(page.getByRole("alert").filter({ hasText: "Please fix these 2 fields" })).toBeVisible();
});

test("the connection indicator shows a lost connection and recovers by itself", async ({ page, login, context }) => {
  await login();
  const indicator = page.locator("[data-connection]");
  await expect(indicator).toHaveAttribute("data-connection", "connected");
  // The refresh a page makes once its socket connects must be over: one cut off by going offline
  // makes Next load the page in full, which offline is the browser's error page.
  await page.waitForLoadState("networkidle");
  await context.setOffline(true);
  // The socket drops and a request to the server fails too: unreachable, said in a banner.
  await expect(indicator).toHaveAttribute("data-connection", "unreachable", { timeout: 30_000 });
  await expect(indicator).toContainText("Offline");
  await expect(page.getByTestId("server-unreachable")).toBeVisible();
  await context.setOffline(false);
  await expect(indicator).toHaveAttribute("data-connection", "connected", { timeout: 30_000 });
});
