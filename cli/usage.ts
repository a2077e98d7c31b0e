const MAIN = `Usage: schedule-sync <command> [options]

Keeps config/schedule_config.yml and the database in sync, from the command line.

Commands:
  check [file...]   validate schedule files offline (no database, no server)
  sync              run one sync now and print what changed
  diff              show the drift between the YAML file and the database (a dry run)
  status            show the sync status
  held              list mass deletions the delete guard holds; --apply or --restore them
  revisions         list the schedule file's revisions (the versions the server wrote or accepted)
  restore <id>      put both sides back to a revision (--dry-run: show what would change)
  token             print the admin token for the login page (--url: the whole login link)

Run \`schedule-sync <command> --help\` for a command's options.

Where sync, diff and status run:
  DATABASE_URL set (PostgreSQL)  the CLI opens the database itself, like one more server instance
  otherwise (PGlite)             the CLI asks the running server over HTTP: --url, SCHEDULE_SYNC_URL,
                                 or http://localhost:$PORT, with ADMIN_TOKEN or DATA_DIR/admin-token

Exit codes: 0 valid / in sync, 1 drift or open conflicts, 2 invalid input or error.
`;

const COMMANDS: Record<string, string> = {
  revisions: `Usage: schedule-sync revisions [--limit <n>] [--url <url>] [--json]

Lists the versions of the schedule file the server wrote or accepted, newest first: when, who
(yaml: a file saved by hand or by a program; db, merge, restore: written by the server), and how
many tasks each added, changed and removed. The last SYNC_REVISIONS (and 30 days) are kept.

Options:
  -n, --limit <n>  how many (default 20)
  --url <url>      the server to ask (PGlite; see \`schedule-sync --help\`)
  --json           print machine-readable output
  -h, --help       show this help
`,
  restore: `Usage: schedule-sync restore <revision-id> [--dry-run] [--url <url>] [--json]

Puts the file and the database back to a revision on purpose, as one run (a file saved from an
older version never does that by itself). Tasks with open conflicts are restored too.

Options:
  --dry-run     print what would change, change nothing
  --url <url>   the server to ask (PGlite; see \`schedule-sync --help\`)
  --json        print machine-readable output
  -h, --help    show this help
`,
  held: `Usage: schedule-sync held [--apply | --restore] [--side yaml|db] [--dry-run] [--url <url>] [--json]

A run that would delete more tasks on one side than SYNC_DELETE_GUARD allows (by default more
than 10 and more than 25 %) holds those deletions: the other side keeps the tasks until a
person decides. Without options, lists them.

Options:
  --apply       delete them on the other side too
  --restore     put them back on the side that deleted them
  --side <s>    only the deletions made in yaml (the file) or db (the database)
  --dry-run     with --apply or --restore: print what would happen, change nothing
  --url <url>   the server to ask (PGlite; see \`schedule-sync --help\`)
  --json        print machine-readable output
  -h, --help    show this help

Exit codes: 0 nothing held (or decided), 1 deletions are held, 2 invalid input or error.
`,
  check: `Usage: schedule-sync check [file...] [--json]

Validates schedule files with the server's own parser and limits, without a database or a
server: for pre-commit hooks and CI. Each problem prints as \`file:line:column: message\`.
With no file, checks SCHEDULE_CONFIG_PATH (default config/schedule_config.yml).

Options:
  --json       print {valid, files: [{file, valid, tasks, issues, warnings}]} instead
  -h, --help   show this help

Exit codes: 0 every file is valid, 2 a file is invalid or unreadable.
`,
  sync: `Usage: schedule-sync sync [--direction <dir>] [--force] [--dry-run] [--url <url>] [--json]

Runs one sync between the YAML file and the database and prints a summary: what each side
gained, changed and lost, the changed task ids, and the conflicts left open.

Options:
  -d, --direction <dir>  bidirectional (default): three-way, per task and field
                         yaml_to_db: the YAML file wins every difference
                         db_to_yaml: the database wins every difference
      --force            with yaml_to_db or db_to_yaml: that side also wins open conflicts
      --dry-run          print the plan (like \`diff\`) and change nothing
      --url <url>        talk to the server at <url> (also with DATABASE_URL set)
      --json             print the run's result as JSON
  -h, --help             show this help

Exit codes: 0 in sync with no open conflict, 1 conflicts remain (or, with --dry-run, drift),
2 invalid YAML or another error.
`,
  diff: `Usage: schedule-sync diff [--direction <dir>] [--force] [--url <url>] [--json]

Shows the drift between the YAML file and the database: a dry run of \`sync\` that lists, per
task, what the YAML file or the database would gain (+), change (~) or lose (-), with the
differing fields, and the conflicts (!). Nothing is written.

Options:
  -d, --direction <dir>  plan as \`sync --direction <dir>\` would (default bidirectional)
      --force            plan as \`sync --direction <dir> --force\` would
      --url <url>        talk to the server at <url> (also with DATABASE_URL set)
      --json             print the plan as JSON
  -h, --help             show this help

Exit codes: 0 no drift, 1 drift or conflicts, 2 invalid YAML or another error.
`,
  status: `Usage: schedule-sync status [--url <url>] [--json]

Shows the sync status: the server's state, the YAML file's validity, open conflicts and the
last run. With DATABASE_URL set (and no --url) it reads the database and the file directly.

Options:
      --url <url>  talk to the server at <url> (also with DATABASE_URL set)
      --json       print the status as JSON
  -h, --help       show this help

Exit codes: 0 healthy, 1 open conflicts, an invalid file or a failed last run, 2 error.
`,
  token: `Usage: schedule-sync token [--url <url>] [--json]

Prints the admin token the server accepts: ADMIN_TOKEN when set, else the one the server
generated in DATA_DIR/admin-token on its first start (the CLI never creates one). Paste it on
the login page, or open the link that --url prints.

Options:
      --url <url>  print the login link for the server at <url>: <url>/login?token=…
      --json       print {token, source, loginUrl?}
  -h, --help       show this help

Exit codes: 0 printed, 2 no token yet (start the server once) or an error.
`,
};

/** The help text of one command, or the overview. */
export function usage(command?: string): string {
  return (command && COMMANDS[command]) || MAIN;
}
