import { E2E_TOKEN } from "./_support/app-server";
import { expect, snap, test } from "./_support/fixtures";

test("a page without a session goes to the login page; the token logs in and out", async ({ page }) => {
  await page.goto("/conflicts");
  await expect(page).toHaveURL(/\/login\?next=%2Fconflicts$/);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await snap(page, "login");

  await page.getByRole("textbox", { name: "Admin token" }).fill("not-the-token-at-all");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("#token-error")).toHaveText("That token is not valid.");
  await expect(page.getByRole("textbox", { name: "Admin token" })).toHaveAttribute("aria-invalid", "true");

  await page.getByRole("textbox", { name: "Admin token" }).fill(E2E_TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/conflicts$/);
  await expect(page.getByRole("heading", { level: 1, name: "Conflicts" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Conflicts" })).toHaveAttribute("aria-current", "page");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
});

test("a wrong token in the login link shows an error on the login page", async ({ page }) => {
  await page.goto("/login?token=nope-nope-nope-nope");
  await expect(page).toHaveURL(/\/login\?error=invalid_token$/);
  await expect(page.locator("#token-error")).toHaveText("That token is not valid.");
});
