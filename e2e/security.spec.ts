import http from "node:http";
import { E2E_TOKEN } from "./_support/app-server";
import { expect, test } from "./_support/fixtures";

test("after logging in, a `next` that browsers would read as another host stays on this site", async ({ page, server }) => {
  // Browsers drop tabs and newlines from URLs: "/\t/evil.example/x" is "//evil.example/x".
  await page.context().route((url) => url.hostname === "evil.example", (route) => route.fulfill({ contentType: "text/html", body: "<h1>evil</h1>" }));
  for (const next of ["/%09/evil.example/x", "/%0a/evil.example/x", "/%5Cevil.example", "/.//evil.example"]) {
    await page.context().clearCookies();
    await page.goto(`/login?next=${next}`);
    await page.getByRole("textbox", { name: "Admin token" }).fill(E2E_TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
    expect(new URL(page.url()).origin, next).toBe(new URL(server.url).origin);
  }
});

test("a page of another origin on the same host cannot frame the dashboard, even with the session", async ({ page, login, server }) => {
  await login();
  // Another port of the same host is the same site: the SameSite=Strict cookie would go along.
  const framer = http.createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end(`<h1>framer</h1><iframe src="${server.url}/conflicts" width="800" height="600"></iframe>`);
  });
  await new Promise<void>((resolve) => framer.listen(0, "127.0.0.1", () => resolve()));
  try {
    const port = (framer.address() as { port: number }).port;
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: "load" });
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame).toBeTruthy();
    expect(await frame!.locator("h1").allTextContents()).not.toContain("Conflicts");
  } finally {
    await new Promise((resolve) => framer.close(resolve));
  }
});
