/**
 * The `qadmin` command: dispatches to a subcommand and turns its failures
 * into one line and an exit code (2 for a mistake in the invocation, 1 for a
 * failure at run time). Arguments are parsed by `node:util`'s parseArgs:
 * built into Node, strict about unknown flags, with `--no-<flag>` negation, and
 * nothing to install for a command people run through `npx`.
 */
import { parseArgs } from 'node:util';
import { jobActionCommand } from './commands/actions';
import { usageFromParseError } from './commands/args';
import { cleanCommand, retryAllCommand } from './commands/bulk';
import { sanitize } from './commands/format';
import { jobCommand, jobsCommand } from './commands/jobs';
import { queuesCommand } from './commands/queues';
import { requestedLogFormat, resolveServeSettings, type ServeFlags } from './config';
import { CommandError, describeError, StartupError, UsageError } from './errors';
import { hashPasswordCommand } from './hash-password';
import { createLogger, type LogFormat, type Output, routeConsole } from './log';
import { serve } from './serve';

declare const __QADMIN_CLI_VERSION__: string | undefined;

/** The version the package was built as. */
export const VERSION: string =
  typeof __QADMIN_CLI_VERSION__ === 'string' ? __QADMIN_CLI_VERSION__ : '0.0.0-dev';

const MAIN_HELP = `Usage: qadmin <command> [flags]

The qadmin dashboard for Node.js job queues, from the command line.

Commands:
  serve           run the dashboard on its own server (qadmin serve --help)
  hash-password   print the scrypt hash of a password read from standard input,
                  for auth.users in qadmin.config.json

  Against a running dashboard (qadmin <command> --help for each):
  queues                        every queue with its job counts
  jobs <queue> --state <state>  a queue's jobs in one state (--search, --limit, --all)
  job <queue> <id>              one job with its data, result and stack trace
  retry <queue> <id...>         run failed jobs again
  remove <queue> <id...>        remove jobs
  promote <queue> <id...>       run delayed jobs now
  retry-all <queue>             run every failed job again
  clean <queue> --state <state> remove old jobs (--older-than 7d)

  <queue> is a queue id (memory:emails), or its name when only one backend
  has a queue by that name. They print a table, or JSON with --json.

Connection (commands against a dashboard):
  --url <url>     the dashboard, with its base path                QADMIN_URL
                  (default http://127.0.0.1:3000)
  --token <token> a bearer token from auth.tokens of its config    QADMIN_TOKEN
                  (prefer the variable: flags show in the process list)

Flags:
  -h, --help      show this help
  -v, --version   show the version

Exit codes of the commands against a dashboard: 0 done, 1 failed (it cannot be
reached or refused, a job or queue does not exist, some of several jobs
failed), 2 bad flags or arguments.

Examples:
  npx @qadmin/cli serve --demo
  qadmin serve --redis redis://127.0.0.1:6379
  qadmin serve --postgres postgres://app@127.0.0.1/app --host 0.0.0.0 --config qadmin.config.json
  echo -n "$PASSWORD" | qadmin hash-password
  QADMIN_URL=https://ops.example.com/queues QADMIN_TOKEN=... qadmin jobs emails --state failed
  qadmin clean memory:emails --state completed --older-than 7d
`;

const SERVE_HELP = `Usage: qadmin serve [flags]

Runs the dashboard on its own HTTP server. Each setting comes from the first of:
flags, QADMIN_* environment variables, the config file, the default.

Sources (at least one; several at once):
  --demo                    an in-memory queue with a synthetic workload     QADMIN_DEMO
  --redis <url>             BullMQ queues in this Redis (repeatable)         QADMIN_REDIS
  --prefix <prefix>         BullMQ key prefix to look under (repeatable;     QADMIN_PREFIX
                            default bull)
  --postgres <url>          pg-boss queues in this PostgreSQL (repeatable)   QADMIN_POSTGRES
  --pgboss-schema <name>    pg-boss's schema (default pgboss)                QADMIN_PGBOSS_SCHEMA
  --collector <file>        queues of any system, fed by workers' events     QADMIN_COLLECTOR
                            into this SQLite store (repeatable); workers
                            report to <url>/api/ingest/events with a token
                            from QADMIN_INGEST_TOKENS or ingestTokens

Server:
  --host <host>             address to listen on (default 127.0.0.1)         QADMIN_HOST
  --port <port>             port (default 3000; 0 picks a free one)          QADMIN_PORT
  --base-path <path>        serve under this path, like /queues              QADMIN_BASE_PATH
  --title <text>            the dashboard's name (default qadmin)            QADMIN_TITLE
  --no-ui                   the JSON API, OpenAPI, Prometheus metrics and    QADMIN_NO_UI
                            events, without the web UI
  --config <file>           config file (default ./qadmin.config.json,       QADMIN_CONFIG
                            .mjs or .js when present; .ts and .mts on
                            Node 22.18+)

Logs:
  --log-format <format>     text (default) or json: one JSON object per      QADMIN_LOG_FORMAT
                            line with time, level, msg and fields
  --access-log              a line per request once answered: method, path,  QADMIN_ACCESS_LOG
                            query parameter names (not values), status,
                            duration, bytes, who was logged in

Access:
  --read-only               nobody can change jobs                           QADMIN_READ_ONLY
  --unsafe-anonymous-writes anyone who reaches the dashboard can change      QADMIN_UNSAFE_ANONYMOUS_WRITES
                            jobs: local development only, refused unless
                            the host is 127.0.0.1, localhost or ::1
  --state-dir <dir>         where the first-run setup keeps its admin and    QADMIN_STATE_DIR
                            the session secret (default ./.qadmin)
  Users and tokens come from the config file (auth.users, auth.tokens); the
  session secret from auth.sessionSecret or QADMIN_SESSION_SECRET. Without
  any, the dashboard is read-only; bound beyond loopback (and not --read-only)
  it asks in the browser for a first admin, with a setup code printed at
  start-up.

Boolean flags take a --no- form (--no-read-only) to override the config file.
Exit codes: 0 stopped by SIGTERM/SIGINT, 1 failed to start (a source cannot be
reached, the port is in use), 2 bad flags or configuration.
`;

const HASH_HELP = `Usage: qadmin hash-password

Reads a password from standard input (asked for without echo on a terminal,
or piped in) and prints its scrypt hash for auth.users[].passwordHash of
qadmin.config.json. At least 12 characters.

  echo -n "$PASSWORD" | qadmin hash-password
`;

/** Where main writes; the process's streams unless a test gives others. */
export interface MainIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function parse<T>(command: string, args: string[], options: Parameters<typeof parseArgs>[0]) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, ...options }).values as T & {
      help?: boolean;
    };
  } catch (error) {
    throw usageFromParseError(command, error);
  }
}

const SERVE_OPTIONS = {
  config: { type: 'string' },
  demo: { type: 'boolean' },
  redis: { type: 'string', multiple: true },
  prefix: { type: 'string', multiple: true },
  postgres: { type: 'string', multiple: true },
  'pgboss-schema': { type: 'string' },
  collector: { type: 'string', multiple: true },
  'state-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'base-path': { type: 'string' },
  'read-only': { type: 'boolean' },
  title: { type: 'string' },
  ui: { type: 'boolean' },
  'unsafe-anonymous-writes': { type: 'boolean' },
  'log-format': { type: 'string' },
  'access-log': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function runServe(args: string[], io: MainIo): Promise<number> {
  const output: Output = {
    out: (line) => io.stdout.write(`${line}\n`),
    err: (line) => io.stderr.write(`${line}\n`),
  };
  // A failure before the settings are known is still reported in the format asked for.
  let format: LogFormat = requestedLogFormat({}, io.env) ?? 'text';
  let restoreConsole: (() => void) | undefined;
  try {
    const flags = parse<ServeFlags>('serve', args, {
      options: SERVE_OPTIONS,
      allowNegative: true,
    });
    if (flags.help) {
      io.stdout.write(SERVE_HELP);
      return 0;
    }
    format = requestedLogFormat(flags, io.env) ?? format;
    const settings = await resolveServeSettings(flags, io.env, io.cwd);
    format = settings.logFormat;
    // Only the process's own streams: a caller that passed others owns its console.
    if (format === 'json' && io.stdout === process.stdout && io.stderr === process.stderr) {
      restoreConsole = routeConsole(createLogger(output, 'json'));
    }
    const running = await serve(settings, output, { handleSignals: true });
    return await running.stopped;
  } catch (error) {
    if (format === 'text') throw error;
    const failure = describeFailure(error);
    createLogger(output, 'json').error(failure.message, {
      event: 'failed',
      exitCode: failure.exitCode,
      ...(failure.stack !== undefined && { stack: failure.stack }),
    });
    return failure.exitCode;
  } finally {
    restoreConsole?.();
  }
}

/**
 * What a command's failure means for whoever ran it: exit 2 for a mistake in
 * the invocation, 1 for a failure at run time, and for a bug the stack too.
 */
function describeFailure(error: unknown): { message: string; exitCode: number; stack?: string } {
  if (error instanceof UsageError) return { message: sanitize(error.message), exitCode: 2 };
  if (error instanceof StartupError || error instanceof CommandError) {
    return { message: sanitize(error.message), exitCode: 1 };
  }
  return {
    message: describeError(error),
    exitCode: 1,
    ...(error instanceof Error && error.stack !== undefined && { stack: error.stack }),
  };
}

async function runHashPassword(args: string[], io: MainIo): Promise<number> {
  const flags = parse<object>('hash-password', args, {
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (flags.help) {
    io.stdout.write(HASH_HELP);
    return 0;
  }
  try {
    await hashPasswordCommand(io.stdin, io.stdout, io.stderr);
    return 0;
  } catch (error) {
    io.stderr.write(`qadmin hash-password: ${describeError(error)}\n`);
    return 1;
  }
}

/**
 * Runs the `qadmin` command with `args` (without `node` and the script) and
 * resolves with the exit code; `serve` resolves once the server has stopped.
 *
 * @example
 * ```ts
 * process.exit(await main(process.argv.slice(2)));
 * ```
 */
export async function main(args: string[], io: Partial<MainIo> = {}): Promise<number> {
  const full: MainIo = {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'serve':
        return await runServe(rest, full);
      case 'hash-password':
        return await runHashPassword(rest, full);
      case 'queues':
        return await queuesCommand(rest, full);
      case 'jobs':
        return await jobsCommand(rest, full);
      case 'job':
        return await jobCommand(rest, full);
      case 'retry':
      case 'remove':
      case 'promote':
        return await jobActionCommand(command, rest, full);
      case 'retry-all':
        return await retryAllCommand(rest, full);
      case 'clean':
        return await cleanCommand(rest, full);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        // Without a command the help is the complaint: stderr and exit 2.
        (command === undefined ? full.stderr : full.stdout).write(MAIN_HELP);
        return command === undefined ? 2 : 0;
      case '--version':
      case '-v':
      case 'version':
        full.stdout.write(`${VERSION}\n`);
        return 0;
      default:
        throw new UsageError(
          command.startsWith('-')
            ? `unknown flag ${command} (see qadmin --help)`
            : `unknown command ${JSON.stringify(command)} (see qadmin --help)`,
        );
    }
  } catch (error) {
    const prefix = command && !command.startsWith('-') ? `qadmin ${command}` : 'qadmin';
    const failure = describeFailure(error);
    full.stderr.write(`${prefix}: ${failure.message}\n`);
    // Unexpected: the one line first, then the stack for a bug report.
    if (failure.stack) full.stderr.write(`${failure.stack}\n`);
    return failure.exitCode;
  }
}
