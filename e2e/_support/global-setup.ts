import { rmSync } from "node:fs";
import path from "node:path";
import { buildApp, ensureFreshBuild } from "../../scripts/build.mjs";
import { missingChromium } from "../../scripts/chromium.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * The e2e tests run the production server, so they need a production build that is
 * not older than the sources. `npm run build` first is the fast path; a missing or
 * stale build is rebuilt here so a test run never exercises yesterday's UI.
 */
export default async function globalSetup() {
  // Said once, before any test, instead of every test failing on "executable doesn't exist".
  const missing = missingChromium();
  if (missing) throw new Error(missing);
  // Screenshots of this run only.
  rmSync(path.join(ROOT, "test-results", "screenshots"), { recursive: true, force: true });
  await (process.env.E2E_FORCE_BUILD ? buildApp() : ensureFreshBuild());
}
