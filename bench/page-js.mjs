// `node bench/page-js.mjs`: JavaScript each page of the production build loads, gzipped.
// Per page: Next's root main files (runtime, React, router) plus every chunk its client
// reference manifest lists for the page and the layouts, error and not-found boundaries
// above it — the <script> chunks the server puts in that page's HTML, less the `nomodule`
// polyfill chunk, which browsers that run the app's modules skip. Needs `npm run build`.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import vm from "node:vm";

const NEXT = path.resolve(import.meta.dirname, "..", process.env.NEXT_DIST_DIR || ".next");
const rootMain = JSON.parse(readFileSync(path.join(NEXT, "build-manifest.json"), "utf8")).rootMainFiles;
const gz = new Map();
const gzipped = (file) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(path.join(NEXT, file)), { level: 9 }).length);
  return gz.get(file);
};

function* manifests(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === "api") continue;
    if (statSync(full).isDirectory()) yield* manifests(full);
    else if (name === "page_client-reference-manifest.js") yield full;
  }
}

const rows = [];
for (const file of manifests(path.join(NEXT, "server", "app"))) {
  const sandbox = { self: {} };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(readFileSync(file, "utf8"), sandbox);
  for (const [route, manifest] of Object.entries(sandbox.__RSC_MANIFEST ?? sandbox.self.__RSC_MANIFEST ?? {})) {
    const chunks = new Set(rootMain);
    for (const list of Object.values(manifest.entryJSFiles)) for (const chunk of list) chunks.add(chunk);
    const bytes = [...chunks].reduce((sum, chunk) => sum + gzipped(chunk), 0);
    rows.push({ route: route.replace(/\/page$/, "") || "/", kb: (bytes / 1024).toFixed(1), chunks: chunks.size });
  }
}
rows.sort((a, b) => a.route.localeCompare(b.route));
if (process.argv.includes("--json")) console.log(JSON.stringify(rows));
else for (const row of rows) console.log(`${row.kb.padStart(7)} KB gz  ${String(row.chunks).padStart(2)} chunks  ${row.route}`);
