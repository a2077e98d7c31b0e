import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Direction } from "../lib/sync/reconcile/plan";
import { directionSchema } from "../lib/sync/sync-schemas";
import { exportFormatSchema, renderExport } from "../lib/export/export-schedule";
import { checkCommand } from "./check-command";
import { mergeDriverCommand } from "./merge-driver-command";
import { tokenCommand } from "./token-command";
import { historyCommand, tokensCommand, usersCommand } from "./people-commands";
import { CliError, UsageError } from "./cli-error";
import { EXIT, type CliIo } from "./cli-io";
import { displayPath, formatIssues } from "./format-issues";
import { formatPlan, hasDrift } from "./format-plan";
import { formatRun } from "./format-run";
import { formatHeld, formatHeldDecision } from "./format-held";
import { formatStatus, statusNeedsAttention } from "./format-status";
import { formatRestore, formatRevisions } from "./format-revisions";
import { loadCliConfig } from "./load-cli-config";
import { openSyncBackend } from "./open-sync-backend";
import type { SyncBackend } from "./sync-backend";
import { usage } from "./usage";

export type { CliIo } from "./cli-io";

type OptionSpec = { type: "string" | "boolean"; short?: string };
type Values = Record<string, string | boolean | undefined>;

interface Command {
  options: Record<string, OptionSpec>;
  positionals: boolean;
  run(values: Values, positionals: string[], io: CliIo): Promise<number>;
}

const HELP: Record<string, OptionSpec> = { help: { type: "boolean", short: "h" }, json: { type: "boolean" } };
const REMOTE: Record<string, OptionSpec> = { url: { type: "string" } };
const PLAN: Record<string, OptionSpec> = { direction: { type: "string", short: "d" }, force: { type: "boolean" } };

const COMMANDS: Record<string, Command> = {
  check: {
    options: HELP,
    positionals: true,
    run: (values, files, io) => checkCommand(files, { json: values.json === true }, io),
  },
  sync: {
    options: { ...HELP, ...REMOTE, ...PLAN, "dry-run": { type: "boolean" } },
    positionals: false,
    run: async (values, _, io) => {
      const plan = planOptions(values);
      const dryRun = values["dry-run"] === true;
      return withBackend(values, io, async (backend) => {
        const result = await backend.run({ ...plan, dryRun });
        if (dryRun) {
          io.stdout.write(values.json ? json(result) : formatPlan(result, backend.where));
          return hasDrift(result) ? EXIT.attention : EXIT.ok;
        }
        const conflicts = result.conflicts > 0 ? await backend.openConflicts() : [];
        io.stdout.write(values.json ? json({ ...result, openConflicts: conflicts }) : formatRun(result, conflicts, backend.where));
        return result.conflicts > 0 ? EXIT.attention : EXIT.ok;
      });
    },
  },
  diff: {
    options: { ...HELP, ...REMOTE, ...PLAN },
    positionals: false,
    run: (values, _, io) =>
      withBackend(values, io, async (backend) => {
        const result = await backend.run({ ...planOptions(values), dryRun: true });
        io.stdout.write(values.json ? json(result) : formatPlan(result, backend.where));
        return hasDrift(result) ? EXIT.attention : EXIT.ok;
      }),
  },
  "merge-driver": {
    options: {
      help: { type: "boolean", short: "h" },
      "marker-size": { type: "string" },
      "ours-label": { type: "string" },
      "base-label": { type: "string" },
      "theirs-label": { type: "string" },
      diff3: { type: "boolean" },
    },
    positionals: true,
    run: (values, files, io) =>
      mergeDriverCommand(
        files,
        {
          markerSize: values["marker-size"] as string | undefined,
          labels: { ours: values["ours-label"] as string | undefined, base: values["base-label"] as string | undefined, theirs: values["theirs-label"] as string | undefined },
          diff3: values.diff3 === true ? true : undefined,
        },
        io,
      ),
  },
  token: {
    options: { ...HELP, ...REMOTE },
    positionals: false,
    run: (values, _, io) => tokenCommand({ url: typeof values.url === "string" ? values.url : undefined, json: values.json === true }, io),
  },
  held: {
    options: { ...HELP, ...REMOTE, apply: { type: "boolean" }, restore: { type: "boolean" }, side: { type: "string" }, "dry-run": { type: "boolean" } },
    positionals: false,
    run: (values, _, io) => {
      const action = values.apply ? "apply" : values.restore ? "restore" : null;
      if (values.apply && values.restore) throw new UsageError("--apply and --restore exclude each other");
      if (values.side !== undefined && values.side !== "yaml" && values.side !== "db") throw new UsageError(`--side must be yaml or db, not ${JSON.stringify(values.side)}`);
      return withBackend(values, io, async (backend) => {
        const held = await backend.held();
        if (!action) {
          io.stdout.write(values.json ? json(held) : formatHeld(held, backend.where));
          return held.yaml.length + held.db.length > 0 ? EXIT.attention : EXIT.ok;
        }
        const sides = values.side ? [values.side as "yaml" | "db"] : (["yaml", "db"] as const).filter((side) => held[side].length > 0);
        const results = [];
        for (const deletedIn of sides) results.push({ deletedIn, ...(await backend.decideHeld({ deletedIn, action, dryRun: values["dry-run"] === true })) });
        io.stdout.write(values.json ? json(results) : formatHeldDecision(results, action, values["dry-run"] === true));
        return EXIT.ok;
      });
    },
  },
  // People (issue #18).
  users: {
    options: { ...HELP, ...REMOTE, role: { type: "string" }, "password-stdin": { type: "boolean" } },
    positionals: true,
    run: (values, positionals, io) => usersCommand(values, positionals, io, () => (io.stdin ? io.stdin() : Promise.resolve(""))),
  },
  tokens: {
    options: { ...HELP, ...REMOTE, role: { type: "string" }, "expires-days": { type: "string" } },
    positionals: true,
    run: (values, positionals, io) => tokensCommand(values, positionals, io),
  },
  history: {
    options: { ...HELP, ...REMOTE, actor: { type: "string" }, limit: { type: "string" } },
    positionals: false,
    run: (values, _, io) => historyCommand(values, io),
  },
  export: {
    options: { help: HELP.help, ...REMOTE, format: { type: "string", short: "f" } },
    positionals: false,
    run: (values, _, io) => {
      const format = exportFormatSchema.safeParse(values.format ?? "crontab");
      if (!format.success) throw new UsageError(`--format must be crontab or json, not ${JSON.stringify(values.format)}`);
      return withBackend(values, io, async (backend) => {
        io.stdout.write(renderExport(format.data, await backend.enabledTasks()));
        return EXIT.ok;
      });
    },
  },
  revisions: {
    options: { ...HELP, ...REMOTE, limit: { type: "string", short: "n" } },
    positionals: false,
    run: (values, _, io) => {
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError(`--limit must be a whole number from 1 to 500, not ${JSON.stringify(values.limit)}`);
      return withBackend(values, io, async (backend) => {
        const revisions = await backend.revisions(limit);
        io.stdout.write(values.json ? json(revisions) : formatRevisions(revisions, backend.where));
        return EXIT.ok;
      });
    },
  },
  restore: {
    options: { ...HELP, ...REMOTE, "dry-run": { type: "boolean" } },
    positionals: true,
    run: (values, positionals, io) => {
      if (positionals.length !== 1) throw new UsageError("expected one revision id (see `schedule-sync revisions`)");
      const dryRun = values["dry-run"] === true;
      return withBackend(values, io, async (backend) => {
        const result = await backend.restoreRevision({ id: positionals[0]!, dryRun });
        io.stdout.write(values.json ? json(result) : formatRestore(result));
        return EXIT.ok;
      });
    },
  },
  status: {
    options: { ...HELP, ...REMOTE },
    positionals: false,
    run: (values, _, io) =>
      withBackend(values, io, async (backend) => {
        const status = await backend.status();
        io.stdout.write(values.json ? json(status) : formatStatus(status, displayPath(status.yaml.path, io.cwd)));
        return statusNeedsAttention(status) ? EXIT.attention : EXIT.ok;
      }),
  },
};

/**
 * The `schedule-sync` command line: `check`, `sync`, `diff`, `status`, `token`. Returns the exit
 * code instead of exiting, and writes only to `io`, so tests call it in-process.
 *
 * @example
 * const code = await cli(["check", "config/schedule_config.yml"], { stdout, stderr, env: process.env, cwd: process.cwd() });
 */
export async function cli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr.write(usage());
    return EXIT.error;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = args[0];
    if (topic !== undefined && !(topic in COMMANDS)) return usageError(io, `unknown command ${JSON.stringify(topic)}`);
    io.stdout.write(usage(topic));
    return EXIT.ok;
  }
  if (name === "--version" || name === "-V") {
    io.stdout.write(`schedule-sync ${version()}\n`);
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    return usageError(io, name.startsWith("-") ? `expected a command before ${name}` : `unknown command ${JSON.stringify(name)}`);
  }

  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options: command.options, allowPositionals: command.positionals, strict: true }));
  } catch (error) {
    return usageError(io, firstSentence((error as Error).message), name);
  }
  if (values.help) {
    io.stdout.write(usage(name));
    return EXIT.ok;
  }
  try {
    return await command.run(values, positionals, io);
  } catch (error) {
    return report(error, name, values.json === true, io);
  }
}

function planOptions(values: Values): { direction: Direction; force: boolean } {
  const parsed = directionSchema.safeParse(values.direction ?? "bidirectional");
  if (!parsed.success) {
    throw new UsageError(`--direction must be one of ${directionSchema.options.join(", ")}, not ${JSON.stringify(values.direction)}`);
  }
  const force = values.force === true;
  if (force && parsed.data === "bidirectional") {
    throw new UsageError("--force needs --direction yaml_to_db or db_to_yaml: it lets that side win open conflicts too");
  }
  return { direction: parsed.data, force };
}

async function withBackend(values: Values, io: CliIo, work: (backend: SyncBackend) => Promise<number>): Promise<number> {
  const url = typeof values.url === "string" ? values.url : undefined;
  if (values.url === "") throw new UsageError("--url needs a URL, e.g. --url http://localhost:3000");
  const backend = await openSyncBackend({ url }, loadCliConfig(io), io);
  try {
    return await work(backend);
  } finally {
    await backend.close().catch(() => undefined);
  }
}

function report(error: unknown, command: string, asJson: boolean, io: CliIo): number {
  if (error instanceof UsageError) return usageError(io, error.message, command);
  const cliError =
    error instanceof CliError ? error : new CliError("unexpected", `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  const file = cliError.file ? displayPath(cliError.file, io.cwd) : null;
  if (asJson) {
    io.stdout.write(json({ error: { code: cliError.code, message: cliError.message, ...(file ? { file } : {}), issues: cliError.issues } }));
  }
  if (cliError.issues.length > 0) io.stderr.write(`${formatIssues(file ?? "schedule file", cliError.issues)}\n`);
  else if (file) io.stderr.write(`${file}: invalid\n`);
  io.stderr.write(`schedule-sync ${command}: ${cliError.message}\n`);
  if (!(error instanceof CliError) && io.env.DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return EXIT.error;
}

function usageError(io: CliIo, message: string, command?: string): number {
  io.stderr.write(`schedule-sync${command ? ` ${command}` : ""}: ${message}\n\n${usage(command)}`);
  return EXIT.error;
}

/** node:util's parse errors carry a long hint after the first sentence. */
function firstSentence(message: string): string {
  return message.split(/\.\s/)[0].replace(/\.$/, "");
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
