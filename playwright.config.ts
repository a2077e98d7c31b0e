import { defineConfig } from "@playwright/test";
import { chromiumPath } from "./scripts/chromium.mjs";

/**
 * End-to-end tests against the real server (server.ts, production build) driving
 * Debian's Chromium (CHROMIUM_PATH to use another). Each spec starts its own server on a free port with a fresh
 * data folder, YAML file and PGlite database (e2e/_support/app-server.ts);
 * global-setup makes sure the production build is current first.
 */
export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./e2e/_support/global-setup.ts",
  outputDir: "test-results/artifacts",
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    viewport: { width: 1280, height: 900 },
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromiumPath(),
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
});
