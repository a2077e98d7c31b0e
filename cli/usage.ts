const MAIN = `Usage: schedule-sync <command> [options]

Keeps config/schedule_config.yml and the database in sync, from the command line.

Commands:
  check [file...]   validate schedule files offline (no database, no server)
  sync              run one sync now and print what changed
  diff              show the drift between the YAML file and the database (a dry run)
  status            show the sync status
  held              list mass deletions the delete guard holds; --apply or --restore them
  merge-driver      git's merge driver for the file: merges two branches' versions per task
  revisions         list the schedule file's revisions (the versions the server wrote or accepted)
  restore <id>      put both sides back to a revision (--dry-run: show what would change)
  token             print the admin token for the login page (--url: the whole login link)
  users             list, add or remove people (add <name> --role viewer|editor|admin [--password-stdin])
  tokens            list, create or revoke named API tokens (create <name> --role <r> [--expires-days n])
  history           recent sync runs and who made them (--actor alice|token:ci|file|cron, --limit n)
  export            print the enabled tasks as a crontab (CRON_TZ= lines) or JSON, for a scheduler

Run \`schedule-sync <command> --help\` for a command's options.

Where sync, diff and status run:
  DATABASE_URL set (PostgreSQL)  the CLI opens the database itself, like one more server instance
  otherwise (PGlite)             the CLI asks the running server over HTTP: --url, SCHEDULE_SYNC_URL,
                                 or http://localhost:$PORT, with ADMIN_TOKEN or DATA_DIR/admin-token

Exit codes: 0 valid / in sync, 1 drift or open conflicts, 2 invalid input or error.
`;

const COMMANDS: Record<string, string> = {
  users: `Usage: schedule-sync users list | add <username> --role <role> [--password-stdin] | remove <username> [--url <url>] [--json]

People who sign in (issue #18). Roles: viewer (reads everything), editor (edits tasks, resolves
conflicts, runs bidirectional syncs), admin (people and tokens, forced directions, held
deletions). The admin token stays an admin whatever this list holds. People who sign in through
the auth proxy or OIDC are added on first sight.

Options:
  --role <role>      viewer, editor or admin (add)
  --password-stdin   read the password from standard input (add), e.g. \`printf %s "$PW" | schedule-sync users add alice --role editor --password-stdin\`
  --url <url>        the server to ask (PGlite; with DATABASE_URL the CLI opens the database)
  --json             print machine-readable output
  -h, --help         show this help
`,
  tokens: `Usage: schedule-sync tokens list | create <name> --role <role> [--expires-days <n>] | revoke <name> [--url <url>] [--json]

Named API tokens for people and robots (CI, scripts). A new token is printed once, on standard
output; the server keeps only its SHA-256. Use it as \`Authorization: Bearer <token>\`, or give
it to this CLI as SCHEDULE_SYNC_TOKEN. Revoked tokens stay listed.
`,
  history: `Usage: schedule-sync history [--actor <who>] [--limit <n>] [--url <url>] [--json]

Recent sync runs, newest first, with who or what made each: a user, "token <name>", "hand edit
of the file", "cron", "admin token". --actor filters: a name (alice), a kind (file, cron,
admin_token, token, user), or both (token:ci).
`,
  export: `Usage: schedule-sync export [--format crontab|json] [--url <url>]

Prints the enabled tasks (the database's side, as the UI shows them) in a form a scheduler
reads. crontab (default): one entry per task under a comment naming it, a CRON_TZ= line for
each time zone (cronie, vixie cron), % escaped; a task with a seconds field or a multi-line
command has no crontab form and is listed as skipped. json: {version, generatedAt, tasks}.
The server answers the same at GET /api/export?format=crontab|json.

Options:
  -f, --format <f>  crontab (default) or json
  --url <url>       the server to ask (PGlite; see \`schedule-sync --help\`)
  -h, --help        show this help

Exit codes: 0 printed, 2 invalid input or error.
`,
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
  "merge-driver": `Usage: schedule-sync merge-driver <base> <ours> <theirs> [<path>] [--marker-size <n>]

Git's merge driver for the schedule file (%O %A %B %P): merges the two versions per task with
the sync's three-way reconcile and writes the result over <ours>. Tasks changed on one side
keep that side's text and comments; disjoint field edits of one task merge; a field changed
differently on both sides gets git's conflict markers around that task only. Enable it with
  .gitattributes:  config/schedule_config.yml merge=schedule-sync
  git config merge.schedule-sync.driver "npx schedule-sync merge-driver %O %A %B %P --marker-size %L"
When a version is not a valid schedule file, it falls back to \`git merge-file\`.

Options:
      --marker-size <n>    length of the conflict markers (git's %L; default 7)
      --ours-label <s>     text after <<<<<<< (default ours; git 2.44+: %X)
      --base-label <s>     text after ||||||| (default base; git 2.44+: %S)
      --theirs-label <s>   text after >>>>>>> (default theirs; git 2.44+: %Y)
      --diff3              show the base version too (default: as merge.conflictStyle says)
  -h, --help               show this help

Exit codes: 0 merged, 1 conflicts left in <ours>, 2 invalid input or error.
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
  return command && Object.hasOwn(COMMANDS, command) ? COMMANDS[command]! : MAIN;
}
