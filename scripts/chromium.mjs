// The Chromium the end-to-end tests drive: CHROMIUM_PATH, else Debian's /usr/bin/chromium.
// Nothing is downloaded (no `npx playwright install`); a missing browser is said once, up front.
import { accessSync, constants } from "node:fs";
import { pathToFileURL } from "node:url";

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || "/usr/bin/chromium";
}

/** A sentence saying how to get a browser, or null when the one configured is there. */
export function missingChromium() {
  const file = chromiumPath();
  try {
    accessSync(file, constants.X_OK);
    return null;
  } catch {
    return (
      `The end-to-end tests need Chromium at ${file}${process.env.CHROMIUM_PATH ? " (CHROMIUM_PATH)" : ""}, and it is not there.\n` +
      "Install Debian's: `sudo apt-get install chromium`, or point CHROMIUM_PATH at a Chromium or Chrome binary:\n" +
      "  CHROMIUM_PATH=/path/to/chrome npm test"
    );
  }
}

// `node scripts/chromium.mjs`: the check `npm test` runs before anything else.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const message = missingChromium();
  if (message) {
    console.error(message);
    process.exit(1);
  }
}
