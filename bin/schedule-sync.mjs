#!/usr/bin/env node
// The schedule-sync command line (README "Command line"): runs cli/main.ts through tsx.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
await import("../cli/main.ts");
