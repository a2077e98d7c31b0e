import { expect, snap, test } from "./_support/fixtures";

// A server of its own (another option value means another worker): the counts below are of the seed file.
test.use({ serverEnv: { SYNC_DEBOUNCE_MS: "60" } });

test("the week at a glance: runs per hour, the next 24 h, and Berlin's March clock change warned about", async ({ page, login, server }) => {
  const created = await server.api("/api/tasks", {
    json: { id: "nightly-berlin", name: "Nightly in Berlin", schedule: "30 2 * * *", timezone: "Europe/Berlin", command: "/opt/nightly.sh", tags: ["ops"] },
  });
  expect(created.status).toBe(201);
  await login();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Schedule" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Schedule" })).toBeVisible();

  // The week containing the last Sunday of March 2027, viewed from UTC.
  await page.goto("/schedule?from=2027-03-26&tz=UTC");
  const warnings = page.getByTestId("schedule-warnings");
  await expect(warnings).toContainText("A clock change skips a run time in this window");
  await expect(warnings).toContainText("On 2027-03-28 the clocks in Europe/Berlin jump from 02:00 to 03:00: 02:30 does not exist that day");
  await expect(warnings.getByRole("link", { name: "nightly-berlin" })).toBeVisible();

  const week = page.getByTestId("week-heatmap");
  await expect(week.locator("tbody tr")).toHaveCount(7);
  // Fri 26 Mar 01:00 UTC = 02:00 CET: cleanup (4), warm-cache (2) and nightly-berlin at 01:30 UTC.
  const friday = week.locator("tbody tr").first();
  await expect(friday.locator("th")).toHaveText("Fri 26 Mar");
  await expect(friday.locator("td").nth(1)).toHaveText("7");
  // Sunday the 28th: 02:30 CET does not exist; the run moves to 03:30 CEST = 01:30 UTC, still at 01.
  await expect(week.locator("tbody tr").nth(2).locator("td").nth(1)).toHaveText("7");

  const upcoming = page.getByTestId("upcoming-runs");
  await expect(upcoming).toContainText("cleanup-tmp");
  await expect(upcoming.locator("tbody tr").filter({ hasText: "nightly-berlin" })).toContainText("Fri 02:30 Europe/Berlin");
  await expect(upcoming.locator("tbody tr").filter({ hasText: "nightly-berlin" })).toContainText("/opt/nightly.sh");

  // Filter by tag: only the ops tasks (daily-backup, rotate-logs, nightly-berlin).
  await page.getByLabel("Tag", { exact: true }).selectOption("ops");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/tag=ops/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText("3 tasks,")).toBeVisible();
  await snap(page, "schedule-week");

  // Viewed from Berlin the week has 167 hours: Sunday's 02:00 does not exist there.
  await page.goto("/schedule?from=2027-03-26&tz=Europe/Berlin");
  await expect(week.locator("tbody tr")).toHaveCount(7);
  await expect(week.locator("tbody tr").nth(2).locator("td").nth(2)).toHaveText("no such hour");

  await page.goto("/schedule?range=24h&from=2027-03-26&tz=America/New_York");
  await expect(page.getByTestId("tag-heatmap").locator("tbody tr").first()).toContainText("All tasks");
  await snap(page, "schedule-24h");
});

test("the task list sorts by next run and by last change, and shows each command", async ({ page, login, server }) => {
  await login();
  const table = page.getByTestId("tasks-table");
  await expect(table.locator('tr[data-task-id="daily-backup"]')).toContainText("/opt/scripts/backup.sh --full");
  await page.getByRole("link", { name: /Schedule · next run/ }).click();
  await expect(page).toHaveURL(/sort=next/);
  // Every 15 minutes comes first; the disabled weekly report last.
  await expect(table.locator("tbody tr").first()).toHaveAttribute("data-task-id", "cleanup-tmp");
  await expect(table.locator("tbody tr").last()).toHaveAttribute("data-task-id", "weekly-report");
  await expect(page.getByRole("columnheader", { name: /Schedule · next run/ })).toHaveAttribute("aria-sort", "ascending");

  const edited = await server.api("/api/tasks/rotate-logs", { method: "PATCH", json: { description: "touched last" } });
  expect(edited.status).toBe(200);
  await page.getByRole("link", { name: /Last change/ }).click();
  await expect(page).toHaveURL(/sort=changed/);
  await expect(table.locator("tbody tr").first()).toHaveAttribute("data-task-id", "rotate-logs");
});

test("the editor explains cron errors once, in plain words, tells a bad zone from a bad cron, and warns about DST", async ({ page, login }) => {
  await login();
  await page.goto("/tasks/new");
  const preview = page.getByTestId("schedule-preview");
  await page.getByLabel("Name", { exact: true }).fill("Nightly Berlin job");
  await page.getByLabel("Command", { exact: true }).fill("/opt/nightly.sh");
  await page.getByLabel("Schedule (cron)", { exact: true }).fill("61 2 * * *");
  await expect(preview).toHaveText("Not a valid cron expression yet: minute 61 is out of range 0–59");
  await page.getByRole("button", { name: "Create task" }).click();
  // Said once: next to the field, not again in the preview.
  await expect(page.getByText("minute 61 is out of range 0–59")).toHaveCount(2); // the field and the summary at the top
  await expect(preview).not.toContainText("minute 61");

  await page.getByLabel("Schedule (cron)", { exact: true }).fill("30 2 * * *");
  await page.getByLabel("Time zone", { exact: true }).fill("Europe/Berln");
  await expect(preview).toContainText("At 02:30");
  await expect(preview).toContainText("“Europe/Berln” is not a known time zone");
  await expect(preview).not.toContainText("Not a valid cron expression");

  await page.getByLabel("Time zone", { exact: true }).fill("Europe/Berlin");
  await expect(page.getByTestId("dst-warning")).toContainText("the clocks in Europe/Berlin jump from 02:00 to 03:00: 02:30 does not exist that day");
  await page.getByLabel("Schedule (cron)", { exact: true }).fill("@daily");
  await expect(preview).toContainText("At 00:00");
  await expect(page.getByTestId("dst-warning")).toHaveCount(0);
  await page.getByRole("button", { name: "Create task" }).click();
  await expect(page).toHaveURL(/\/tasks\/nightly-berlin-job\?created=1/);
  await expect(page.getByLabel("Schedule (cron)", { exact: true })).toHaveValue("0 0 * * *");
});
