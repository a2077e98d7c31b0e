import http from "node:http";
import { verifySignature, SIGNATURE_HEADER } from "../lib/webhooks/sign-payload";
import { editYaml, expect, snap, test } from "./_support/fixtures";

// Issue #21: an admin adds an outgoing webhook in the browser, a receiver on loopback gets
// signed events (one deletions.held for a whole mass deletion), and the webhook's delivery log
// shows each delivery.

const SECRET = "e2e-webhook-secret-0123456789";

test("an admin adds a webhook in the UI; its events arrive signed and its delivery log shows them", async ({ page, login, server }) => {
  const received: { event: string; body: string; signature: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      received.push({ event: String(req.headers["x-schedule-sync-event"]), body, signature: String(req.headers[SIGNATURE_HEADER]) });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  try {
    await login();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
    await page.getByLabel("Name").fill("crontab generator");
    await page.getByLabel("URL").fill(url);
    await page.getByLabel("Secret").fill(SECRET);
    await page.getByLabel("deletions.held").check();
    await page.getByRole("button", { name: "Add webhook" }).click();
    await expect(page.getByText("Added crontab generator.")).toBeVisible();
    const row = page.locator('tr[data-webhook="crontab generator"]');
    await expect(row).toContainText("schedule.changed, deletions.held");
    await expect(page.getByText(SECRET)).toHaveCount(0);

    // An edit through the API, then a mass deletion in the file (held by the delete guard).
    expect((await server.api("/api/tasks/daily-backup", { method: "PATCH", json: { schedule: "45 2 * * *" } })).status).toBe(200);
    await editYaml(server, (doc) => {
      for (let i = 0; i < 16; i++) doc.setIn(["tasks", `bulk-${i}`], { name: `Bulk ${i}`, schedule: "0 3 * * *", command: `/bin/bulk ${i}` });
    });
    expect((await server.api("/api/sync/trigger", { method: "POST", json: {} })).status).toBe(200);
    await editYaml(server, (doc) => {
      for (let i = 0; i < 16; i++) doc.deleteIn(["tasks", `bulk-${i}`]);
    });
    expect((await server.api("/api/sync/trigger", { method: "POST", json: {} })).status).toBe(200);

    await expect.poll(() => received.filter((r) => r.event === "deletions.held").length).toBe(1);
    const held = JSON.parse(received.find((r) => r.event === "deletions.held")!.body) as { data: { taskIds: string[] } };
    expect(held.data.taskIds).toHaveLength(16);
    const changed = received.filter((r) => r.event === "schedule.changed").map((r) => JSON.parse(r.body) as { data: { taskIds: string[] } });
    expect(changed.some((b) => b.data.taskIds.includes("daily-backup"))).toBe(true);
    for (const r of received) expect(verifySignature(SECRET, r.body, r.signature), r.event).toBe(true);

    await page.reload();
    await row.getByRole("link", { name: "Delivery log" }).click();
    await expect(page.getByRole("heading", { name: "Delivery log: crontab generator" })).toBeVisible();
    const rows = page.getByTestId("deliveries-table").locator("tbody tr");
    await expect(rows).toHaveCount(received.length);
    await expect(rows.filter({ hasText: "deletions.held" })).toContainText("delivered");
    await expect(rows.filter({ hasText: "deletions.held" })).toContainText("HTTP 200");
    await snap(page, "webhook-deliveries");
  } finally {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
