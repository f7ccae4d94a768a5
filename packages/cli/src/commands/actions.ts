/**
 * `qadmin retry|remove|promote <queue> <id...>`: one action on each of a
 * list of jobs. A job that fails (unknown, in the wrong state) is reported
 * and the rest go on; a failure that the next job would meet too (no
 * connection, a bad token, a missing permission) stops the run.
 */
import type { ApiJob } from '@qadmin/client';
import { CommandError, UsageError } from '../errors';
import type { MainIo } from '../main';
import { parseCommand } from './args';
import { connect, explainFailure, isFatal, reason, resolveQueue } from './connection';
import { plural, sanitize, toJson, write } from './format';
import { startProgress } from './progress';

/** The single-job actions with a command of their own. */
export type ScriptedJobAction = 'retry' | 'remove' | 'promote';

const WORDS: Record<ScriptedJobAction, { done: string; doing: string; of: string; what: string }> =
  {
    retry: {
      done: 'retried',
      doing: 'retrying',
      of: 'in',
      what: 'Retries jobs by id: failed (or completed) jobs run again.',
    },
    remove: { done: 'removed', doing: 'removing', of: 'from', what: 'Removes jobs by id.' },
    promote: {
      done: 'promoted',
      doing: 'promoting',
      of: 'in',
      what: 'Promotes delayed jobs by id: they run now.',
    },
  };

/** Requests in flight at once: quicker than one by one, gentle on the dashboard. */
const CONCURRENCY = 4;

/**
 * `qadmin retry --help` and its siblings.
 *
 * @example
 * ```ts
 * process.stdout.write(actionHelp('retry'));
 * ```
 */
export function actionHelp(action: ScriptedJobAction): string {
  return `Usage: qadmin ${action} <queue> <id...> [flags]

${WORDS[action].what} <queue> is a queue id
(memory:emails) or, when only one backend has a queue by that name, its name.
Give - as the only id to read ids from standard input (one per line or
separated by spaces). Each job that fails is reported on standard error and
the others go on; the exit code is 1 if any failed. Needs the operator role.

Flags:
  --json            print { queueId, action, succeeded, failed, skipped,
                    stopped, results: [{ id, ok, job | status, error }] }
  --url <url>       the dashboard (default http://127.0.0.1:3000)   QADMIN_URL
  --token <token>   bearer token (auth.tokens of its config)         QADMIN_TOKEN
  -h, --help        show this help

  qadmin ${action} memory:webhooks 17 18 19
  qadmin jobs webhooks --state failed --all --json | jq -r '.jobs[].id' | qadmin ${action} webhooks -
`;
}

/** The outcome for one id, as `--json` prints it. */
type Outcome =
  | { id: string; ok: true; job: ApiJob | null }
  | { id: string; ok: false; status: number | null; error: string }
  | { id: string; ok: false; skipped: true };

async function readIds(stdin: NodeJS.ReadableStream): Promise<string[]> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk;
  return text.split(/\s+/).filter(Boolean);
}

/**
 * Runs `qadmin retry`, `remove` or `promote` and resolves with its exit code.
 *
 * @example
 * ```ts
 * const code = await jobActionCommand('retry', ['memory:webhooks', '17', '18'], io);
 * ```
 */
export async function jobActionCommand(
  action: ScriptedJobAction,
  args: string[],
  io: MainIo,
): Promise<number> {
  const { flags, positionals } = parseCommand<object>(
    action,
    args,
    {},
    {
      required: ['queue'],
      rest: 'id',
    },
  );
  if (flags.help) {
    await write(io.stdout, actionHelp(action));
    return 0;
  }
  const given = positionals.slice(1);
  if (given.includes('-') && given.length > 1) {
    throw new UsageError('give - (ids from standard input) alone, not with other ids');
  }
  const connection = connect(flags, io.env);
  const ids = [...new Set(given[0] === '-' ? await readIds(io.stdin) : given)];
  if (ids.length === 0) throw new UsageError('no job ids on standard input');
  const queue = await resolveQueue(connection, positionals[0]!);
  const words = WORDS[action];

  const progress = startProgress(io.stderr, {
    label: words.doing,
    total: ids.length,
    enabled: !flags.json && ids.length > 1,
  });
  const outcomes: (Outcome | undefined)[] = new Array(ids.length);
  let next = 0;
  let finished = 0;
  let stopped: { id: string; error: unknown } | undefined;
  const failures = new Map<string, unknown>();
  const work = async () => {
    while (stopped === undefined && next < ids.length) {
      const index = next++;
      const id = ids[index]!;
      try {
        const { job } = await connection.client.jobAction(queue.id, id, { type: action });
        outcomes[index] = { id, ok: true, job };
      } catch (error) {
        if (isFatal(error)) {
          stopped ??= { id, error };
          // Not tried for good: the run stops before this job like those after it.
          outcomes[index] = { id, ok: false, skipped: true };
          return;
        }
        const status = (error as { status?: number }).status ?? null;
        outcomes[index] = { id, ok: false, status, error: reason(error, connection) };
        failures.set(id, error);
        // One job's failure is the command's, said once below; several are said as they come.
        if (ids.length > 1) {
          progress.note(`qadmin ${action}: job ${sanitize(id)}: ${reason(error, connection)}`);
        }
      }
      progress.update(++finished);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, work));
  } finally {
    progress.finish();
  }

  const results = ids.map((id, i): Outcome => outcomes[i] ?? { id, ok: false, skipped: true });
  const succeeded = results.filter((result) => result.ok).length;
  const skipped = results.filter((result) => 'skipped' in result).length;
  const failed = results.length - succeeded - skipped;

  const failureOf = (id: string, error: unknown) =>
    explainFailure(error, connection, `cannot ${action} job ${id} ${words.of} ${queue.id}`);
  if (flags.json) {
    await write(
      io.stdout,
      `${toJson({
        queueId: queue.id,
        action,
        succeeded,
        failed,
        skipped,
        // Why the jobs marked skipped were not tried.
        stopped: stopped ? reason(stopped.error, connection) : null,
        results,
      })}\n`,
    );
  } else if (ids.length === 1 && succeeded === 1) {
    const job = (results[0] as { job: ApiJob | null }).job;
    await write(
      io.stdout,
      `${words.done} job ${sanitize(ids[0]!)} ${words.of} ${queue.id}${job ? ` (now ${job.state})` : ''}\n`,
    );
  } else if (ids.length > 1 && succeeded + failed > 0) {
    const summary =
      succeeded === ids.length
        ? `${words.done} ${plural(succeeded, 'job')} ${words.of} ${queue.id}`
        : `${words.done} ${succeeded} of ${plural(ids.length, 'job')} ${words.of} ${queue.id}${
            failed > 0 ? `; ${failed} failed` : ''
          }${skipped > 0 ? `; ${skipped} not tried` : ''}`;
    await write(io.stdout, `${summary}\n`);
  }
  if (stopped) {
    const done = succeeded + failed > 0;
    throw new CommandError(`${done ? 'stopped: ' : ''}${failureOf(stopped.id, stopped.error)}`);
  }
  if (ids.length === 1 && failed === 1) {
    throw new CommandError(failureOf(ids[0]!, failures.get(ids[0]!)));
  }
  return failed > 0 ? 1 : 0;
}
