import fs from "node:fs/promises";
import path from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import { parseDocument } from "yaml";
import { E2E_TOKEN, ROOT, startAppServer, type AppServer } from "./app-server";

export { expect };

/** The file every spec's server starts from; comments included, as people write it. */
export const SEED_YAML = `# Scheduled tasks of the e2e team
version: 1
tasks:
  daily-backup:                 # the important one
    name: Daily database backup
    schedule: "0 2 * * *"
    timezone: UTC
    command: /opt/scripts/backup.sh --full
    enabled: true
    description: Full dump to object storage
    tags: [ops, db]
  weekly-report:
    name: Weekly report
    schedule: "30 7 * * MON"
    timezone: Europe/Berlin
    command: /opt/scripts/report.sh
    enabled: false
    tags: [reports]
  cleanup-tmp:
    name: Clean temp files
    schedule: "*/15 * * * *"
    command: find /tmp -mtime +1 -delete
  rotate-logs:
    name: Rotate logs
    schedule: "0 0 * * *"
    command: logrotate /etc/logrotate.conf
    tags: [ops]
  send-digest:
    name: Send digest
    schedule: "0 8 * * 1-5"
    command: /opt/scripts/digest.sh
  warm-cache:
    name: Warm cache
    schedule: "*/30 * * * *"
    command: /opt/scripts/warm.sh
    tags: [web]
`;

export interface TaskJson {
  id: string;
  name: string;
  schedule: string;
  timezone: string;
  command: string;
  enabled: boolean;
  description: string | null;
  tags: string[];
  version: number;
}

type WorkerFixtures = { server: AppServer; serverEnv: Record<string, string> };
type TestFixtures = { login: (page?: Page) => Promise<void> };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  // Every page of every spec runs under the server's Content-Security-Policy: a script, style or
  // connection the policy blocks (Chromium reports it on the console) fails the test.
  page: async ({ page }, use) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      // (frame-ancestors reports are the policy keeping another site from framing us: not breakage.)
      if (/Content Security Policy/i.test(message.text()) && !/frame-ancestors/.test(message.text())) violations.push(message.text());
    });
    await use(page);
    expect(violations, "Content-Security-Policy violations").toEqual([]);
  },
  serverEnv: [{}, { scope: "worker", option: true }],
  server: [
    async ({ serverEnv }, use) => {
      const server = await startAppServer({ yaml: SEED_YAML, env: serverEnv });
      try {
        await use(server);
      } finally {
        await server.stop();
      }
    },
    { scope: "worker", timeout: 120_000 },
  ],
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
  login: async ({ page }, use) => {
    await use(async (target = page) => {
      // Jupyter-style login link: sets the session cookie and lands on the dashboard.
      await target.goto(`/login?token=${E2E_TOKEN}`);
      await expect(target.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
      await expect(target.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
    });
  },
});

/** The YAML file's tasks as plain data. */
export async function yamlTasks(server: AppServer): Promise<Record<string, Record<string, unknown>>> {
  const doc = parseDocument(await server.readYaml());
  return ((doc.toJS() as { tasks?: Record<string, Record<string, unknown>> }).tasks ?? {}) as Record<string, Record<string, unknown>>;
}

/** A hand edit of the file through the yaml Document API (comments stay). */
export async function editYaml(server: AppServer, edit: (doc: ReturnType<typeof parseDocument>) => void): Promise<void> {
  const doc = parseDocument(await server.readYaml());
  edit(doc);
  await server.writeYaml(doc.toString());
}

export async function apiTask(server: AppServer, id: string): Promise<TaskJson> {
  const res = await server.api<TaskJson>(`/api/tasks/${id}`);
  expect(res.status, `GET /api/tasks/${id}`).toBe(200);
  return res.body;
}

export const SCREENSHOTS = path.join(ROOT, "test-results", "screenshots");

/**
 * Saves full-page screenshots at laptop size (1440×900) and phone size (390×844), and checks
 * that nothing overflows sideways on the phone. Restores the viewport afterwards.
 */
export async function snap(page: Page, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  try {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} must not scroll sideways at 390 px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  } finally {
    await page.setViewportSize(size);
  }
}
