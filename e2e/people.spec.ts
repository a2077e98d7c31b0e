import type { Browser, Page } from "@playwright/test";
import { apiTask, expect, snap, test } from "./_support/fixtures";

/**
 * Issue #18 in a real browser: two people editing the same task in two browsers see each other
 * and whose save won; a viewer sees everything and can change nothing; an admin manages people.
 */

const PASSWORDS = { alice: "alice-password-0123", bob: "bob-password-0123", carol: "carol-password-0123" } as const;

async function signIn(browser: Browser, url: string, who: keyof typeof PASSWORDS): Promise<Page> {
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByRole("button", { name: "Username and password" }).click();
  await page.getByLabel("Username", { exact: true }).fill(who);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORDS[who]);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toContainText(who);
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  return page;
}

test.beforeAll(async ({ server }) => {
  for (const [username, role] of [
    ["alice", "editor"],
    ["bob", "editor"],
    ["carol", "viewer"],
  ] as const) {
    const res = await server.api("/api/users", { json: { username, role, password: PASSWORDS[username] } });
    expect(res.status).toBe(201);
  }
});

test("two people on one task see each other, and the one who saved second is told who saved first", async ({ browser, server }) => {
  const alice = await signIn(browser, server.url, "alice");
  const bob = await signIn(browser, server.url, "bob");
  await alice.goto("/tasks/daily-backup");
  await bob.goto("/tasks/daily-backup");
  await expect(alice.getByTestId("presence")).toHaveText("bob is also looking at this");
  await expect(bob.getByTestId("presence")).toHaveText("alice is also looking at this");

  // Both change the name; Alice saves first.
  await bob.getByLabel("Name", { exact: true }).fill("Bob's backup");
  await alice.getByLabel("Name", { exact: true }).fill("Alice's backup");
  await alice.getByRole("button", { name: "Save changes" }).click();
  await expect(alice.getByRole("status").filter({ hasText: /^.?Saved/ })).toBeVisible();
  await expect(alice.getByTestId("last-changed-by")).toHaveText("alice in the dashboard");

  // Bob's page hears of it live and names her; his save then asks, naming her again.
  await expect(bob.getByTestId("newer-saved-by")).toHaveText("alice in the dashboard");
  await bob.getByRole("button", { name: "Save changes" }).click();
  const clash = bob.getByRole("status").filter({ hasText: "You and alice in the dashboard both changed Name" });
  await expect(clash).toBeVisible();
  await expect(clash.getByTestId("stale-saved-by")).toHaveText("alice in the dashboard");
  await snap(bob, "people-stale-save");
  expect((await apiTask(server, "daily-backup")).name).toBe("Alice's backup");
  await clash.getByRole("button", { name: "Keep mine for this field" }).click();
  await expect(bob.getByRole("status").filter({ hasText: /^.?Saved/ })).toBeVisible();
  await expect(bob.getByTestId("last-changed-by")).toHaveText("bob in the dashboard");
  expect((await apiTask(server, "daily-backup")).name).toBe("Bob's backup");

  // History names both of them, newest first, and filters by one.
  await expect(bob.locator("[data-testid=change-actor]").first()).toHaveText("bob in the dashboard");
  await expect(bob.locator("[data-testid=change-actor]").nth(1)).toHaveText("alice in the dashboard");
  await bob.goto("/history?actor=alice");
  await expect(bob.getByTestId("run-actor")).toHaveText(["alice in the dashboard"]);

  // Bob leaves: Alice is alone again.
  await bob.context().close();
  await expect(alice.getByTestId("presence")).toHaveCount(0);
  await alice.context().close();
});

test("a viewer sees everything and the server refuses her changes", async ({ browser, server }) => {
  const carol = await signIn(browser, server.url, "carol");
  await expect(carol.getByTestId("viewer-note")).toBeVisible();
  await expect(carol.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "People" })).toHaveCount(0);
  await carol.goto("/tasks/weekly-report");
  const before = await apiTask(server, "weekly-report");
  // The form is there to read, with every control off, and no delete button.
  await expect(carol.getByLabel("Name", { exact: true })).toBeDisabled();
  await expect(carol.getByRole("button", { name: "Save changes" })).toBeDisabled();
  await expect(carol.getByRole("button", { name: "Delete task…" })).toHaveCount(0);
  // And the server refuses her session's writes whatever the page offers.
  const refused = await carol.evaluate(async () => {
    const res = await fetch("/api/tasks/weekly-report", { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Carol's report" }) });
    return { status: res.status, code: (await res.json()).error?.code };
  });
  expect(refused).toEqual({ status: 403, code: "forbidden" });
  expect(await apiTask(server, "weekly-report")).toEqual(before);
  await carol.goto("/people");
  await expect(carol.getByText("Only admins manage people and tokens")).toBeVisible();
  await carol.context().close();
});

test("an admin adds people and creates a token that is shown once", async ({ page, login, server }) => {
  await login();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "People" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "People" })).toBeVisible();
  await expect(page.getByTestId("users-table")).toContainText("alice");

  const addUser = page.getByRole("form", { name: "Add a user" });
  await addUser.getByLabel("Username").fill("dave");
  await addUser.getByLabel("Role").selectOption("editor");
  await addUser.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("users-table").getByRole("row", { name: /dave/ })).toBeVisible();

  const createToken = page.getByRole("form", { name: "Create a token" });
  await createToken.getByLabel("Name").fill("ci-deploy");
  await createToken.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("new-token-secret").textContent())!.trim();
  expect(secret).toMatch(/^ssk_/);
  await expect(page.getByTestId("tokens-table")).toContainText("ci-deploy");
  await expect(page.getByTestId("tokens-table")).not.toContainText(secret);
  const res = await fetch(`${server.url}/api/tasks`, { headers: { authorization: `Bearer ${secret}` } });
  expect(res.status).toBe(200);
  await snap(page, "people-admin");
});
